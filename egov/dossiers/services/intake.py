"""New dossiers: checked, placed at a desk, received there at once or left for the desk."""

import datetime
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from egov.catalog.models import CopyKind, Procedure
from egov.catalog.rules import form_data_problems
from egov.catalog.selectors import procedure_in_force, revision_of
from egov.core.errors import DomainError, NotAllowedError
from egov.core.files import check_upload
from egov.core.identifiers import personal_id_problem, phone_problem, tax_code_problem
from egov.core.text import fold
from egov.interop.services.population import person_verify
from egov.orgs.models import SERVICE_CENTER_KINDS, Agency, AgencyKind, Role
from egov.orgs.selectors import agency_get, commune_of_ward, memberships_of, ward_get

from .. import handlers, policies
from ..errors import (
    DossierNotFoundError,
    DossierRuleError,
    IntakePapersError,
)
from ..lifecycle import Action, Status
from ..models import (
    ApplicantType,
    Channel,
    Dossier,
    PaperReceipt,
    ReturnMethod,
)
from ..selectors import dossier_locate, remember_children
from .documents import _record_document, _remove_stored
from .door import _perform_locked, _write_event

# Mẫu 01 counts at most this many of one paper (the receive action's own limit).
_MAX_QUANTITY = 99


@dataclass
class Applicant:
    """The applicant block as an interface hands it over, already parsed."""

    type: int
    name: str
    id_number: str = ""
    birth_date: datetime.date | None = None
    gender: str = ""
    tax_code: str = ""
    representative: str = ""
    phone: str = ""
    email: str = ""
    ward_code: int | None = None
    street: str = ""


@dataclass
class Submitter:
    """Someone submitting on the applicant's behalf (người được ủy quyền)."""

    name: str
    id_number: str = ""
    phone: str = ""


# Typed text that would travel to the forms, the national portal and SMS as it is: control
# and format characters (bell, escape, right-to-left overrides) hide or reorder what is shown.
_TEXT_FIELDS = {
    "name": "applicant.full_name",
    "representative": "applicant.representative",
    "street": "applicant.street",
    "email": "applicant.email",
}


