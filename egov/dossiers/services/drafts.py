"""Drafts of online dossiers: the citizen answers one page at a time, may stop and come back,
and submits when everything is there (`draft_submit` → `online.dossier_submit_online`).

A draft is its owner's alone (others get "not found"). Its papers are checked when uploaded
and stored under random names; on submission they become the dossier's papers and the draft
is deleted. Limits keep one account from filling the disk: `MAX_DRAFTS` open drafts,
`MAX_PAPERS` files in one, `MAX_DRAFT_BYTES` in all its drafts together."""

import datetime
import uuid
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from egov.accounts.selectors import citizen_identity
from egov.catalog.selectors import procedure_in_force
from egov.core.errors import NotAllowedError
from egov.core.files import check_upload

from .. import policies
from ..errors import DossierNotFoundError, DossierRuleError
from ..models import ApplicantType, Dossier, DossierDraft, DraftPaper
from .documents import _remove_stored
from .intake import Applicant
from .online import OnlinePaper, _checked_papers, _reused_documents, _submit_checked

MAX_DRAFTS = 10
MAX_PAPERS = 30
MAX_DRAFT_BYTES = 200 * 1024 * 1024
# What a draft keeps; anything else a page sends is dropped.
_DATA_KEYS = frozenset(
    {"applicant", "form_data", "agency_code", "return_method", "reuse", "papers_done"}
)
_APPLICANT_KEYS = frozenset(
    {"full_name", "id_number", "birth_date", "gender", "phone", "email", "ward_code", "street"}
)


def _require_citizen(actor: User) -> None:
    if not actor.is_authenticated or policies.is_staff(actor):
        raise NotAllowedError("Chỉ công dân, tổ chức đăng nhập bằng VNeID nộp hồ sơ trực tuyến.")
    if citizen_identity(actor) is None:
        raise NotAllowedError("Hãy đăng nhập bằng tài khoản định danh điện tử VNeID.")


def draft_get(*, actor: User, draft_uuid: str) -> DossierDraft:
    try:
        key = uuid.UUID(str(draft_uuid))
    except ValueError:
        raise DossierNotFoundError from None
    draft = (
        DossierDraft.objects.select_related("procedure").filter(uuid=key, owner_id=actor.pk).first()
    )
    if draft is None:
        raise DossierNotFoundError
    return draft


@transaction.atomic(durable=True)
def draft_start(*, actor: User, procedure_code: str) -> DossierDraft:
    _require_citizen(actor)
    procedure = procedure_in_force(national_code=procedure_code)
    if procedure.online_level == "none":
        raise DossierRuleError("Thủ tục này chưa nhận hồ sơ trực tuyến.", code="not_online")
    if DossierDraft.objects.filter(owner=actor).count() >= MAX_DRAFTS:
        raise DossierRuleError(
            f"Bạn đã có {MAX_DRAFTS} hồ sơ nháp. Hãy nộp hoặc xóa bớt hồ sơ nháp trước.",
            code="too_many_drafts",
        )
    now = timezone.now()
    return DossierDraft.objects.create(
        owner=actor, procedure=procedure, data={}, created_at=now, updated_at=now
    )


@transaction.atomic(durable=True)
def draft_save(*, actor: User, draft_uuid: str, changes: dict[str, Any]) -> DossierDraft:
    """Keep what one page answered; the checks that matter run again on submission."""
    found = draft_get(actor=actor, draft_uuid=draft_uuid)
    # Read under the lock: two tabs saving two pages keep both pages' answers.
    draft = DossierDraft.objects.select_for_update().get(pk=found.pk)
    data = dict(draft.data)
    for key, value in changes.items():
        if key not in _DATA_KEYS:
            continue
        if key == "applicant":
            value = {k: str(v)[:255] for k, v in dict(value).items() if k in _APPLICANT_KEYS}
        data[key] = value
    draft.data = data
    draft.updated_at = timezone.now()
    draft.save(update_fields=["data", "updated_at"])
    return draft


def draft_add_paper(
    *, actor: User, draft_uuid: str, component: str, stream: IO[bytes], name: str, size: int
) -> DraftPaper:
    """Check the file, then keep it in the draft for one of the procedure's components."""
    draft = draft_get(actor=actor, draft_uuid=draft_uuid)
    components = {document.code for document in draft.procedure.documents.all()}
    if component not in components:
        raise DossierRuleError("Thủ tục không có thành phần hồ sơ này.", code="unknown_component")
    checked = check_upload(
        stream, name=name, size=size, max_bytes=settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024
    )
    stored = ""
    try:
        with transaction.atomic(durable=True):
            DossierDraft.objects.select_for_update().filter(pk=draft.pk).first()
            if draft.papers.count() >= MAX_PAPERS:
                raise DossierRuleError(
                    f"Một hồ sơ có tối đa {MAX_PAPERS} tệp.", code="too_many_papers"
                )
            held = DraftPaper.objects.filter(draft__owner=actor).aggregate(total=Sum("size"))
            if (held["total"] or 0) + checked.size > MAX_DRAFT_BYTES:
                raise DossierRuleError(
                    "Các hồ sơ nháp của bạn đã dùng hết dung lượng cho phép. Hãy nộp hoặc xóa "
                    "bớt hồ sơ nháp trước.",
                    code="drafts_full",
                )
            paper = DraftPaper(
                draft=draft,
                component=component,
                name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_at=timezone.now(),
            )
            paper.file.save(checked.name, File(stream), save=False)
            stored = paper.file.name
            paper.save()
            DossierDraft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
            return paper
    except BaseException:
        if stored:
            DraftPaper.file.field.storage.delete(stored)
        raise


