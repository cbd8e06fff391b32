"""Online submission: a citizen on the province's portal, or the National Public Service
Portal through the bus, hands in a whole dossier at once (application, e-form, papers).

The dossier waits as `submitted` in the chosen desk's online intake queue; the desk receives
it (code, clock), asks for a supplement or refuses it, as for any online dossier. Papers are
uploaded, or taken from the person's own documents (an earlier result, a paper digitised at
a desk): that reuse is recorded on the paper (`reused_from`) and on the dossier (`reused`),
and the national portal is told (DOMAIN §6)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.core.files import CheckedFile, check_upload

from ..errors import DossierRuleError
from ..lifecycle import Status
from ..models import Channel, Dossier, DossierDocument
from ..selectors.citizen import my_documents
from .documents import _remove_stored
from .door import _write_event
from .intake import Applicant, Submitter, _create_dossier

# A national reference as the portal writes it: letters, digits, dots, dashes.
_REFERENCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_")


@dataclass
class OnlinePaper:
    """An uploaded file for one component of the procedure."""

    component: str
    stream: IO[bytes]
    name: str
    size: int


def _checked_papers(papers: Sequence[OnlinePaper]) -> list[tuple[OnlinePaper, CheckedFile]]:
    max_bytes = settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024
    return [
        (paper, check_upload(paper.stream, name=paper.name, size=paper.size, max_bytes=max_bytes))
        for paper in papers
    ]


def _reused_documents(
    actor: User | None, reuse: Sequence[tuple[str, str]]
) -> list[tuple[str, DossierDocument]]:
    """The person's own documents they asked to reuse, each for a component. Anything else
    (another person's paper, an unknown id) is refused without saying whether it exists."""
    if not reuse:
        return []
    if actor is None:
        raise DossierRuleError(
            "Chỉ người nộp hồ sơ tái sử dụng giấy tờ của mình.", code="reuse_not_allowed"
        )
    wanted = {uuid for _, uuid in reuse}
    found = {
        str(document.uuid): document
        for document in my_documents(actor=actor).filter(uuid__in=_valid_uuids(wanted))
    }
    missing = sorted(wanted - found.keys())
    if missing:
        raise DossierRuleError(
            "Không tìm thấy giấy tờ đã chọn trong kho giấy tờ của bạn.",
            code="reuse_unknown",
            fields={"reuse": ", ".join(missing)},
        )
    return [(component, found[uuid]) for component, uuid in reuse]


def _valid_uuids(values: set[str]) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except (ValueError, AttributeError, TypeError):
            continue
    return valid


def _check_components(
    dossier: Dossier,
    known: set[str],
    uploaded: set[str],
    reused: list[tuple[str, DossierDocument]],
) -> None:
    """A citizen's papers each answer a component of the procedure, and every mandatory
    component has one (the national portal checked its own dossiers)."""
    given = uploaded | {component for component, _ in reused}
    if unknown := sorted(given - known):
        raise DossierRuleError(
            "Thủ tục không có thành phần hồ sơ này.",
            code="unknown_component",
            fields={f"papers.{component}": "Không có trong thủ tục." for component in unknown},
        )
    missing = {
        f"papers.{document['code']}": f"Cần nộp: {document['name']}."
        for document in dossier.procedure_revision.content.get("documents", [])
        if document.get("mandatory", True) and document["code"] not in given
    }
    if missing:
        raise DossierRuleError(
            "Hồ sơ còn thiếu giấy tờ bắt buộc.", code="papers_missing", fields=missing
        )


def _check_reference(national_reference: str) -> str:
    reference = national_reference.strip()
    if not reference or len(reference) > 40 or set(reference) - _REFERENCE_CHARS:
        raise DossierRuleError(
            "Mã hồ sơ của Cổng Dịch vụ công quốc gia không hợp lệ.",
            code="bad_national_reference",
            fields={"national_reference": "1 đến 40 ký tự: chữ, số, dấu chấm, gạch ngang."},
        )
    return reference


def dossier_submit_online(
    *,
    actor: User | None,
    procedure_code: str,
    applicant: Applicant,
    return_method: str,
    agency_code: str,
    form_data: dict[str, Any] | None = None,
    papers: Sequence[OnlinePaper] = (),
    reuse: Sequence[tuple[str, str]] = (),
    submitter: Submitter | None = None,
    vneid_verified: bool = False,
    national_reference: str = "",
) -> Dossier:
    """A whole online dossier, submitted to the desk `agency_code`, in one transaction: the
    dossier, its papers and the papers reused from the person's documents, or nothing.

    `actor` is the citizen (the dossier is theirs to follow); every mandatory component of
    the procedure must have a paper. `actor=None` is the national portal: `national_reference`
    is required, and a second call with the same reference returns the first dossier as it
    is (the bus may deliver a submission twice); the desk checks completeness at intake, as
    for a dossier the portal already accepted."""
    if actor is None:
        national_reference = _check_reference(national_reference)
        if existing := Dossier.objects.filter(national_reference=national_reference).first():
            return existing
    elif national_reference:
        raise DossierRuleError(
            "Chỉ Cổng Dịch vụ công quốc gia gửi mã hồ sơ của Cổng.", code="bad_national_reference"
        )
    checked = _checked_papers(papers)
    reused = _reused_documents(actor, reuse)
    stored: list[str] = []
    try:
        with transaction.atomic(durable=True):
            return _submit_checked(
                actor=actor,
                procedure_code=procedure_code,
                applicant=applicant,
                return_method=return_method,
                agency_code=agency_code,
                form_data=form_data,
                checked=checked,
                reused=reused,
                submitter=submitter,
                vneid_verified=vneid_verified,
                national_reference=national_reference,
                stored=stored,
            )
    except IntegrityError:
        _remove_stored(stored)
        # Two deliveries of one national dossier at once: the other one won.
        existing = Dossier.objects.filter(national_reference=national_reference).first()
        if actor is None and existing is not None:
            return existing
        raise
    except BaseException:
        _remove_stored(stored)
        raise


def _submit_checked(
    *,
    actor: User | None,
    procedure_code: str,
    applicant: Applicant,
    return_method: str,
    agency_code: str,
    form_data: dict[str, Any] | None,
    checked: list[tuple[OnlinePaper, CheckedFile]],
    reused: list[tuple[str, DossierDocument]],
    submitter: Submitter | None,
    vneid_verified: bool,
    national_reference: str,
    stored: list[str],
) -> Dossier:
    """The dossier and its papers, in the caller's transaction; `stored` collects the files
    written, for the caller to remove if its transaction fails."""
    dossier = _create_dossier(
        actor=actor,
        procedure_code=procedure_code,
        channel=Channel.ONLINE,
        applicant=applicant,
        return_method=return_method,
        form_data=form_data,
        agency_code=agency_code,
        submitter=submitter,
        receive=False,
        vneid_verified=vneid_verified,
        national_reference=national_reference,
    )
    known = {d["code"] for d in dossier.procedure_revision.content.get("documents", [])}
    if actor is not None:
        _check_components(dossier, known, {p.component for p, _ in checked}, reused)
    now = timezone.now()
    for paper, result in checked:
        document = DossierDocument(
            dossier=dossier,
            component=paper.component if paper.component in known else "",
            name=result.name,
            content_type=result.content_type,
            size=result.size,
            sha256=result.sha256,
            uploaded_by=actor,
            uploaded_at=now,
        )
        document.file.save(result.name, File(paper.stream), save=False)
        stored.append(document.file.name)
        document.save()
        _paper_event(dossier, actor, document, now)
    for component, source in reused:
        document = DossierDocument(
            dossier=dossier,
            component=component,
            name=source.name,
            content_type=source.content_type,
            size=source.size,
            sha256=source.sha256,
            reused_from=source,
            uploaded_by=actor,
            uploaded_at=now,
        )
        # A copy of its own: the earlier dossier's file is never shared or moved.
        with source.file.open("rb") as original:
            document.file.save(source.name, File(original), save=False)
        stored.append(document.file.name)
        document.save()
        _paper_event(dossier, actor, document, now)
    dossier.reused = bool(reused)
    dossier.save(update_fields=["reused", "event_seq", "event_head"])
    return dossier


def _paper_event(dossier: Dossier, actor: User | None, document: DossierDocument, at: Any) -> None:
    _write_event(
        dossier,
        step=None,
        actor=actor,
        action="attach_document",
        source=Status.SUBMITTED,
        target=Status.SUBMITTED,
        at=at,
        note="",
        payload={
            "document": str(document.uuid),
            "component": document.component,
            "sha256": document.sha256,
            "digitised": False,
            "is_result": False,
            **(
                {"reused_from": str(document.reused_from.uuid)}
                if document.reused_from is not None
                else {}
            ),
        },
    )
