"""Issue 11, point 4: work that finds its officer. When a dossier is handed over, whoever
must act next is told at once (a notice on the desk with the header's count, and an e-mail
after commit where the officer has an address): the holder of the step it arrives at, or,
while the step waits unassigned, everyone holding its role at its agency; a supplement
handed in goes to the officer who asked for it. Registered with the engine in
`NotificationsConfig.ready()` after the applicant's notice (order 25)."""

from django.contrib.auth.models import User
from django.urls import reverse

from egov.dossiers import handlers
from egov.dossiers.lifecycle import EVENT_LABELS
from egov.dossiers.models import DossierEvent, ProcessTask, SupplementRequest
from egov.orgs.models import Membership

from .services import staff_notify

# The moves that put a dossier in someone else's hands.
HAND_OVERS = frozenset(
    {
        "transfer",
        "forward",
        "send_back",
        "approve",
        "complete_supplement",
        "confirm_obligation",
        "submit_supplement",
    }
)


def _next_officers(event: DossierEvent) -> list[User]:
    dossier = event.dossier
    if event.action == "submit_supplement":
        asked = (
            SupplementRequest.objects.filter(dossier=dossier, answered_at__isnull=False)
            .select_related("requested_by")
            .order_by("-requested_at", "-pk")
            .first()
        )
        return [asked.requested_by] if asked and asked.requested_by else []
    task = (
        ProcessTask.objects.filter(dossier=dossier, finished_at__isnull=True)
        .select_related("assignee")
        .first()
    )
    if task is None:
        return []
    if task.assignee is not None:
        return [task.assignee]
    holders = Membership.objects.filter(
        agency_id=task.agency_id, role=task.role, active=True
    ).select_related("user")
    return [membership.user for membership in holders if membership.user.is_active]


def notify_next_officer(event: DossierEvent) -> None:
    if event.action not in HAND_OVERS:
        return
    officers = [user for user in _next_officers(event) if user.pk != event.actor_id]
    if not officers:
        return
    dossier = event.dossier
    key = dossier.code or str(dossier.reference)
    staff_notify(
        recipients=officers,
        title=f"Hồ sơ {key} chờ bạn xử lý",
        body=(
            f"{EVENT_LABELS.get(event.action, event.action)}: hồ sơ {key} "
            f"({dossier.procedure.name}) đang chờ bạn"
            + (f". Ghi chú: {event.note}" if event.note else ".")
        ),
        link=reverse("desk:dossier", args=[key]),
    )


def register_handlers() -> None:
    handlers.register(notify_next_officer, order=25)
