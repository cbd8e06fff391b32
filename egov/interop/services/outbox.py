"""The outbox's writes: queue a message with the change that caused it, claim due messages
for a worker, settle each attempt, replay a dead letter, clear the payloads delivered long
enough ago (personal data kept only as long as needed).

Delivery is at least once: a worker holds a claimed message under a lease; if it dies before
settling, the lease runs out and another worker sends the message again, with the same
idempotency key, so the partner applies it once. Several workers never hold the same message
at once: claiming locks the rows (`SKIP LOCKED` on PostgreSQL; on SQLite the IMMEDIATE
transaction serialises claims) and leases them in the same transaction.
"""

import datetime
import hashlib
import json
import logging
import random
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
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
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_put must run inside the transaction of the change")
    now = timezone.now()
    message = OutboxMessage.objects.create(
        system=system,
        topic=topic,
        ordering_key=ordering_key,
        idempotency_key=idempotency_key,
        payload=payload,
        payload_sha256=payload_digest(payload),
        next_attempt_at=now,
        retry_from=now,
    )
    if settings.MOTCUA_OUTBOX_KICK:
        transaction.on_commit(_kick)
    return message


def _kick() -> None:
    # Imported here: tasks import the services, not the other way round at module level.
    from ..tasks import outbox_kick

    try:
        outbox_kick()
    except Exception:
        # The message is safe in the outbox; the next kick or the worker's own round sends it.
        logger.exception("could not wake the outbox worker")


def _lease_end(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.MOTCUA_OUTBOX_LEASE_SECONDS)


def claim_due(*, worker: str, now: datetime.datetime, limit: int) -> list[OutboxMessage]:
    """Lease up to `limit` messages that are due, each the oldest open one of its ordering key,
    for systems that may be called now (at most one per system whose breaker is probing)."""
    with transaction.atomic():
        gate = breaker.gate(now=now)
        callable_systems = gate.open | gate.probing
        if not callable_systems:
            return []
        earlier_open = OutboxMessage.objects.filter(
            ordering_key=OuterRef("ordering_key"), id__lt=OuterRef("id")
        ).exclude(status__in=CLOSED)
        candidates = list(
            OutboxMessage.objects.filter(
                status=OutboxStatus.PENDING,
                next_attempt_at__lte=now,
                system__in=callable_systems,
            )
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
            .filter(~Exists(earlier_open))
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)[:limit]
        )
        lease_until = _lease_end(now)
        claimed: list[OutboxMessage] = []
        probed: set[str] = set()
        for message in candidates:
            if message.system in gate.probing:
                if message.system in probed or not breaker.probe_take(
                    system=message.system, now=now, lease_until=lease_until
                ):
                    continue
                probed.add(message.system)
            claimed.append(message)
        for message in claimed:
            message.leased_until, message.lease_owner = lease_until, worker
            message.attempts += 1
        OutboxMessage.objects.bulk_update(claimed, ["leased_until", "lease_owner", "attempts"])
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
    if settings.MOTCUA_OUTBOX_KICK:
        transaction.on_commit(_kick)
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
    if settings.MOTCUA_OUTBOX_KICK:
        transaction.on_commit(_kick)
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
