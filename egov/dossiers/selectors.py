"""Reads of dossiers."""

import uuid
from collections.abc import Iterator

from egov.core.hashchain import verify
from egov.orgs.policies import Actor

from . import policies
from .errors import DossierNotFoundError
from .models import Dossier, DossierEvent, ProcessTask


def dossier_locate(*, key: str) -> Dossier:
    """The dossier by its code, or by its provisional reference before it has one.

    No visibility check: for services, which check the policy themselves.
    """
    try:
        return Dossier.objects.get(code=key)
    except Dossier.DoesNotExist:
        pass
    try:
        reference = uuid.UUID(key)
    except ValueError:
        raise DossierNotFoundError from None
    try:
        return Dossier.objects.get(reference=reference)
    except Dossier.DoesNotExist:
        raise DossierNotFoundError from None


def open_task_of(dossier: Dossier) -> ProcessTask | None:
    return dossier.tasks.filter(finished_at__isnull=True).select_related("agency").first()


def dossier_get(*, actor: Actor, key: str) -> Dossier:
    """The dossier if this person may see it; DossierNotFoundError otherwise, so nobody
    learns whether a code exists."""
    dossier = dossier_locate(key=key)
    if not policies.can_view(actor, dossier, open_task_of(dossier)):
        raise DossierNotFoundError
    return dossier


def event_chain_breaks(*, batch: int = 500) -> Iterator[tuple[str, int | None, str]]:
    """For every dossier: (its code or reference, the first broken event's index or None,
    why). Reads the events in dossier order, a batch of dossiers at a time."""
    dossiers = Dossier.objects.order_by("pk").only("pk", "code", "reference")
    for dossier in dossiers.iterator(chunk_size=batch):
        events = DossierEvent.objects.filter(dossier=dossier).order_by("seq")
        found = verify((e.prev_hash, e.hash, e.chained_content()) for e in events.iterator())
        label = dossier.code or str(dossier.reference)
        yield (label, found.position, found.reason) if found else (label, None, "")
