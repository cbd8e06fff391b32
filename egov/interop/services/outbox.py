"""The outbox's writes: queue a message with the change that caused it, claim due messages
for a worker, settle each attempt, replay a dead letter, clear the payloads delivered long
enough ago (personal data kept only as long as needed).

Delivery is at least once: a worker holds a claimed message under a lease; if it dies before
settling, the lease runs out and another worker sends the message again, with the same
idempotency key, so the partner applies it once. Several workers never hold the same message
at once: a claim is one statement that picks the due rows, locks them (`SKIP LOCKED` on
PostgreSQL; on SQLite the IMMEDIATE transaction serialises claims) and leases them
(`UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) RETURNING …`).
"""

import datetime
import hashlib
import json
import logging
import math
import random
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from egov.core.errors import DomainError, NotAllowedError
from egov.orgs import policies as org_policies

from ..models import OutboxMessage, OutboxStatus
from . import breaker

logger = logging.getLogger(__name__)


# Messages that no longer hold back the later ones of their ordering key.
CLOSED = (OutboxStatus.DELIVERED, OutboxStatus.DISCARDED)


class OutboxReplayError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="outbox_replay")


# Rows cleared per statement: bounded work and locks, whatever the size of the outbox.
CLEAR_BATCH = 1000


def payload_digest(payload: dict[str, Any]) -> str:
    """SHA-256 of a payload as canonical JSON (sorted keys, no spaces, UTF-8): the same
    payload has the same digest on every database, whatever order its keys come back in."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Outgoing:
    """A message to queue (`outbox_put_once`)."""

    system: str
    topic: str
    ordering_key: str
    idempotency_key: str
    payload: dict[str, Any]


def _row(outgoing: Outgoing, now: datetime.datetime) -> OutboxMessage:
    return OutboxMessage(
        system=outgoing.system,
        topic=outgoing.topic,
        ordering_key=outgoing.ordering_key,
        idempotency_key=outgoing.idempotency_key,
        payload=outgoing.payload,
        payload_sha256=payload_digest(outgoing.payload),
        next_attempt_at=now,
        retry_from=now,
    )


def _in_transaction(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{name} must run inside the transaction of the change")


def outbox_put(
    *,
    system: str,
    topic: str,
    ordering_key: str,
    idempotency_key: str,
    payload: dict[str, Any],
) -> OutboxMessage:
    """Queue a message inside the caller's transaction: it leaves only if the change commits.

    The key names the change that caused it (a dossier's event, say), so a second message with
    the same key is a bug and fails loudly with the caller's transaction.
    """
    _in_transaction("outbox_put")
    message = _row(Outgoing(system, topic, ordering_key, idempotency_key, payload), timezone.now())
    message.save(force_insert=True)
    _kick_after_commit()
    return message


def outbox_put_once(messages: Sequence[Outgoing]) -> int:
    """Queue messages that go together (one notice's channels) inside the caller's
    transaction, once: if any of their keys was queued before, none is written. Returns how
    many were written (0 or all of them).

    One statement, `INSERT … ON CONFLICT DO NOTHING RETURNING id` (a key queued meanwhile by
    another transaction is waited for, then skipped, never an error). Only when some keys were
    new and others not (the person's channels changed since) are the new rows taken back, with
    a second statement."""
    _in_transaction("outbox_put_once")
    if not messages:
        return 0
    now = timezone.now()
    rows = [_row(message, now) for message in messages]
    written = _insert_new(rows)
    if written and len(written) < len(rows):
        OutboxMessage.objects.filter(pk__in=written).delete()
        return 0
    if written:
        _kick_after_commit()
    return len(written)


def _insert_new(rows: list[OutboxMessage]) -> list[int]:
    """Insert the rows whose keys are not taken, in one statement; the ids of those written."""
    fields = [field for field in OutboxMessage._meta.concrete_fields if not field.primary_key]
    query = InsertQuery(OutboxMessage, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, list[Model](rows))
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [OutboxMessage._meta.pk]
    ((sql, params),) = compiler.as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(row[0]) for row in cursor.fetchall()]


def _kick_after_commit() -> None:
    """Wake the worker once the transaction commits: once per transaction, however many
    messages it queued."""
    if not settings.MOTCUA_OUTBOX_KICK:
        return
    pending = transaction.get_connection().run_on_commit
    if not any(callback is _kick for _, callback, *_ in pending):
        transaction.on_commit(_kick)


# When this process last woke the worker (time.monotonic()); threads may race on it, which
# costs at most one more wake-up.
_kicked_at = -math.inf


def _kick() -> None:
    """Wake the worker, unless this process did less than `MOTCUA_OUTBOX_KICK_SECONDS` ago:
    the round woken then is queued or running, and a round that had work queues the next at
    once, so it takes this row too."""
    global _kicked_at
    # Imported here: tasks import the services, not the other way round at module level.
    from ..tasks import outbox_kick

    now = time.monotonic()
    if now - _kicked_at < settings.MOTCUA_OUTBOX_KICK_SECONDS:
        return
    try:
        outbox_kick()
        _kicked_at = now
    except Exception:
        # The message is safe in the outbox; the next kick or the worker's own round sends it.
        logger.exception("could not wake the outbox worker")


def _lease_end(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.MOTCUA_OUTBOX_LEASE_SECONDS)


def _due(*, now: datetime.datetime, systems: Collection[str]) -> QuerySet[OutboxMessage]:
    """Messages that may go now, each the oldest open one of its ordering key, in the order
    they are due (the partial index `outbox_due`)."""
    # One condition per closed status, so that SQLite sees the partial index's own
    # condition (`NOT status = 'delivered'`) and walks it instead of every earlier row.
    earlier_open = OutboxMessage.objects.filter(
        ordering_key=OuterRef("ordering_key"), id__lt=OuterRef("id")
    )
    for closed in CLOSED:
        earlier_open = earlier_open.exclude(status=closed)
    return (
        OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=now, system__in=sorted(systems)
        )
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
        .filter(~Exists(earlier_open))
        .order_by("next_attempt_at", "id")
    )


def _lease(
    picked: QuerySet[OutboxMessage, Any],
    *,
    worker: str,
    lease_until: datetime.datetime,
) -> list[OutboxMessage]:
    """Lease the rows whose ids `picked` selects, counting the attempt: one
    `UPDATE … WHERE id IN (picked) RETURNING …`, so picking, locking and leasing are one
    statement."""
    inner, inner_params = picked.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(OutboxMessage._meta.db_table)
    columns = ", ".join(quote(field.column) for field in OutboxMessage._meta.concrete_fields)
    sql = (
        f"UPDATE {table} SET leased_until = %s, lease_owner = %s, attempts = attempts + 1 "  # noqa: S608 - names are ours, values are parameters
        f"WHERE id IN ({inner}) RETURNING {columns}"
    )
    params = (connection.ops.adapt_datetimefield_value(lease_until), worker, *inner_params)
    leased = list(OutboxMessage.objects.raw(sql, params))
    leased.sort(key=lambda message: (message.next_attempt_at, message.pk))
    return leased


def claim_due(*, worker: str, now: datetime.datetime, limit: int) -> list[OutboxMessage]:
    """Lease up to `limit` messages that are due, each the oldest open one of its ordering key,
    for systems that may be called now (at most one per system whose breaker is probing).

    Two statements: the breakers' state, and the claim itself (`_lease`). A system whose
    breaker is probing costs three more: its first due message is picked, the probe taken,
    and the message leased."""
    with transaction.atomic():
        gate = breaker.gate(now=now)
        lease_until = _lease_end(now)
        claimed: list[OutboxMessage] = []
        for system in sorted(gate.probing):
            if len(claimed) >= limit:
                break
            first = list(
                _due(now=now, systems=[system])
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:1]
            )
            if first and breaker.probe_take(system=system, now=now, lease_until=lease_until):
                picked = OutboxMessage.objects.filter(pk__in=first).values("pk")
                claimed += _lease(picked, worker=worker, lease_until=lease_until)
        if gate.open and len(claimed) < limit:
            due = _due(now=now, systems=gate.open).select_for_update(skip_locked=True)
            picked = due.values("pk")[: limit - len(claimed)]
            claimed += _lease(picked, worker=worker, lease_until=lease_until)
    return claimed


def lease_release(*, worker: str, ids: list[int]) -> None:
    """Give back messages claimed but not tried (too little of the lease was left to try them
    safely): the claim's count of the attempt is taken back too."""
    OutboxMessage.objects.filter(
        id__in=ids, lease_owner=worker, status=OutboxStatus.PENDING
    ).update(leased_until=None, lease_owner="", attempts=F("attempts") - 1)


def try_margin() -> datetime.timedelta:
    """The longest one try may take: a token and the request, and on a 401 a fresh token and
    the request again, each up to the time-out, and a little slack. A try is started only with
    more lease than that left, so it never runs beside another worker's."""
    return datetime.timedelta(seconds=4 * settings.MOTCUA_LGSP_TIMEOUT_SECONDS + 5)


def backoff(attempts: int) -> datetime.timedelta:
    ceiling = min(
        settings.MOTCUA_OUTBOX_RETRY_CAP_SECONDS,
        settings.MOTCUA_OUTBOX_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1),
    )
    # Jitter: messages that failed together do not all come back at the same second.
    return datetime.timedelta(seconds=ceiling * random.uniform(0.5, 1.0))  # noqa: S311


@transaction.atomic(durable=True)
def dead_letter_replay(*, actor: User, message_id: int) -> OutboxMessage:
    """A province administrator sends a dead letter again, with a new retry budget."""
    if not org_policies.is_province_admin(actor):
        raise NotAllowedError("Chỉ quản trị tỉnh được gửi lại thông điệp lỗi.")
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    if message.payload_cleared_at is not None:
        raise OutboxReplayError(cleared_note(message) + " Không gửi lại được thông điệp này.")
    if message.status != OutboxStatus.DEAD:
        raise OutboxReplayError("Thông điệp này không nằm trong danh sách gửi lỗi.")
    now = timezone.now()
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = message.retry_from = now
    message.attempts = 0
    message.dead_at = None
    message.replays += 1
    message.save(
        update_fields=["status", "next_attempt_at", "retry_from", "attempts", "dead_at", "replays"]
    )
    _kick_after_commit()
    return message


@transaction.atomic(durable=True)
def dead_letter_discard(*, actor: User, message_id: int, reason: str) -> OutboxMessage:
    """A province administrator gives up on a dead letter the partner refuses for good (a
    replay would send the same refused payload): the later messages of its dossier go on.
    Who, when and why stay on the message."""
    if not org_policies.is_province_admin(actor):
        raise NotAllowedError("Chỉ quản trị tỉnh được hủy thông điệp lỗi.")
    reason = reason.strip()
    if not reason:
        raise OutboxReplayError("Cần ghi lý do hủy thông điệp.")
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    if message.status != OutboxStatus.DEAD:
        raise OutboxReplayError("Thông điệp này không nằm trong danh sách gửi lỗi.")
    moment = timezone.localtime()
    message.status = OutboxStatus.DISCARDED
    message.last_error = (
        f"Hủy bởi {actor.get_username()} lúc {moment:%H:%M %d/%m/%Y}: {reason[:500]}\n"
        f"{message.last_error}"
    )[:4000]
    message.save(update_fields=["status", "last_error"])
    _kick_after_commit()
    return message


def cleared_note(message: OutboxMessage) -> str:
    """What a person is told of a payload that was cleared."""
    return (
        f"Nội dung đã xóa sau {message.payload_kept_days} ngày kể từ khi gửi được, theo thời "
        "hạn lưu dữ liệu cá nhân; chỉ còn mã băm SHA-256 của nội dung."
    )


def outbox_clear_delivered_payloads(
    *, older_than_days: int, now: datetime.datetime | None = None, batch: int = CLEAR_BATCH
) -> int:
    """Clear the payloads (personal data: names, ID numbers, addresses, the texts sent) of the
    messages delivered more than `older_than_days` days ago; returns how many were cleared.

    Only delivered messages: pending, dead and discarded ones keep theirs (a person may still
    replay a dead letter). A cleared payload becomes `{}` with `payload_cleared_at` set; its
    digest stays (taken now for rows queued before digests were kept), and so does the
    message log, which holds the digest of each request sent, never the cleared row.

    `batch` rows per transaction, found through the index of rows still to clear, so a run
    over millions of rows takes short locks and never reads what it cleared before. Run it
    outside any transaction (the daily job, the command)."""
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    moment = now or timezone.now()
    cutoff = moment - datetime.timedelta(days=older_than_days)
    due = OutboxMessage.objects.filter(
        status=OutboxStatus.DELIVERED, payload_cleared_at__isnull=True, delivered_at__lt=cutoff
    )
    cleared = 0
    while True:
        with transaction.atomic():
            ids = list(due.order_by("delivered_at", "id").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            undigested = list(
                OutboxMessage.objects.filter(pk__in=ids, payload_sha256="").only("pk", "payload")
            )
            for message in undigested:
                message.payload_sha256 = payload_digest(message.payload)
            # Only rows queued before digests were kept; a CASE of 100 rows per statement
            # goes faster on PostgreSQL than one of 1,000.
            OutboxMessage.objects.bulk_update(undigested, ["payload_sha256"], batch_size=100)
            # The same conditions again: a row that changed meanwhile is left as it is.
            cleared += due.filter(pk__in=ids).update(payload={}, payload_cleared_at=moment)
    if cleared:
        logger.info("cleared the payloads of %d delivered outbox messages", cleared)
    return cleared
