"""What the interconnection bus does when a dossier changes, registered with the engine in
`InteropConfig.ready()` (`egov.dossiers.handlers`). Each handler runs inside the event's
transaction and writes outbox rows; the delivery worker sends them later."""

from egov.dossiers import handlers
from egov.dossiers.models import DossierEvent

from .services.civil_status import civil_status_queue, is_civil_status
from .services.portal import portal_sync_queue
from .services.tax import tax_transfer_queue


def sync_national_portal(event: DossierEvent) -> None:
    """The National Public Service Portal hears of every dossier and every step (DOMAIN §8)."""
    portal_sync_queue(event=event)


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


def register_handlers() -> None:
    """The portal first (every event), then the ministries. The applicant's notice (order 20)
    is the notifications app's."""
    handlers.register(sync_national_portal, order=10)
    handlers.register(register_civil_status, order=30)
    handlers.register(transfer_to_tax, order=40)
