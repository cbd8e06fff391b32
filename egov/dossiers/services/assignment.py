"""Who works the dossier's current step: a leader hands it to a person (reassigns)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from egov.core.errors import NotAllowedError
from egov.orgs.models import Role
from egov.orgs.selectors import memberships_of

from .. import policies
from ..errors import DossierNotFoundError, DossierRuleError, StaleVersionError
from ..models import Dossier, ProcessTask
from ..selectors import dossier_locate, open_task_of
from .door import _write_event


@transaction.atomic(durable=True)
def task_assign(*, actor: User, key: str, version: int, assignee_username: str) -> ProcessTask:
    """The leader of the agency where the dossier's step is (or of the competent agency)
    gives that step to one of the step agency's officers holding the step's role. Recorded
    as an event; the dossier's version moves on, since who holds it is part of what others
    read before acting."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier_locate(key=key).pk)
    task = open_task_of(dossier)
    if not policies.can_view(actor, dossier):
        raise DossierNotFoundError
    if dossier.version != version:
        raise StaleVersionError(dossier.version)
    if task is None:
        raise DossierRuleError("Hồ sơ không có bước đang xử lý để giao.", code="no_open_step")
    if not policies.can_assign(actor, dossier, task):
        raise NotAllowedError("Chỉ lãnh đạo được giao việc cho cán bộ.")
    assignee = get_user_model().objects.filter(username=assignee_username).first()
    holds_role = assignee is not None and any(
        m.agency_id == task.agency_id and m.role == task.role for m in memberships_of(user=assignee)
    )
    if assignee is None or not holds_role:
        raise DossierRuleError(
            f"Không có {Role(task.role).label.lower()} tên {assignee_username!r} "
            f"tại {task.agency.name}.",
            code="bad_assignee",
        )
    task.assignee = assignee
    task.save(update_fields=["assignee"])
    dossier.version += 1
    _write_event(
        dossier,
        step=task,
        actor=actor,
        action="assign",
        source=dossier.status,
        target=dossier.status,
        at=timezone.now(),
        note="",
        payload={"position": task.position, "assignee": assignee.get_username()},
    )
    dossier.save(update_fields=["version", "event_seq", "event_head"])
    return task
