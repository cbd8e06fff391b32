"""Files of a dossier: checked, stored under a random name, recorded in the event log."""

from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from egov.core.errors import NotAllowedError
from egov.core.files import CheckedFile, check_upload

from .. import lifecycle, policies
from ..errors import DossierNotFoundError, DossierRuleError, StaleVersionError
from ..lifecycle import FINAL, Status
from ..models import Dossier, DossierDocument
from ..selectors import actions_available, dossier_locate, open_task_of
from .door import _perform_locked, _write_event

# The applicant adds papers while the desk has not taken the dossier, or when asked to.
_APPLICANT_STATUSES = frozenset({Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED})
_WORKER_STATUSES = frozenset({Status.PROCESSING, Status.AWAITING_OBLIGATION})


def document_attach(
    *,
    actor: User,
    key: str,
    stream: IO[bytes],
    name: str,
    size: int,
    component: str = "",
    digitised: bool = False,
    is_result: bool = False,
) -> DossierDocument:
    """Check the file, then record it. The file is written to storage inside the recording
    transaction; if that transaction fails, the file is removed again, so no orphan stays."""
    checked = check_upload(
        stream, name=name, size=size, max_bytes=settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024
    )
    stored: list[str] = []
    try:
        with transaction.atomic(durable=True):
            return _record_document(
                actor=actor,
                key=key,
                stream=stream,
                checked=checked,
                component=component,
                digitised=digitised,
                stored=stored,
                is_result=is_result,
            )
    except BaseException:
        _remove_stored(stored)
        raise


@dataclass
class ResultFile:
    """The signed result as an interface hands it over."""

    stream: IO[bytes]
    name: str
    size: int


def dossier_approve(
    *, actor: User, key: str, version: int, note: str = "", result: ResultFile | None = None
) -> Dossier:
    """Approve a dossier with its signed result: the file goes on the dossier and the
    approval follows it, whole or not at all (a refused approval leaves no result file, a bad
    file no approval)."""
    checked = (
        check_upload(
            result.stream,
            name=result.name,
            size=result.size,
            max_bytes=settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024,
        )
        if result is not None
        else None
    )
    stored: list[str] = []
    try:
        with transaction.atomic(durable=True):
            dossier = Dossier.objects.select_for_update().get(pk=dossier_locate(key=key).pk)
            if not policies.can_view(actor, dossier):
                raise DossierNotFoundError
            if dossier.version != version:
                raise StaleVersionError(dossier.version)
            if result is not None and checked is not None:
                _record_document(
                    actor=actor,
                    key=key,
                    stream=result.stream,
                    checked=checked,
                    component="",
                    digitised=False,
                    stored=stored,
                    is_result=True,
                )
                dossier.refresh_from_db()
            return _perform_locked(
                dossier, action=lifecycle.Action.APPROVE, actor=actor, note=note, params={}
            )
    except BaseException:
        _remove_stored(stored)
        raise


def _may_approve(actor: User, dossier: Dossier) -> bool:
    return any(
        rule.action == lifecycle.Action.APPROVE
        for rule in actions_available(actor=actor, dossier=dossier)
    )


def _remove_stored(paths: list[str]) -> None:
    """Files written by a transaction that then failed: nothing may point at them."""
    for path in paths:
        DossierDocument.file.field.storage.delete(path)


def _record_document(
    *,
    actor: User,
    key: str,
    stream: IO[bytes],
    checked: CheckedFile,
    component: str,
    digitised: bool,
    stored: list[str],
    is_result: bool = False,
) -> DossierDocument:
    """Record a checked file in the caller's transaction; `stored` collects what was written
    to storage, for the caller to remove if its transaction fails."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier_locate(key=key).pk)
    open_task = open_task_of(dossier)
    if not policies.can_view(actor, dossier):
        raise DossierNotFoundError
    status = Status(dossier.status)
    kinds = policies.acting_as(actor, dossier, open_task)
    at_desk = lifecycle.Actor.RECEPTION in kinds
    allowed = status not in FINAL and (
        at_desk
        or (lifecycle.Actor.APPLICANT in kinds and status in _APPLICANT_STATUSES)
        or (
            kinds & {lifecycle.Actor.SPECIALIST, lifecycle.Actor.LEADER, lifecycle.Actor.STEP}
            and status in _WORKER_STATUSES
        )
    )
    if not allowed:
        raise NotAllowedError("Bạn không thể thêm tệp vào hồ sơ này lúc này.")
    if is_result and not _may_approve(actor, dossier):
        raise NotAllowedError("Chỉ người phê duyệt kết quả được đính kèm kết quả giải quyết.")
    if digitised and not at_desk:
        # Digitised means scanned from paper at the desk; the national indicators count it.
        raise NotAllowedError("Chỉ cán bộ tiếp nhận đánh dấu giấy tờ số hóa tại quầy.")
    components = {doc["code"] for doc in dossier.procedure_revision.content["documents"]}
    if component and component not in components:
        raise DossierRuleError(
            f"Thủ tục không có thành phần hồ sơ mã {component}.", code="unknown_component"
        )
    now = timezone.now()
    document = DossierDocument(
        dossier=dossier,
        component=component,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        digitised=digitised,
        is_result=is_result,
        uploaded_by=actor,
        uploaded_at=now,
    )
    document.file.save(checked.name, File(stream), save=False)
    stored.append(document.file.name)
    document.save()
    dossier.digitised = dossier.digitised or digitised
    _write_event(
        dossier,
        step=open_task,
        actor=actor,
        action="attach_document",
        source=status,
        target=status,
        at=now,
        note="",
        payload={
            "document": str(document.uuid),
            "component": component,
            "sha256": checked.sha256,
            "digitised": digitised,
            "is_result": is_result,
        },
    )
    dossier.save(update_fields=["digitised", "event_seq", "event_head"])
    return document
