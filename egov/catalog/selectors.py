"""Reads of the procedure catalogue: search, one procedure, the export."""

import datetime
from collections.abc import Iterable
from dataclasses import fields
from typing import Any, TypeVar

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from egov.core.reference import cached
from egov.core.text import fold
from egov.orgs.models import Agency

from .errors import ProcedureNotFoundError
from .exchange import (
    DocumentSpec,
    FeeSpec,
    ProcedureSpec,
    StepSpec,
    catalogue_document,
    spec_to_content,
)
from .models import Procedure, ProcedureRevision, ProcessStep, Sector

MAX_QUERY_WORDS = 8
SpecT = TypeVar("SpecT", DocumentSpec, FeeSpec)


def _in_force(on: datetime.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def procedure_search(
    *,
    query: str = "",
    level: str = "",
    sector_code: str = "",
    agency_code: str = "",
    online_level: str = "",
    on: datetime.date | None = None,
) -> QuerySet[Procedure]:
    """Procedures in force, matching every word of the query, accents or not.

    "dang ky khai sinh" finds "Đăng ký khai sinh": the query is folded the way `search_text`
    was (egov.core.text.fold), which works the same on SQLite and PostgreSQL. Each word
    matches the start of a word, so "ho" finds "hộ" and "hồ" but not "cho".
    """
    procedures = Procedure.objects.filter(_in_force(on or timezone.localdate()))
    words = fold(query).split()[:MAX_QUERY_WORDS]
    for word in words:
        # Every word must start a word of the text (search_text begins with a space).
        procedures = procedures.filter(search_text__contains=f" {word}")
    if level:
        procedures = procedures.filter(level=level)
    if sector_code:
        procedures = procedures.filter(sector__code=sector_code)
    if agency_code:
        procedures = procedures.filter(competent_agency__code=agency_code)
    if online_level:
        procedures = procedures.filter(online_level=online_level)
    # Procedures that hold the words as one phrase come first.
    phrase_first = Case(
        When(search_text__contains=" " + " ".join(words), then=Value(0)),
        default=Value(1),
    )
    return procedures.select_related("sector", "competent_agency").order_by(
        phrase_first, "name", "pk"
    )


def sector_list() -> tuple[Sector, ...]:
    """The sectors by name, for the filters of lists (cached like the catalogue)."""
    return cached(("sectors",), lambda: tuple(Sector.objects.order_by("name")))


def competent_agencies() -> QuerySet[Agency]:
    """The agencies that decide some procedure in force, for the catalogue's filter."""
    deciding = Procedure.objects.filter(_in_force(timezone.localdate())).values(
        "competent_agency_id"
    )
    return Agency.objects.filter(pk__in=deciding).order_by("name")


def _with_parts(procedures: QuerySet[Procedure]) -> QuerySet[Procedure]:
    return procedures.select_related("sector", "competent_agency").prefetch_related(
        "documents",
        "fees",
        Prefetch("steps", queryset=ProcessStep.objects.select_related("agency")),
    )


def procedure_get(*, national_code: str) -> Procedure:
    """One procedure with its documents, fees and steps; ProcedureNotFoundError otherwise."""
    try:
        return _with_parts(Procedure.objects.all()).get(national_code=national_code)
    except Procedure.DoesNotExist:
        raise ProcedureNotFoundError(national_code) from None


def procedures_with_parts(*, national_codes: Iterable[str]) -> dict[str, Procedure]:
    """The named procedures, with their parts, by national code."""
    procedures = _with_parts(Procedure.objects.filter(national_code__in=list(national_codes)))
    return {procedure.national_code: procedure for procedure in procedures}


def _spec_from(spec_class: type[SpecT], row: Any) -> SpecT:
    return spec_class(**{f.name: getattr(row, f.name) for f in fields(spec_class)})


def procedure_in_force(*, national_code: str, on: datetime.date | None = None) -> Procedure:
    """The procedure if it may be applied for on that day (today by default), with its
    sector and competent agency: read once per process until the catalogue changes
    (egov.core.reference). Shared between requests: read it, never change it."""
    day = on or timezone.localdate()

    def load() -> Procedure | None:
        return (
            Procedure.objects.filter(_in_force(day))
            .select_related("sector", "competent_agency")
            .filter(national_code=national_code)
            .first()
        )

    procedure = cached(("procedure_in_force", national_code, day), load)
    if procedure is None:
        raise ProcedureNotFoundError(national_code)
    return procedure


# What a list never shows of a procedure: its long texts and its e-form.
_LONG_TEXTS = ("legal_basis", "requirements", "form_schema", "search_text")


def procedures_by_id() -> dict[int, Procedure]:
    """Every procedure by id, in force or not, with its sector, without its long texts
    (`_LONG_TEXTS`, read on demand): what a dossier or a list of them names of each, read
    once per process until the catalogue changes (egov.core.reference). Read it, never
    change it."""
    return cached(
        ("procedures_by_id",),
        lambda: {
            p.pk: p
            for p in Procedure.objects.select_related("sector").defer(*_LONG_TEXTS).order_by()
        },
    )


def revision_of(*, procedure_id: int, version: int) -> ProcedureRevision:
    """One version of a procedure as it was published (its content: documents, fees,
    steps, limits), cached like the catalogue; ProcedureRevision.DoesNotExist otherwise."""

    def load() -> ProcedureRevision | None:
        return ProcedureRevision.objects.filter(procedure_id=procedure_id, version=version).first()

    revision = cached(("revision", procedure_id, version), load)
    if revision is None:
        raise ProcedureRevision.DoesNotExist
    return revision


def version_in_force(*, procedure_id: int) -> int:
    """The procedure's current version number (cached like the catalogue)."""
    return cached(
        ("version", procedure_id),
        lambda: Procedure.objects.filter(pk=procedure_id).values_list("version", flat=True).get(),
    )


def procedure_spec(procedure: Procedure) -> ProcedureSpec:
    """The procedure as the catalogue file describes it (parts must be prefetched)."""
    return ProcedureSpec(
        national_code=procedure.national_code,
        code_verified=procedure.code_verified,
        name=procedure.name,
        sector_code=procedure.sector.code,
        sector_name=procedure.sector.name,
        level=procedure.level,
        competent_agency=procedure.competent_agency.code if procedure.competent_agency else None,
        competent_agency_kind=procedure.competent_agency_kind,
        online_level=procedure.online_level,
        legacy_online_level=procedure.legacy_online_level,
        full_process_eligible=procedure.full_process_eligible,
        time_limit_value=procedure.time_limit_value,
        time_limit_unit=procedure.time_limit_unit,
        online_time_limit_value=procedure.online_time_limit_value,
        online_time_limit_unit=procedure.online_time_limit_unit,
        supplement_time_limit_value=procedure.supplement_time_limit_value,
        supplement_time_limit_unit=procedure.supplement_time_limit_unit,
        postal_intake=procedure.postal_intake,
        postal_return=procedure.postal_return,
        paper_result=procedure.paper_result,
        result_name=procedure.result_name,
        legal_basis=procedure.legal_basis,
        requirements=procedure.requirements,
        valid_from=procedure.valid_from,
        valid_to=procedure.valid_to,
        form_schema=procedure.form_schema or {"fields": []},
        # Document and fee specs carry the same fields as their models.
        documents=[_spec_from(DocumentSpec, d) for d in procedure.documents.all()],
        fees=[_spec_from(FeeSpec, f) for f in procedure.fees.all()],
        steps=[
            StepSpec(
                name=s.name,
                agency=s.agency.code if s.agency else None,
                agency_kind=s.agency_kind,
                role=s.role,
                hours=s.hours,
                when=s.when,
            )
            for s in procedure.steps.all()
        ],
    )


def procedure_content(procedure: Procedure) -> dict[str, Any]:
    return spec_to_content(procedure_spec(procedure))


def procedures_export(*, national_codes: Iterable[str] | None = None) -> dict[str, Any]:
    """The whole catalogue (or the named procedures) in the catalogue file's format."""
    procedures = _with_parts(Procedure.objects.order_by("national_code"))
    if national_codes is not None:
        procedures = procedures.filter(national_code__in=list(national_codes))
    return catalogue_document([procedure_content(p) for p in procedures])
