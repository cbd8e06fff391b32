"""What follows a dossier event, inside the same transaction (DESIGN "How data flows").

Handlers are plain functions registered here, in order; each gets the event and writes
outbox rows for what must leave the process. Explicit wiring, no signals.
"""

from collections.abc import Callable

from egov.interop.services.outbox import outbox_put
from egov.interop.services.portal import portal_sync_queue

from .models import DossierEvent

Handler = Callable[[DossierEvent], None]

# Events the applicant is told about (receipt slip, supplement, result, refusal, delay...).
_APPLICANT_NOTICES = frozenset(
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


def sync_national_portal(event: DossierEvent) -> None:
    """The National Public Service Portal hears of every dossier and every step (DOMAIN §8)."""
    portal_sync_queue(event=event)


def notify_applicant(event: DossierEvent) -> None:
    if event.action not in _APPLICANT_NOTICES:
        return
    dossier = event.dossier
    if not (dossier.applicant_phone or dossier.applicant_email or dossier.owner_id):
        return
    outbox_put(
        system="notify",
        topic="notify.applicant",
        ordering_key=f"notify:{dossier.pk}",
        idempotency_key=f"notify:{dossier.pk}:{event.seq}",
        payload={"dossier": dossier.pk, "event": event.seq, "action": event.action},
    )


HANDLERS: tuple[Handler, ...] = (sync_national_portal, notify_applicant)


def dispatch(event: DossierEvent) -> None:
    for handler in HANDLERS:
        handler(event)
