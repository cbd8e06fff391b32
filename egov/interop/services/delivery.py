"""The delivery worker's rounds: claim due messages, send each through its adapter, settle
the attempt. `ROUTES` says which adapter delivers each outbox topic and what follows a
delivery or a death, inside the transaction that settles it. The bus's own systems are
listed here; an app above the bus delivers its own topics and registers their routes in its
`AppConfig.ready()` (`route_register`: the notifications app's "notify.applicant").

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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.utils import timezone

from .. import registry_snapshot
from ..adapters import civil_status, dvcqg, tax
from ..adapters.http import Attempt
from ..models import OutboxMessage, OutboxStatus
from . import alerts, breaker, portal
from . import tax as tax_service
from .log import OUR_PARTY, attempt_log, log_head_lock
from .outbox import backoff, claim_due, lease_release, try_margin

logger = logging.getLogger(__name__)

# What follows a delivery or a death, with the try that settled it (its answer included).
FollowUp = Callable[[OutboxMessage, Attempt, datetime.datetime], None]


@dataclass(frozen=True)
class Route:
    send: Callable[[OutboxMessage], Attempt]
    delivered: FollowUp | None = None
    died: FollowUp | None = None
    # The send only talks HTTP (no database): a round sends such messages side by side.
    concurrent: bool = True


ROUTES: dict[str, Route] = {
    dvcqg.SERVICE: Route(
        send=dvcqg.send, delivered=portal.portal_synced, died=portal.portal_sync_failed
    ),
    civil_status.SERVICE: Route(send=civil_status.send),
    # The tax authority answers the transfer with its notice: the amount a payment must be.
    tax.SERVICE: Route(send=tax.send, delivered=tax_service.tax_notice_record),
}


def route_register(topic: str, route: Route) -> None:
    """Deliver the outbox messages of `topic` with `route`: for an app above the bus, which
    the bus may not import. The same route again changes nothing (`ready()` may run more than
    once); another route for a topic that has one is a wiring error."""
    existing = ROUTES.get(topic)
    if existing is not None and existing != route:
        raise ImproperlyConfigured(f"The outbox topic {topic} has a delivery route already.")
    ROUTES[topic] = route


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
    how many messages were tried. `clock` is the time the rounds go by (tests move it).

    A round claims a batch — at most one message per ordering key, so they may go side by
    side —, sends them (HTTP-only routes on `MOTCUA_OUTBOX_CONCURRENCY` threads), and
    settles them all in one transaction. A worker that dies between the sends and the
    settling loses nothing: the leases run out and the messages go again, with their keys."""
    now = clock or timezone.now
    tried = 0
    started = time.monotonic()
    while time.monotonic() - started < max_seconds:
        claimed = claim_due(worker=worker, now=now(), limit=batch)
        if not claimed:
            break
        registry_snapshot.auth_kind("")  # read the registry here, not in the sending threads
        results = _send_all(claimed, now)
        untried = [m.pk for m, attempt in results if attempt is None]
        if untried:
            lease_release(worker=worker, ids=untried)
        done = [(m.pk, attempt) for m, attempt in results if attempt is not None]
        attempts_settle(worker=worker, attempts=done, now=now())
        tried += len(done)
        if untried and not done:
            break
    return tried


def _send_all(
    claimed: list[OutboxMessage], now: Callable[[], datetime.datetime]
) -> list[tuple[OutboxMessage, Attempt | None]]:
    side_by_side = [m for m in claimed if _route(m).concurrent]
    one_by_one = [m for m in claimed if not _route(m).concurrent]
    results: list[tuple[OutboxMessage, Attempt | None]] = []
    if side_by_side:
        with ThreadPoolExecutor(max_workers=settings.MOTCUA_OUTBOX_CONCURRENCY) as pool:
            sent = pool.map(lambda m: _send_in_thread(m, now), side_by_side)
            results += zip(side_by_side, sent, strict=True)
    results += [(m, _send(m, now)) for m in one_by_one]
    return results


def _route(message: OutboxMessage) -> Route:
    return ROUTES.get(message.topic) or _UNROUTED


def _unrouted(message: OutboxMessage) -> Attempt:
    error = f"Không có bộ chuyển cho {message.topic}"
    return Attempt("rejected", None, "", error, 0, b"", b"", from_partner=False)


_UNROUTED = Route(send=_unrouted)