def _hidden_characters(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cf") for char in text)


def _applicant_problems(applicant: Applicant) -> dict[str, str]:
    problems: dict[str, str] = {
        field: "Có ký tự điều khiển hoặc ký tự ẩn; hãy gõ lại."
        for attribute, field in _TEXT_FIELDS.items()
        if _hidden_characters(str(getattr(applicant, attribute) or ""))
    }
    if applicant.type not in ApplicantType.values:
        problems["applicant.type"] = "Loại người nộp phải là 1, 2, 3 hoặc 4."
    if not applicant.name.strip():
        problems["applicant.full_name"] = "Cần họ tên người nộp (hoặc tên tổ chức)."
    if applicant.type == ApplicantType.CITIZEN:
        if problem := personal_id_problem(
            applicant.id_number, date_of_birth=applicant.birth_date, gender=applicant.gender
        ):
            problems["applicant.id_number"] = problem
    elif applicant.type == ApplicantType.ENTERPRISE and (
        problem := tax_code_problem(applicant.tax_code)
    ):
        problems["applicant.tax_code"] = problem
    if applicant.phone and (problem := phone_problem(applicant.phone)):
        problems["applicant.phone"] = problem
    return problems


def _receiving_desk(*, actor: User | None, agency_code: str | None, channel: str) -> Agency:
    """The desk that receives: the one named, else the actor's own (a reception officer's)."""
    if agency_code:
        desk = agency_get(code=agency_code)
    elif actor is None:
        raise DossierRuleError("Cần chỉ rõ nơi tiếp nhận hồ sơ.", code="agency_required")
    else:
        desks = [m.agency for m in memberships_of(user=actor) if m.role == Role.RECEPTION]
        if len(desks) != 1:
            raise DossierRuleError(
                "Cần chỉ rõ nơi tiếp nhận hồ sơ (mã định danh của Bộ phận Một cửa).",
                code="agency_required",
            )
        desk = desks[0]
    if desk.kind not in SERVICE_CENTER_KINDS:
        raise DossierRuleError(
            f"{desk.name} không phải Bộ phận Một cửa, không tiếp nhận hồ sơ.",
            code="not_a_desk",
        )
    if channel != Channel.ONLINE and (actor is None or not policies.is_reception_at(actor, desk)):
        raise NotAllowedError("Chỉ cán bộ tiếp nhận của Bộ phận Một cửa này được nhận hồ sơ.")
    return desk


def _competent_agency(*, procedure: Procedure, desk: Agency, ward_code: int | None) -> Agency:
    """The body that decides. Intake is regardless of administrative boundary (Decree
    118/2025 art. 20): any desk of the province receives any procedure of the province and
    forwards it, so the competent body never depends on the desk, except as a last resort
    for a commune procedure: the commune of the applicant's address, else the desk's own
    commune."""
    if procedure.competent_agency is not None:
        return procedure.competent_agency
    commune = commune_of_ward(ward_code=ward_code)
    if commune is not None:
        return commune
    if desk.kind == AgencyKind.COMMUNE_SERVICE_CENTER and desk.parent is not None:
        return desk.parent
    raise DossierRuleError(
        "Thủ tục cấp xã: cần mã xã, phường nơi cư trú của người nộp để chuyển hồ sơ.",
        code="commune_required",
    )


def _check_ward(applicant: Applicant, desk: Agency) -> None:
    """The applicant's ward, given by its national code, is one of the desk's province's
    wards, as the desk's intake and the portal offer them (chosen by name). Not asked of a
    dossier the national portal hands over (`actor=None`): it names the ward as the
    applicant gave it there, the schema of the bus bounds the code."""
    if applicant.ward_code is None:
        return
    if ward_get(province_code=desk.province_code, code=applicant.ward_code) is None:
        raise DossierRuleError(
            "Thông tin người nộp chưa hợp lệ.",
            code="invalid_applicant",
            fields={"applicant.ward_code": "Mã phường/xã không thuộc tỉnh."},
        )


def _check_channel(procedure: Procedure, channel: str, return_method: str) -> None:
    if channel not in Channel.values or return_method not in ReturnMethod.values:
        raise DossierRuleError(
            "Kênh nộp hoặc hình thức nhận kết quả không hợp lệ.", code="bad_channel"
        )
    if channel == Channel.ONLINE and procedure.online_level == "none":
        raise DossierRuleError("Thủ tục này chưa nhận hồ sơ trực tuyến.", code="not_online")
    if channel == Channel.POSTAL and not procedure.postal_intake:
        raise DossierRuleError("Thủ tục này không nhận hồ sơ qua bưu chính.", code="not_postal")
    if return_method == ReturnMethod.POSTAL and not procedure.postal_return:
        raise DossierRuleError(
            "Thủ tục này không trả kết quả qua bưu chính.", code="not_postal_return"
        )


def population_check(*, actor: User, applicant: Applicant) -> bool:
    """Whether a citizen applicant, exactly as they will be recorded (ID number, name, birth
    date), is in the National Population Database. Asked of the partner synchronously, so
    call it before any transaction opens: no row lock is held while the partner thinks, and
    the message log row stays whatever becomes of the intake.

    False without asking when the applicant is not a citizen, lacks an ID number or a birth
    date, or would be refused anyway; False when the check cannot be made (partner down, its
    breaker open, an actor who may not look people up): the intake goes on unverified."""
    if (
        applicant.type != ApplicantType.CITIZEN
        or not applicant.id_number
        or applicant.birth_date is None
        or _applicant_problems(applicant)
    ):
        return False
    try:
        return person_verify(
            actor=actor,
            id_number=applicant.id_number,
            full_name=applicant.name,
            birth_date=applicant.birth_date,
        )
    except DomainError:
        return False


def dossier_create(
    *,
    actor: User,
    procedure_code: str,
    channel: str,
    applicant: Applicant,
    return_method: str,
    form_data: dict[str, Any] | None = None,
    agency_code: str | None = None,
    submitter: Submitter | None = None,
    receive: bool = True,
    papers: list[dict[str, Any]] | None = None,
    corrects: str | None = None,
) -> Dossier:
    """A new dossier (see `_create_dossier`), in its own transaction. A dossier taken in at a
    desk (counter, postal) has its applicant checked against the National Population
    Database first, outside the transaction (`population_check`); an online one relies on
    the citizen's VNeID sign-in instead."""
    verified = channel != Channel.ONLINE and population_check(actor=actor, applicant=applicant)
    with transaction.atomic(durable=True):
        return _create_dossier(
            actor=actor,
            procedure_code=procedure_code,
            channel=channel,
            applicant=applicant,
            return_method=return_method,
            form_data=form_data,
            agency_code=agency_code,
            submitter=submitter,
            receive=receive,
            population_verified=verified,
            papers=papers,
            corrects=corrects,
        )


def _create_dossier(
    *,
    actor: User | None,
    procedure_code: str,
    channel: str,
    applicant: Applicant,
    return_method: str,
    form_data: dict[str, Any] | None = None,
    agency_code: str | None = None,
    submitter: Submitter | None = None,
    receive: bool = True,
    population_verified: bool = False,
    papers: list[dict[str, Any]] | None = None,
    corrects: str | None = None,
    vneid_verified: bool = False,
    national_reference: str = "",
) -> Dossier:
    """A new dossier. At a desk (counter, postal) the reception officer receives it at once,
    unless `receive=False`: then it stays `submitted` for the officer to ask for a supplement
    (Mẫu 02) or refuse it (Mẫu 03) instead. Online it waits as `submitted`, known by its
    reference, for the desk to check it.

    `population_verified` is what `population_check` answered for this very `applicant`
    before the caller's transaction opened; never a flag an interface passes along.
    `papers` lists what the desk took in (Mẫu 01; by default the files attached by receipt);
    a list given for a dossier received here and now must name every mandatory component
    of the procedure (`IntakePapersError`, fields "papers.<code>"), as the counter's own
    intake requires each to be scanned or checked in the original (`counter_intake`).
    `corrects` names a decided dossier whose result this one asks to correct (DOMAIN §3: a
    correction is a new dossier linked to the first, never a reopening).

    `actor=None` is a system handing over an online dossier (the national portal, through
    the bus: `services.online`), never a desk."""
    problems = _applicant_problems(applicant)
    if problems:
        raise DossierRuleError(
            "Thông tin người nộp chưa hợp lệ.", code="invalid_applicant", fields=problems
        )
    procedure = procedure_in_force(national_code=procedure_code)
    _check_channel(procedure, channel, return_method)
    if problems := form_data_problems(procedure.form_schema, form_data or {}):
        raise DossierRuleError(
            "Tờ khai chưa đúng với thủ tục.", code="invalid_form_data", fields=problems
        )
    if actor is None:
        if channel != Channel.ONLINE or not agency_code:
            raise DossierRuleError("Hệ thống chỉ chuyển đến hồ sơ trực tuyến.", code="bad_channel")
        desk = _receiving_desk(actor=None, agency_code=agency_code, channel=channel)
        corrected = None
    else:
        desk = _receiving_desk(actor=actor, agency_code=agency_code, channel=channel)
        _check_ward(applicant, desk)
        corrected = _corrected_dossier(actor=actor, key=corrects, procedure=procedure)
    revision = revision_of(procedure_id=procedure.pk, version=procedure.version)
    if papers is not None and receive and channel != Channel.ONLINE:
        _check_listed_papers(revision.content["documents"], papers)
    dossier = Dossier.objects.create(
        corrects=corrected,
        procedure=procedure,
        procedure_revision=revision,
        receiving_agency=desk,
        competent_agency=_competent_agency(
            procedure=procedure, desk=desk, ward_code=applicant.ward_code
        ),
        channel=channel,
        return_method=return_method,
        applicant_type=applicant.type,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number,
        applicant_birth_date=applicant.birth_date,
        applicant_gender=applicant.gender,
        applicant_tax_code=applicant.tax_code,
        applicant_representative=applicant.representative,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_ward_code=applicant.ward_code,
        applicant_street=applicant.street,
        population_verified=population_verified,
        vneid_verified=vneid_verified,
        national_reference=national_reference,
        submitter_name=submitter.name if submitter else "",
        submitter_id_number=submitter.id_number if submitter else "",
        submitter_phone=submitter.phone if submitter else "",
        # A citizen's own online dossier is theirs to follow; staff submit for others.
        owner=None if actor is None or policies.is_staff(actor) else actor,
        created_by=actor,
        status=Status.SUBMITTED,
        form_data=form_data or {},
        submitted_at=timezone.now(),
        search_text=" " + fold(f"{applicant.name} {applicant.id_number} {applicant.tax_code}"),
    )
    receive_now = channel != Channel.ONLINE and receive
    event = _write_event(
        dossier,
        step=None,
        actor=actor,
        action="submit",
        source="",
        target=Status.SUBMITTED,
        at=dossier.submitted_at,
        note="",
        payload={
            "channel": channel,
            **({"corrects": corrected.code} if corrected is not None else {}),
            **({"national_reference": national_reference} if national_reference else {}),
        },
        # Received here and now: written with the receipt's event, in one statement.
        write=not receive_now,
    )
    if not receive_now:  # else the receipt saves the whole row, the chain's head with it
        dossier.save(update_fields=["event_seq", "event_head"])
    handlers.dispatch(event)
    if receive_now:
        # Nothing else is on it yet: what describes it (the portal's sync) reads nothing back.
        remember_children(dossier, documents=[], supplements=[], events=[event])
        params = {} if papers is None else {"papers": papers}
        _perform_locked(
            dossier,
            action=Action.RECEIVE,
            actor=actor,
            note="",
            params=params,
            fresh=True,
            unwritten=[event],
        )
    return dossier


def _check_listed_papers(documents: list[dict[str, Any]], papers: list[dict[str, Any]]) -> None:
    """A desk's list of the papers it took in names every mandatory component; the list's
    own entries (codes, copy kinds, quantities) are checked by the receive action."""
    listed = {str(paper.get("component") or "") for paper in papers if isinstance(paper, dict)}
    missing = {
        f"papers.{document['code']}": f"Cần ghi nhận đã nhận: {document['name']}."
        for document in documents
        if document.get("mandatory", True) and document["code"] not in listed
    }
    if missing:
        raise IntakePapersError(
            "Danh sách giấy tờ đã nhận thiếu giấy tờ bắt buộc của thủ tục.",
            code="papers_missing",
            fields=missing,
        )


def _corrected_dossier(*, actor: User, key: str | None, procedure: Procedure) -> Dossier | None:
    """The dossier a correction refers to: one this person may see, with a result."""
    if not key:
        return None
    try:
        first = dossier_locate(key=key)
    except DossierNotFoundError:
        first = None
    if first is None or not policies.can_view(actor, first):
        raise DossierRuleError(
            f"Không tìm thấy hồ sơ {key} để đính chính kết quả.", code="corrects_unknown"
        )
    if first.status not in (Status.RESULT_READY, Status.RETURNED):
        raise DossierRuleError(
            "Chỉ đính chính kết quả của hồ sơ đã có kết quả.", code="corrects_no_result"
        )
    if first.procedure_id != procedure.pk:
        raise DossierRuleError(
            "Hồ sơ đính chính phải cùng thủ tục với hồ sơ ban đầu.", code="corrects_procedure"
        )
    return first


@dataclass
class IntakeFile:
    """A paper scanned at the counter, for one component of the procedure."""

    component: str
    stream: IO[bytes]
    name: str
    size: int


def _counter_papers(
    documents: list[dict[str, Any]],
    files: Sequence[IntakeFile],
    originals_checked: Sequence[str],
    *,
    receive: bool,
) -> list[tuple[dict[str, Any], str]]:
    """The papers a counter intake takes in, as the receive action lists them (component,
    copy kind, quantity), each with how it was received (PaperReceipt), in the procedure's
    order: the scans of a component, then its original checked at the counter, then scans
    of other papers. Refused (IntakePapersError, before anything is written) when a file or
    a tick names a component the procedure does not have, or, for a receipt, when a
    mandatory component is neither scanned nor checked in the original."""
    known = {document["code"]: document for document in documents}
    scans: dict[str, int] = {}
    for file in files:
        scans[file.component] = scans.get(file.component, 0) + 1
    originals = set(originals_checked)
    if unknown := sorted(((set(scans) - {""}) | originals) - known.keys()):
        raise IntakePapersError(
            "Giấy tờ đã chọn không thuộc thành phần hồ sơ của thủ tục này.",
            code="unknown_component",
            fields={
                f"documents.{code}": "Thủ tục không có thành phần hồ sơ này." for code in unknown
            },
        )
    missing = {
        f"documents.{document['code']}": (
            f"{document['name']}: cần bản quét, hoặc đánh dấu đã kiểm tra bản chính tại quầy."
        )
        for document in documents
        if document.get("mandatory", True)
        and document["code"] not in scans
        and document["code"] not in originals
    }
    if receive and missing:
        raise IntakePapersError(
            "Chưa tiếp nhận được: mỗi giấy tờ bắt buộc cần bản quét hoặc được xác nhận đã kiểm "
            "tra bản chính tại quầy.",
            code="papers_missing",
            fields=missing,
        )
    papers: list[tuple[dict[str, Any], str]] = []
    for document in documents:
        code = document["code"]
        if code in scans:
            paper = {
                "component": code,
                "copy_kind": document.get("copy_kind") or CopyKind.COPY,
                "quantity": min(scans[code], _MAX_QUANTITY),
            }
            papers.append((paper, PaperReceipt.SCAN))
        if code in originals:
            paper = {"component": code, "copy_kind": CopyKind.ORIGINAL, "quantity": 1}
            papers.append((paper, PaperReceipt.ORIGINAL_CHECKED))
    if "" in scans:
        paper = {
            "component": "",
            "copy_kind": CopyKind.COPY,
            "quantity": min(scans[""], _MAX_QUANTITY),
        }
        papers.append((paper, PaperReceipt.SCAN))
    return papers


def counter_intake(
    *,
    actor: User,
    procedure_code: str,
    agency_code: str | None,
    applicant: Applicant,
    return_method: str,
    form_data: dict[str, Any],
    submitter: Submitter | None,
    files: list[IntakeFile],
    decision: str,
    note: str,
    items: list[str],
    originals_checked: Sequence[str] = (),
) -> Dossier:
    """The counter's one flow, whole or not at all: the dossier, the scans of its papers, and
    the desk's decision (receive, ask for a supplement, refuse). A bad file or a missing
    reason leaves nothing behind, neither a dossier nor a file.

    Papers: `files` are the scans, each for a component of the procedure;
    `originals_checked` the components whose original paper the officer checked at the
    counter instead of scanning it. To receive, every mandatory component is one or the
    other (`IntakePapersError`, fields "documents.<code>", otherwise); a supplement request
    or a refusal needs neither. What was received is recorded on the dossier for Mẫu 01 in
    `received_papers`, one entry per component and way, with "received_as" saying which
    (`PaperReceipt`: "scan" or "original_checked"); the scans themselves are the dossier's
    digitised documents.

    Before the transaction opens, the applicant as submitted here is checked against the
    National Population Database (`population_check`): the dossier is marked
    `population_verified` only when the ID number, name and birth date being recorded match
    it. An earlier look-up on the form proves nothing (the officer may have changed a field
    since, and the browser is not trusted), and a partner that is down or refuses the check
    leaves the dossier unverified without stopping the intake."""
    if decision not in {"receive", "request_supplement", "refuse"}:
        raise DossierRuleError("Quyết định tiếp nhận không hợp lệ.", code="bad_decision")
    procedure = procedure_in_force(national_code=procedure_code)
    revision = revision_of(procedure_id=procedure.pk, version=procedure.version)
    papers = _counter_papers(
        revision.content["documents"], files, originals_checked, receive=decision == "receive"
    )
    max_bytes = settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024
    checked = [
        (file, check_upload(file.stream, name=file.name, size=file.size, max_bytes=max_bytes))
        for file in files
    ]
    verified = population_check(actor=actor, applicant=applicant)
    stored: list[str] = []
    try:
        with transaction.atomic(durable=True):
            dossier = _create_dossier(
                actor=actor,
                procedure_code=procedure_code,
                channel=Channel.COUNTER,
                applicant=applicant,
                return_method=return_method,
                form_data=form_data,
                agency_code=agency_code,
                submitter=submitter,
                receive=False,
                population_verified=verified,
            )
            key = str(dossier.reference)
            for file, result in checked:
                _record_document(
                    actor=actor,
                    key=key,
                    stream=file.stream,
                    checked=result,
                    component=file.component,
                    digitised=True,
                    stored=stored,
                )
            dossier.refresh_from_db()
            # Received once its papers are on it: Mẫu 01 lists what was scanned or checked.
            if decision == "receive":
                params: dict[str, Any] = {"papers": [paper for paper, _ in papers]}
            else:
                params = {"items": items}
            _perform_locked(
                dossier,
                action=decision,
                actor=actor,
                note="" if decision == "receive" else note,
                params=params,
            )
            if decision == "receive":
                # The receive action lists the papers in the order given; each says how.
                dossier.received_papers = [
                    {**listed, "received_as": str(how)}
                    for listed, (_, how) in zip(dossier.received_papers, papers, strict=True)
                ]
                dossier.save(update_fields=["received_papers"])
            return dossier
    except BaseException:
        _remove_stored(stored)
        raise
