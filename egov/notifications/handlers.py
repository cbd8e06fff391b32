"""What the notifications app does when a dossier changes, registered with the engine in
`NotificationsConfig.ready()` (`egov.dossiers.handlers`): the applicant is told of the steps
that concern them. The notice leaves through the outbox (system "notify"), written in the
event's transaction; `delivery.applicant_notice_send` sends it."""

from egov.dossiers import handlers
from egov.dossiers.lifecycle import RESULT_READY_NOTICE, Status
from egov.dossiers.models import DossierEvent
from egov.interop.services.outbox import outbox_put

# Events the applicant is told about (receipt slip, supplement, result, refusal, delay...).
APPLICANT_NOTICES = frozenset(
    {
        "receive",
        "refuse",
        "request_supplement",
        "request_obligation",
        "approve",
        "stop",
        "apologize",
        "confirm_obligation",
    }
)
SYSTEM = "notify"
TOPIC = "notify.applicant"


def notify_applicant(event: DossierEvent) -> None:
    # The result is ready whichever action made it so (the leader's approval, or the last
    # inter-agency step after the signing); an approval with steps still to run is not news.
    ready = event.to_status == Status.RESULT_READY
    if not ready and (event.action not in APPLICANT_NOTICES or event.action == "approve"):
        return
    dossier = event.dossier
    if not (dossier.applicant_phone or dossier.applicant_email or dossier.owner_id):
        return
    outbox_put(
        system=SYSTEM,
        topic=TOPIC,
        ordering_key=f"notify:{dossier.pk}",
        idempotency_key=f"notify:{dossier.pk}:{event.seq}",
        payload={
            "dossier": dossier.pk,
            "event": event.seq,
            "action": RESULT_READY_NOTICE if ready else event.action,
        },
    )


def register_handlers() -> None:
    """After the national portal's sync (10), before the ministries' messages (30, 40)."""
    handlers.register(notify_applicant, order=20)
