"""The National Public Service Portal's sync, seen from our side: one outbox message per
dossier event, and per dossier the last event queued and the last one the portal took."""

import datetime

from django.db import connection, transaction
from django.db.models import Q

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
    carries it; a dossier refused or withdrawn before receipt goes under its reference.

    Two statements on PostgreSQL: the sync row's mark, which gives the one before it
    (`_sync_mark`), and the message."""
    dossier = event.dossier
    if not dossier.code and dossier.status not in _ENDED_WITHOUT_CODE:
        return None
    since_seq = _sync_mark(dossier_id=dossier.pk, seq=event.seq)
    return outbox_put(
        system=dvcqg.SYSTEM,
        topic=dvcqg.SERVICE,
        ordering_key=f"dossier:{dossier.pk}",
        idempotency_key=f"dvcqg:{dossier.pk}:{event.seq}",
        payload=dvcqg.event_payload(event, since_seq=since_seq),
    )


def _sync_mark(*, dossier_id: int, seq: int) -> int:
    """Mark `seq` as the dossier's last event queued for the portal (its sync pending again)
    and return the one marked before it, 0 for none.

    PostgreSQL reads the old mark and writes the new one in one statement: the parts of a
    statement all see the database as it was when it began, so `prev` is the mark before
    the upsert. SQLite (one writer, in-process) reads, then writes."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(PortalSync._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH prev AS (SELECT queued_seq FROM {table} WHERE dossier_id = %s), "  # noqa: S608 - names are ours
                f"mark AS (INSERT INTO {table} "
                "(dossier_id, queued_seq, synced_seq, state, last_error) "
                "VALUES (%s, %s, 0, %s, '') ON CONFLICT (dossier_id) DO UPDATE "
                "SET queued_seq = EXCLUDED.queued_seq, state = EXCLUDED.state) "
                "SELECT queued_seq FROM prev",
                [dossier_id, dossier_id, seq, PortalSyncState.PENDING.value],
            )
            row = cursor.fetchone()
        return int(row[0]) if row else 0
    marked = PortalSync.objects.filter(dossier_id=dossier_id)
    previous = marked.values_list("queued_seq", flat=True).first()
    if previous is None:
        PortalSync.objects.create(dossier_id=dossier_id, queued_seq=seq)
        return 0
    marked.update(queued_seq=seq, state=PortalSyncState.PENDING)
    return previous


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


def portal_synced_together(
    delivered: list[tuple[OutboxMessage, Attempt]], now: datetime.datetime
) -> None:
    """The portal took these messages: each dossier's sync row moves to the latest event it
    took, and is synced when that is the last one queued. One UPDATE for them all on
    PostgreSQL (joined to the list of marks); on SQLite one prepared UPDATE run for each."""
    took: dict[int, int] = {}
    for message, _ in delivered:
        dossier_id, seq = _dossier_and_seq(message)
        took[dossier_id] = max(seq, took.get(dossier_id, 0))
    if not took:
        return
    table = connection.ops.quote_name(PortalSync._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    synced = PortalSyncState.SYNCED.value
    # Every right-hand side reads the row as it was, so the state's test repeats the new mark.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            marks = ", ".join(["(%s, %s)"] * len(took))
            cursor.execute(
                f"UPDATE {table} SET synced_seq = GREATEST({table}.synced_seq, took.column2), "  # noqa: S608 - names are ours
                f"synced_at = %s, last_error = '', state = CASE WHEN GREATEST("
                f"{table}.synced_seq, took.column2) >= {table}.queued_seq THEN %s ELSE "
                f"{table}.state END FROM (VALUES {marks}) AS took "
                f"WHERE {table}.dossier_id = took.column1",
                [at, synced, *(value for mark in took.items() for value in mark)],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET synced_seq = MAX(synced_seq, %s), synced_at = %s, "  # noqa: S608 - names are ours
                "last_error = '', state = CASE WHEN MAX(synced_seq, %s) >= queued_seq "
                "THEN %s ELSE state END WHERE dossier_id = %s",
                [[seq, at, seq, synced, dossier_id] for dossier_id, seq in took.items()],
            )


def portal_sync_failed(message: OutboxMessage, attempt: Attempt, now: datetime.datetime) -> None:
    dossier_id, _ = _dossier_and_seq(message)
    PortalSync.objects.filter(dossier_id=dossier_id).update(
        state=PortalSyncState.FAILED, last_error=message.last_error[:2000]
    )
