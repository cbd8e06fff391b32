"""Files of a dossier: checked, stored under a random name, recorded in the event log."""

from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from egov.core.errors import NotAllowedError
from egov.core.files import check_upload

from .. import lifecycle, policies
from ..errors import DossierNotFoundError, DossierRuleError
from ..lifecycle import FINAL, Status
from ..models import Dossier, DossierDocument
from ..selectors import dossier_locate, open_task_of
from .door import write_event

# The applicant adds papers while the desk has not taken the dossier, or when asked to.
_APPLICANT_STATUSES = frozenset({Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED})
_WORKER_STATUSES = frozenset({Status.PROCESSING, Status.AWAITING_OBLIGATION})


@transaction.atomic(durable=True)
def document_attach(
    *,
    actor: User,
    key: str,
    stream: IO[bytes],
    name: str,
    size: int,
    component: str = "",
    digitised: bool = False,
) -> DossierDocument:
    checked = check_upload(
        stream, name=name, size=size, max_bytes=settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024
    )
    dossier = Dossier.objects.select_for_update().get(pk=dossier_locate(key=key).pk)
    open_task = open_task_of(dossier)
    if not policies.can_view(actor, dossier, open_task):
        raise DossierNotFoundError
    status = Status(dossier.status)
    kinds = policies.acting_as(actor, dossier, open_task)
    allowed = status not in FINAL and (
        lifecycle.Actor.RECEPTION in kinds
        or (lifecycle.Actor.APPLICANT in kinds and status in _APPLICANT_STATUSES)
        or (
            kinds & {lifecycle.Actor.SPECIALIST, lifecycle.Actor.LEADER}
            and status in _WORKER_STATUSES
        )
    )
    if not allowed:
        raise NotAllowedError("Bạn không thể thêm tệp vào hồ sơ này lúc này.")
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
        uploaded_by=actor,
        uploaded_at=now,
    )
    document.file.save(checked.name, File(stream), save=False)
    document.save()
    if digitised and not dossier.digitised:
        dossier.digitised = True
        dossier.save(update_fields=["digitised"])
    write_event(
        dossier,
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
        },
    )
    return document
