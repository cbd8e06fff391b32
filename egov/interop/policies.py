"""Who may look at and act on the interconnection axis (Decree 47/2020 art. 45: the message
log is open to the province's operators and inspectors, and to nobody else).

Province administrators operate the bus: they read everything, replay dead letters and read
the encrypted bodies of the message log. Auditors read what the operators read, except the
encrypted bodies, and change nothing. Everyone else has no business here.
"""

from egov.orgs.policies import Actor, can_read_everything, is_province_admin

from .models import BodyStorage


def can_view_bus(actor: Actor) -> bool:
    """The operator page, the dead letters (payloads included) and the message log."""
    return can_read_everything(actor)


def can_operate(actor: Actor) -> bool:
    """Replay dead letters, edit the registry and the connection accounts."""
    return is_province_admin(actor)


def can_read_payloads(actor: Actor) -> bool:
    """An outbox message's payload may carry personal data (names, ID numbers, phones): the
    operators open it to mend a dead letter; an auditor sees what was sent where and when."""
    return is_province_admin(actor)


def can_read_encrypted_bodies(actor: Actor) -> bool:
    """Bodies with personal data kept encrypted in the message log are opened for the
    operators only; an auditor sees that they exist, and their digests."""
    return is_province_admin(actor)


def readable_body_storages(actor: Actor) -> frozenset[str]:
    """Which kept bodies of the message log the actor may open: those kept as they are (no
    personal data) for whoever sees the bus, the encrypted ones for the operators too; a body
    kept as a digest only has nothing to open. One question, asked once per page."""
    if not can_view_bus(actor):
        return frozenset()
    if can_read_encrypted_bodies(actor):
        return frozenset({BodyStorage.PLAIN, BodyStorage.ENCRYPTED})
    return frozenset({BodyStorage.PLAIN})