def _send_in_thread(message: OutboxMessage, now: Callable[[], datetime.datetime]) -> Attempt | None:
    try:
        return _send(message, now)
    finally:
        connections.close_all()  # this thread's, should a send have opened one


def _send(message: OutboxMessage, now: Callable[[], datetime.datetime]) -> Attempt | None:
    """One try, or None when too little of the lease is left to try safely."""
    if message.leased_until is None or message.leased_until - now() <= try_margin():
        return None  # a try that could outlast the lease might run beside another worker's
    if message.payload_cleared_at is not None:
        # Never an empty payload in place of the one that was cleared (a row set back by hand).
        error = "Nội dung thông điệp đã bị xóa theo thời hạn lưu dữ liệu cá nhân; không gửi."
        return Attempt("rejected", None, "", error, 0, b"", b"", from_partner=False)
    try:
        return _route(message).send(message)
    except Exception as error:
        # A bug in building the payload must not stop the worker; the message waits.
        logger.exception("delivering outbox message %s failed", message.pk)
        text = f"{type(error).__name__}: {error}"
        return Attempt("retry", None, "", text, 0, b"", b"", from_partner=False)


def attempt_settle(
    *, message_id: int, worker: str, attempt: Attempt, now: datetime.datetime
) -> OutboxMessage | None:
    """Settle one try (see `attempts_settle`)."""
    return attempts_settle(worker=worker, attempts=[(message_id, attempt)], now=now)[0]


def attempts_settle(
    *, worker: str, attempts: list[tuple[int, Attempt]], now: datetime.datetime
) -> list[OutboxMessage | None]:
    """Record tries: for each, the log row, the system's health, the message's new state and,
    on success or death, the route's follow-up — all in one transaction. For each, the
    message, or None if this worker no longer held it (its lease ran out and another worker
    took over; the exchange is still logged)."""
    settled: list[OutboxMessage | None] = []
    # Systems whose health already says "answered" in this transaction: one write is enough
    # until one of them fails again.
    answered: set[str] = set()
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().in_bulk([pk for pk, _ in attempts])
        # Every writer takes the log's head before any system's health row (log_append, then
        # the breaker), so two settling workers never wait for each other in a circle.
        log_head_lock()
        for message_id, attempt in attempts:
            message = locked[message_id]
            # Our own faults (no adapter, a payload that would not build) are not the partner's.
            if attempt.from_partner:
                failed = attempt.outcome == "retry"
                if failed or message.system not in answered:
                    breaker.record_attempt(system=message.system, now=now, attempt=attempt)
                (answered.discard if failed else answered.add)(message.system)
            settled.append(_settle(message, worker=worker, attempt=attempt, now=now))
    return settled


def _settle(
    message: OutboxMessage, *, worker: str, attempt: Attempt, now: datetime.datetime
) -> OutboxMessage | None:
    attempt_log(
        attempt,
        system=message.system,
        service=message.topic,
        party=OUR_PARTY,
        at=now,
        idempotency_key=message.idempotency_key,
        outbox_id=message.pk,
    )
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
            route.delivered(message, attempt, now)
    elif attempt.outcome == "rejected" or now - message.retry_from >= _budget():
        message.status, message.dead_at = OutboxStatus.DEAD, now
        fields += ["dead_at"]
        if route is not None and route.died is not None:
            route.died(message, attempt, now)
        _alert_dead(message)
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        fields += ["next_attempt_at"]
    message.save(update_fields=fields)
    return message


def _budget() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.MOTCUA_OUTBOX_RETRY_HOURS)


# While a system's messages keep dying (a long outage), one alert an hour is enough.
_ALERT_QUIET = datetime.timedelta(hours=1)


def _alert_dead(message: OutboxMessage) -> None:
    # Once an hour per system at most: the operator page lists every dead letter.
    alerts.staff_alert(
        recipients=alerts.province_admins(),
        title=f"Thông điệp gửi {message.system} không thành công",
        body=(
            f"Thông điệp {message.topic} ({message.idempotency_key}) đã được chuyển vào danh "
            f"sách gửi lỗi sau {message.attempts} lần gửi. Lỗi cuối: "
            f"{message.last_error or 'không rõ'}. Các thông điệp sau nó của cùng hồ sơ đang chờ. "
            "Thông điệp lỗi khác của hệ thống này trong một giờ tới không được báo riêng."
        ),
        link=f"/can-bo/lien-thong/thu-loi/{message.pk}/",
        quiet=_ALERT_QUIET,
    )
