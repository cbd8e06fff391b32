"""The delivery worker's rounds: claim due messages, send each through its adapter, settle
the attempt. `ROUTES` says which adapter delivers each outbox topic and what follows a
delivery or a death, inside the transaction that settles it.

A message's retry budget (`MOTCUA_OUTBOX_RETRY_HOURS`, 72 by default) is counted from its
creation or last replay; a message still failing past it, or refused by the partner for good
(a 4xx answer other than 401/403/408/425/429), becomes a dead letter: the province's
administrators are told, and a person replays it from the operator page.
"""

import datetime
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.notifications.delivery import applicant_notice_send
from egov.notifications.services import province_admins_notify

from ..adapters import civil_status, dvcqg, tax
from ..adapters.http import Attempt
from ..models import LogOutcome, OutboxMessage, OutboxStatus
from . import breaker, portal
from .log import Exchange, log_append
from .outbox import backoff, claim_due, lease_release

logger = logging.getLogger(__name__)

# Who the province's own system is in the message log when it calls out.
OUR_PARTY = "motcua"

FollowUp = Callable[[OutboxMessage, datetime.datetime], None]


@dataclass(frozen=True)
class Route:
    send: Callable[[OutboxMessage], Attempt]
    delivered: FollowUp | None = None
    died: FollowUp | None = None


ROUTES: dict[str, Route] = {
    dvcqg.SERVICE: Route(
        send=dvcqg.send, delivered=portal.portal_synced, died=portal.portal_sync_failed
    ),
    "notify.applicant": Route(send=applicant_notice_send),
    civil_status.SERVICE: Route(send=civil_status.send),
    tax.SERVICE: Route(send=tax.send),
}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def deliver_due(
    *,
    worker: str,
    batch: int,
    max_seconds: float,
    clock: Callable[[], datetime.datetime] | None = None,
) -> int:
    """Deliver what is due, round after round, until nothing is or the time is up. Returns
    how many messages were tried. `clock` is the time the rounds go by (tests move it)."""
    clock = clock or timezone.now
    tried = 0
    started = time.monotonic()
    while time.monotonic() - started < max_seconds:
        claimed = claim_due(worker=worker, now=clock(), limit=batch)
        if not claimed:
            break
        for position, message in enumerate(claimed):
            if not _lease_left_for_a_try(message, clock()):
                lease_release(worker=worker, ids=[m.pk for m in claimed[position:]])
                break
            deliver_one(message, worker=worker, clock=clock)
            tried += 1
    return tried


def _lease_left_for_a_try(message: OutboxMessage, now: datetime.datetime) -> bool:
    # A try that could outlast the lease might run beside another worker's: give it back.
    margin = datetime.timedelta(seconds=settings.MOTCUA_LGSP_TIMEOUT_SECONDS * 2 + 5)
    return message.leased_until is not None and message.leased_until - now > margin


def deliver_one(
    message: OutboxMessage, *, worker: str, clock: Callable[[], datetime.datetime]
) -> OutboxMessage | None:
    route = ROUTES.get(message.topic)
    if route is None:
        attempt = Attempt(
            "rejected", None, "", f"Không có bộ chuyển cho {message.topic}", 0, b"", b""
        )
    else:
        try:
            attempt = route.send(message)
        except Exception as error:
            # A bug in building the payload must not stop the worker; the message waits.
            logger.exception("delivering outbox message %s failed", message.pk)
            attempt = Attempt("retry", None, "", f"{type(error).__name__}: {error}", 0, b"", b"")
    return attempt_settle(message_id=message.pk, worker=worker, attempt=attempt, now=clock())


def attempt_settle(
    *, message_id: int, worker: str, attempt: Attempt, now: datetime.datetime
) -> OutboxMessage | None:
    """Record one try: the log row, the system's health, the message's new state and, on
    success or death, the route's follow-up — all in one transaction. Returns the message, or
    None if this worker no longer held it (its lease ran out and another worker took over;
    the exchange is still logged)."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        log_append(
            Exchange(
                direction="out",
                system=message.system,
                service=message.topic,
                party=OUR_PARTY,
                request=attempt.request,
                response=attempt.response,
                status=attempt.status,
                code=attempt.code,
                duration_ms=attempt.duration_ms,
                outcome=_log_outcome(attempt.outcome),
                idempotency_key=message.idempotency_key,
                outbox_id=message.pk,
            ),
            at=now,
        )
        if attempt.outcome == "retry":
            breaker.record_failure(system=message.system, now=now, error=attempt.error)
        else:
            breaker.record_answer(system=message.system, now=now, duration_ms=attempt.duration_ms)
        if message.lease_owner != worker or message.status != OutboxStatus.PENDING:
            return None
        route = ROUTES.get(message.topic)
        message.leased_until, message.lease_owner = None, ""
        message.last_status, message.last_error = attempt.status, attempt.error[:4000]
        fields = ["leased_until", "lease_owner", "last_status", "last_error", "status"]
        if attempt.outcome == "ok":
            message.status, message.delivered_at = OutboxStatus.DELIVERED, now
            fields += ["delivered_at"]
            if route is not None and route.delivered is not None:
                route.delivered(message, now)
        elif attempt.outcome == "rejected" or now - message.retry_from >= _budget():
            message.status, message.dead_at = OutboxStatus.DEAD, now
            fields += ["dead_at"]
            if route is not None and route.died is not None:
                route.died(message, now)
            _alert_dead(message)
        else:
            message.next_attempt_at = now + backoff(message.attempts)
            fields += ["next_attempt_at"]
        message.save(update_fields=fields)
    return message


def _budget() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.MOTCUA_OUTBOX_RETRY_HOURS)


def _log_outcome(outcome: str) -> str:
    return {"ok": LogOutcome.OK, "retry": LogOutcome.RETRY}.get(outcome, LogOutcome.REJECTED)


def _alert_dead(message: OutboxMessage) -> None:
    province_admins_notify(
        title=f"Thông điệp gửi {message.system} không thành công",
        body=(
            f"Thông điệp {message.topic} ({message.idempotency_key}) đã được chuyển vào danh "
            f"sách gửi lỗi sau {message.attempts} lần gửi. Lỗi cuối: "
            f"{message.last_error or 'không rõ'}. Các thông điệp sau nó của cùng hồ sơ đang chờ."
        ),
        link=f"/can-bo/lien-thong/thu-loi/{message.pk}/",
    )
