"""The National Public Service Portal's sync, seen from our side: one outbox message per
dossier event, and per dossier the last event queued and the last one the portal took."""

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest

from egov.dossiers.lifecycle import Status
from egov.dossiers.models import Dossier, DossierEvent

from ..adapters import dvcqg
from ..adapters.http import Attempt
from ..models import OutboxMessage, PortalSync, PortalSyncState
from .outbox import outbox_put

# A dossier that never got its code is known to the portal by its reference, once it ends.
_ENDED_WITHOUT_CODE = frozenset({Status.REFUSED, Status.WITHDRAWN})


def portal_sync_queue(*, event: DossierEvent) -> OutboxMessage | None:
    """Queue the event's sync message, inside the event's transaction (the dossier's row is
    locked by it, so the per-dossier sync row has one writer here).

    The portal knows a dossier by its code: the steps before the code (an online
    submission, a supplement asked at intake) wait and go with the first message that
    carries it; a dossier refused or withdrawn before receipt goes under its reference."""
    dossier = event.dossier
    if not dossier.code and dossier.status not in _ENDED_WITHOUT_CODE:
        return None
    sync = PortalSync.objects.filter(dossier=dossier).first()
    message = outbox_put(
        system=dvcqg.SYSTEM,
        topic=dvcqg.SERVICE,
        ordering_key=f"dossier:{dossier.pk}",
        idempotency_key=f"dvcqg:{dossier.pk}:{event.seq}",
        payload=dvcqg.event_payload(event, since_seq=sync.queued_seq if sync else 0),
    )
    if sync is None:
        PortalSync.objects.create(dossier=dossier, queued_seq=event.seq)
    else:
        sync.queued_seq, sync.state = event.seq, PortalSyncState.PENDING
        sync.save(update_fields=["queued_seq", "state"])
    return message


def portal_resync(*, limit: int | None = None) -> int:
    """Queue, for every dossier the portal should know but has no sync record of (dossiers
    from before the bus), one message with its whole history as steps. Each dossier in its
    own transaction, its row locked as an event would lock it. Returns how many were queued."""
    missing = (
        Dossier.objects.filter(portal_sync__isnull=True)
        .filter(Q(code__isnull=False) | Q(status__in=_ENDED_WITHOUT_CODE))
        .exclude(event_seq=0)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    queued = 0
    for dossier_id in list(missing[:limit] if limit else missing):
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
            if PortalSync.objects.filter(dossier=dossier).exists():
                continue  # an event synced it meanwhile
            event = dossier.events.get(seq=dossier.event_seq)
            event.dossier = dossier
            if portal_sync_queue(event=event) is not None:
                queued += 1
    return queued


def _dossier_and_seq(message: OutboxMessage) -> tuple[int, int]:
    _, dossier_id, seq = message.idempotency_key.split(":")
    return int(dossier_id), int(seq)


def portal_synced(message: OutboxMessage, attempt: Attempt, now: datetime.datetime) -> None:
    dossier_id, seq = _dossier_and_seq(message)
    PortalSync.objects.filter(dossier_id=dossier_id).update(
        synced_seq=Greatest(F("synced_seq"), seq), synced_at=now, last_error=""
    )
    # Synced when the portal has taken the last event queued.
    PortalSync.objects.filter(dossier_id=dossier_id, synced_seq__gte=F("queued_seq")).update(
        state=PortalSyncState.SYNCED
    )


def portal_sync_failed(message: OutboxMessage, attempt: Attempt, now: datetime.datetime) -> None:
    dossier_id, _ = _dossier_and_seq(message)
    PortalSync.objects.filter(dossier_id=dossier_id).update(
        state=PortalSyncState.FAILED, last_error=message.last_error[:2000]
    )
