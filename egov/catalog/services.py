"""Writes to the procedure catalogue: the file import and the record of every change."""

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction

from egov.core.errors import NotAllowedError
from egov.core.reference import reference_changed
from egov.core.text import fold
from egov.orgs import policies
from egov.orgs.models import Agency

from .errors import CatalogueFileError
from .exchange import ProcedureSpec, read_catalogue, spec_to_content
from .models import (
    FeeLine,
    Procedure,
    ProcedureRevision,
    ProcessStep,
    RequiredDocument,
    Sector,
)
from .selectors import procedure_content, procedure_get, procedures_with_parts


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _search_text(procedure: Procedure) -> str:
    # A leading space lets the search match the start of a word: " ho" finds "hộ", not "cho".
    return " " + fold(f"{procedure.national_code} {procedure.name} {procedure.sector.name}")


def _scalar_values(spec: ProcedureSpec, sector: Sector, agencies: dict[str, Agency]) -> dict:
    return {
        "code_verified": spec.code_verified,
        "name": spec.name,
        "sector": sector,
        "level": spec.level,
        "competent_agency": agencies[spec.competent_agency] if spec.competent_agency else None,
        "competent_agency_kind": spec.competent_agency_kind,
        "online_level": spec.online_level,
        "legacy_online_level": spec.legacy_online_level,
        "full_process_eligible": spec.full_process_eligible,
        "time_limit_value": spec.time_limit_value,
        "time_limit_unit": spec.time_limit_unit,
        "online_time_limit_value": spec.online_time_limit_value,
        "online_time_limit_unit": spec.online_time_limit_unit,
        "supplement_time_limit_value": spec.supplement_time_limit_value,
        "supplement_time_limit_unit": spec.supplement_time_limit_unit,
        "postal_intake": spec.postal_intake,
        "postal_return": spec.postal_return,
        "paper_result": spec.paper_result,
        "result_name": spec.result_name,
        "legal_basis": spec.legal_basis,
        "requirements": spec.requirements,
        "valid_from": spec.valid_from,
        "valid_to": spec.valid_to,
        "form_schema": spec.form_schema,
    }


def _replace_parts(procedure: Procedure, spec: ProcedureSpec, agencies: dict[str, Agency]) -> None:
    reference_changed()  # bulk_create sends no signal (egov.core.reference)
    procedure.documents.all().delete()
    procedure.fees.all().delete()
    procedure.steps.all().delete()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(procedure=procedure, position=position, **asdict(document))
        for position, document in enumerate(spec.documents, start=1)
    )
    FeeLine.objects.bulk_create(
        FeeLine(procedure=procedure, position=position, **asdict(fee))
        for position, fee in enumerate(spec.fees, start=1)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            procedure=procedure,
            position=position,
            name=s.name,
            agency=agencies[s.agency] if s.agency else None,
            agency_kind=s.agency_kind,
            role=s.role,
            hours=s.hours,
            when=s.when,
        )
        for position, s in enumerate(spec.steps, start=1)
    )


def _record_revision(procedure: Procedure, content: dict[str, Any]) -> None:
    ProcedureRevision.objects.create(
        procedure=procedure, version=procedure.version, content=content
    )


def _sector_put(*, code: str, name: str) -> tuple[Sector, bool]:
    """The sector with this code, created or renamed, and whether it was renamed. A rename
    gives each of its procedures a new version, since their content carries the name."""
    sector, created = Sector.objects.get_or_create(code=code, defaults={"name": name})
    if not created and sector.name != name:
        sector.name = name
        sector.save(update_fields=["name"])
        # The sector's name is part of each procedure's content: a new version for each.
        for procedure in Procedure.objects.select_for_update().filter(sector=sector):
            procedure_record_change(national_code=procedure.national_code)
        return sector, True
    return sector, False


@transaction.atomic  # the admin site calls it inside its own transaction
def sector_save(*, actor: policies.Actor, code: str, name: str) -> Sector:
    """A province administrator adds or renames a sector (the admin site)."""
    if not policies.can_manage_catalog(actor):
        raise NotAllowedError("Chỉ quản trị tỉnh được cập nhật danh mục thủ tục.")
    return _sector_put(code=code, name=name)[0]


@transaction.atomic(durable=True)
def procedures_import(*, data: Any) -> ImportResult:
    """Import a catalogue file: all of it, or nothing when any problem is found.

    Raises CatalogueFileError listing every problem with its place. A procedure whose content
    is already what the file says is left untouched (same version, no revision).
    """
    known_agencies = dict(Agency.objects.values_list("code", "pk"))
    specs, problems = read_catalogue(data, known_agencies=known_agencies.keys())
    if problems:
        raise CatalogueFileError(problems)
    needed = {spec.competent_agency for spec in specs} | {
        step.agency for spec in specs for step in spec.steps
    }
    agencies = Agency.objects.in_bulk([code for code in needed if code], field_name="code")
    codes = [spec.national_code for spec in specs]
    # Lock the rows first, then read them with their parts: PostgreSQL refuses FOR UPDATE
    # across the outer join to a nullable competent agency.
    list(Procedure.objects.select_for_update().filter(national_code__in=codes).values("pk"))
    existing = procedures_with_parts(national_codes=codes)
    result = ImportResult()
    for spec in specs:
        content = spec_to_content(spec)
        sector, renamed = _sector_put(code=spec.sector_code, name=spec.sector_name)
        if renamed:  # the rename moved versions on: read them again
            existing = procedures_with_parts(national_codes=codes)
        procedure = existing.get(spec.national_code)
        if procedure is None:
            procedure = Procedure(
                national_code=spec.national_code, **_scalar_values(spec, sector, agencies)
            )
            procedure.search_text = _search_text(procedure)
            procedure.save()
            _replace_parts(procedure, spec, agencies)
            _record_revision(procedure, content)
            result.created.append(spec.national_code)
            continue
        if procedure_content(procedure) == content:
            # Same content; the search text is still brought up to the current formula.
            if procedure.search_text != _search_text(procedure):
                procedure.search_text = _search_text(procedure)
                procedure.save(update_fields=["search_text"])
            result.unchanged.append(spec.national_code)
            continue
        for name, value in _scalar_values(spec, sector, agencies).items():
            setattr(procedure, name, value)
        procedure.version += 1
        procedure.search_text = _search_text(procedure)
        procedure.save()
        _replace_parts(procedure, spec, agencies)
        _record_revision(procedure, content)
        result.updated.append(spec.national_code)
    return result


@transaction.atomic
def procedure_record_change(*, national_code: str) -> Procedure:
    """After an edit outside the import (the admin site): refresh the search text, and when
    the content differs from the last revision, move to a new version and keep it."""
    Procedure.objects.select_for_update().filter(national_code=national_code).first()
    procedure = procedure_get(national_code=national_code)
    content = procedure_content(procedure)
    last = procedure.revisions.order_by("-version").first()
    update_fields = ["search_text"]
    procedure.search_text = _search_text(procedure)
    if last is None or last.content != content:
        if last is not None:
            procedure.version = last.version + 1
            update_fields.append("version")
        _record_revision(procedure, content)
    procedure.save(update_fields=update_fields)
    return procedure