@transaction.atomic(durable=True)
def draft_remove_paper(*, actor: User, draft_uuid: str, paper_uuid: str) -> None:
    draft = draft_get(actor=actor, draft_uuid=draft_uuid)
    try:
        paper = draft.papers.get(uuid=uuid.UUID(str(paper_uuid)))
    except (ValueError, DraftPaper.DoesNotExist):
        raise DossierNotFoundError from None
    path = paper.file.name
    paper.delete()
    transaction.on_commit(lambda: DraftPaper.file.field.storage.delete(path))


@transaction.atomic(durable=True)
def draft_delete(*, actor: User, draft_uuid: str) -> None:
    draft = draft_get(actor=actor, draft_uuid=draft_uuid)
    _delete(draft)


def _delete(draft: DossierDraft) -> None:
    paths = [paper.file.name for paper in draft.papers.all()]
    draft.delete()
    storage = DraftPaper.file.field.storage

    def remove_files() -> None:
        for path in paths:
            storage.delete(path)

    transaction.on_commit(remove_files)


def _birth_date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        raise DossierRuleError(
            "Ngày sinh không hợp lệ.",
            code="invalid_applicant",
            fields={"applicant.birth_date": "Ngày sinh theo dạng ngày/tháng/năm."},
        ) from None


def _ward(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def draft_applicant(*, actor: User, draft: DossierDraft) -> Applicant:
    """The applicant as the dossier will record them. What VNeID verified at level 2 (name,
    personal ID, birth date, gender; an organisation's tax code and name) comes from the
    sign-in and cannot be typed over; contact details and the address come from the draft."""
    identity = citizen_identity(actor)
    if identity is None:
        raise NotAllowedError("Hãy đăng nhập bằng tài khoản định danh điện tử VNeID.")
    typed = dict(draft.data.get("applicant") or {})
    phone = str(typed.get("phone", identity.phone or "")).strip()
    email = str(typed.get("email", identity.email or "")).strip()
    ward_code = _ward(typed.get("ward_code", identity.ward_code))
    street = str(typed.get("street", identity.address or "")).strip()
    if identity.kind == "organisation":
        return Applicant(
            type=ApplicantType.ENTERPRISE,
            name=identity.org_name,
            tax_code=identity.org_tax_code,
            representative=identity.full_name,
            phone=phone,
            email=email,
            ward_code=ward_code,
            street=street,
        )
    verified = identity.level >= 2
    return Applicant(
        type=ApplicantType.CITIZEN,
        name=identity.full_name if verified else str(typed.get("full_name", identity.full_name)),
        id_number=identity.id_number if verified else str(typed.get("id_number", "")),
        birth_date=identity.birth_date if verified else _birth_date(typed.get("birth_date")),
        gender=identity.gender if verified else str(typed.get("gender", "")),
        phone=phone,
        email=email,
        ward_code=ward_code,
        street=street,
    )


def draft_submit(*, actor: User, draft_uuid: str) -> Dossier:
    """Submit the draft as an online dossier. The draft is locked, becomes the dossier and
    is deleted in one transaction: a second click, another tab or a crash between the two
    never makes a second dossier (the second submission finds no draft)."""
    _require_citizen(actor)
    draft = draft_get(actor=actor, draft_uuid=draft_uuid)
    identity = citizen_identity(actor)
    data = draft.data
    reuse = [
        (component, str(document))
        for component, documents in dict(data.get("reuse") or {}).items()
        for document in (documents if isinstance(documents, list) else [documents])
    ]
    papers = list(draft.papers.all())
    streams = [paper.file.open("rb") for paper in papers]
    stored: list[str] = []
    try:
        checked = _checked_papers(
            [
                OnlinePaper(
                    component=paper.component, stream=stream, name=paper.name, size=paper.size
                )
                for paper, stream in zip(papers, streams, strict=True)
            ]
        )
        reused = _reused_documents(actor, reuse)
        with transaction.atomic(durable=True):
            locked = DossierDraft.objects.select_for_update().filter(pk=draft.pk).first()
            if locked is None:
                raise DossierNotFoundError
            dossier = _submit_checked(
                actor=actor,
                procedure_code=draft.procedure.national_code,
                applicant=draft_applicant(actor=actor, draft=locked),
                return_method=str(data.get("return_method", "")),
                agency_code=str(data.get("agency_code", "")),
                form_data=dict(data.get("form_data") or {}),
                checked=checked,
                reused=reused,
                submitter=None,
                vneid_verified=identity is not None and identity.level >= 2,
                national_reference="",
                stored=stored,
            )
            _delete(locked)
            return dossier
    except BaseException:
        _remove_stored(stored)
        raise
    finally:
        for stream in streams:
            stream.close()


DRAFT_DAYS = 30


def drafts_expire(*, now: datetime.datetime, days: int = DRAFT_DAYS) -> int:
    """Delete the drafts nobody touched for `days` days, and their files: an abandoned
    draft must not keep a person's papers, nor the disk, for ever. Returns how many."""
    expired = 0
    cutoff = now - datetime.timedelta(days=days)
    for pk in DossierDraft.objects.filter(updated_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            draft = DossierDraft.objects.select_for_update().filter(pk=pk).first()
            if draft is not None and draft.updated_at < cutoff:
                _delete(draft)
                expired += 1
    return expired
