"""What follows a dossier event, inside the same transaction (DESIGN "How data flows").

Handlers are plain functions registered here, in order; each gets the event and writes
outbox rows for what must leave the process. Explicit wiring, no signals.
"""

from collections.abc import Callable

from egov.interop.services.civil_status import civil_status_queue, is_civil_status
from egov.interop.services.outbox import outbox_put
from egov.interop.services.portal import portal_sync_queue
from egov.interop.services.tax import tax_transfer_queue

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


def register_civil_status(event: DossierEvent) -> None:
    """A birth, death or marriage transferred to processing is registered with the Ministry
    of Justice's civil status system, once (the officer then writes the register book)."""
    if event.action == "transfer" and is_civil_status(event.dossier):
        civil_status_queue(dossier=event.dossier)


def transfer_to_tax(event: DossierEvent) -> None:
    """The land office asks for an obligation: the tax authority gets the dossier to set it;
    the payment it reports (inbound call or poll) moves the dossier on."""
    tax = event.payload.get("tax")
    if event.action == "request_obligation" and tax:
        tax_transfer_queue(
            dossier=event.dossier, kind=tax["kind"], taxable_value=tax.get("taxable_value")
        )


HANDLERS: tuple[Handler, ...] = (
    sync_national_portal,
    notify_applicant,
    register_civil_status,
    transfer_to_tax,
)


def dispatch(event: DossierEvent) -> None:
    for handler in HANDLERS:
        handler(event)
