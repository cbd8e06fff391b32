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
from django.db.models import Case, DateTimeField, Value, When
from django.utils import timezone

from .. import registry_snapshot
from ..adapters import civil_status, dvcqg, tax
from ..adapters.http import Attempt
from ..models import OutboxMessage, OutboxStatus
from . import alerts, breaker, portal
from . import tax as tax_service
from .log import OUR_PARTY, attempt_exchange, log_append_many
from .outbox import backoff, claim_due, lease_release, try_margin

logger = logging.getLogger(__name__)

# What follows a delivery or a death, with the try that settled it (its answer included).
FollowUp = Callable[[OutboxMessage, Attempt, datetime.datetime], None]


# The same for every message of a round delivered on one route, in one go.
FollowUps = Callable[[list[tuple[OutboxMessage, Attempt]], datetime.datetime], None]


@dataclass(frozen=True)
class Route:
    send: Callable[[OutboxMessage], Attempt]
    delivered: FollowUp | None = None
    died: FollowUp | None = None
    # The send only talks HTTP (no database): a round sends such messages side by side.
    concurrent: bool = True
    # Instead of `delivered` once per message: once for all those a round delivered.
    delivered_together: FollowUps | None = None


ROUTES: dict[str, Route] = {
    dvcqg.SERVICE: Route(
        send=dvcqg.send,
        died=portal.portal_sync_failed,
        delivered_together=portal.portal_synced_together,
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

    A round claims a batch in one statement — at most one message per ordering key, so they
    may go side by side —, sends them (HTTP-only routes on `MOTCUA_OUTBOX_CONCURRENCY`
    threads, each partner's connections kept open between calls), and settles them all in
    one transaction (`attempts_settle`). While a round's messages are on their way, the
    worker claims the next round and starts it, then settles the first: the database's
    work and the partners' overlap. The next round never holds a later message of a key
    still in flight (claims pass over keys with an earlier message open). A worker that dies
    between the sends and the settling loses nothing: the leases run out and the messages go
    again, with their keys."""
    now = clock or timezone.now
    tried = 0
    started = time.monotonic()
    with ThreadPoolExecutor(
        max_workers=settings.MOTCUA_OUTBOX_CONCURRENCY, thread_name_prefix="outbox"
    ) as pool:
        flying: _Round | None = None
        while True:
            claimed = (
                claim_due(worker=worker, now=now(), limit=batch)
                if time.monotonic() - started < max_seconds
                else []
            )
            following = _Round(claimed, now, pool) if claimed else None
            if flying is not None:
                done, stuck = flying.land(worker=worker, now=now)
                tried += done
                if stuck:
                    # Nothing of that round could be tried (too little lease left): it would be
                    # claimed again at once, so this worker stops after the round it started.
                    if following is not None:
                        tried += following.land(worker=worker, now=now)[0]
                    break
            elif following is None:
                break
            flying = following
    return tried


class _Round:
    """One claimed batch on its way: the HTTP-only messages sent on the pool's threads from
    the start, the others (e-mail) one by one when the round lands."""

    def __init__(
        self,
        claimed: list[OutboxMessage],
        now: Callable[[], datetime.datetime],
        pool: ThreadPoolExecutor,
    ) -> None:
        registry_snapshot.auth_kind("")  # read the registry here, not in the threads
        self.side_by_side = [m for m in claimed if _route(m).concurrent]
        self.one_by_one = [m for m in claimed if not _route(m).concurrent]
        self.sending = [pool.submit(_send_in_thread, m, now) for m in self.side_by_side]

    def land(self, *, worker: str, now: Callable[[], datetime.datetime]) -> tuple[int, bool]:
        """Wait for the sends, settle the tries, give back what was not tried: how many were
        tried, and whether none could be."""
        results = list(zip(self.side_by_side, [f.result() for f in self.sending], strict=True))
        results += [(m, _send(m, now)) for m in self.one_by_one]
        untried = [m.pk for m, attempt in results if attempt is None]
        if untried:
            lease_release(worker=worker, ids=untried)
        done = [(m, attempt) for m, attempt in results if attempt is not None]
        _settle_claimed(worker=worker, attempts=done, now=now())
        return len(done), bool(untried) and not done


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
    with transaction.atomic():
        # The payload is not needed to settle: it stays in the database.
        rows = OutboxMessage.objects.select_for_update().defer("payload")
        locked = rows.in_bulk([pk for pk, _ in attempts])
        tries = [(locked[pk], attempt) for pk, attempt in attempts if pk in locked]
        held = _settle_claimed(worker=worker, attempts=tries, now=now, locked=True)
    return [held.get(pk) for pk, _ in attempts]


def _settle_claimed(
    *,
    worker: str,
    attempts: list[tuple[OutboxMessage, Attempt]],
    now: datetime.datetime,
    locked: bool = False,
) -> dict[int, OutboxMessage]:
    """Settle a round's tries in one transaction, in a fixed order of locks that every writer
    of these rows keeps, so no two ever wait for each other in a circle:

    1. the messages (taken from the claim; locked here unless `locked`): one statement;
    2. their new state, one UPDATE per set of messages that end alike (delivered with the
       same answer, say), and the routes' follow-ups (the portal's sync rows: one UPDATE for
       the round);
    3. the systems' health, in the order of their codes (a healthy system's row is only
       read: nothing to write);
    4. last, the message log: every try's row in one INSERT with the head's move
       (`log_append_many`), so the head is held only from that statement to the commit.

    Returns the messages this worker still held, by id, as settled."""
    if not attempts:
        return {}
    with transaction.atomic(savepoint=False):  # its own, or attempts_settle's
        if not locked:
            current = {
                pk: (owner, status)
                for pk, owner, status in OutboxMessage.objects.select_for_update()
                .filter(pk__in=[m.pk for m, _ in attempts])
                .values_list("pk", "lease_owner", "status")
            }
            for message, _ in attempts:
                # A message another worker took over (this one's lease ran out) is not ours.
                message.lease_owner, message.status = current.get(message.pk, ("", ""))
        held = [
            (message, attempt)
            for message, attempt in attempts
            if message.lease_owner == worker and message.status == OutboxStatus.PENDING
        ]
        _outcomes_write(held, now=now)
        _health_record(attempts, now=now)
        log_append_many(
            [
                attempt_exchange(
                    attempt,
                    system=message.system,
                    service=message.topic,
                    party=OUR_PARTY,
                    idempotency_key=message.idempotency_key,
                    outbox_id=message.pk,
                )
                for message, attempt in attempts
            ],
            at=now,
        )
    return {message.pk: message for message, _ in held}


def _health_record(
    attempts: list[tuple[OutboxMessage, Attempt]], *, now: datetime.datetime
) -> None:
    """Each system's tries in the order they were made, the systems in the order of their
    codes. One write per system is enough while it keeps answering; each failure counts.
    Our own faults (no adapter, a payload that would not build) are not the partner's."""
    by_system: dict[str, list[Attempt]] = {}
    for message, attempt in attempts:
        if attempt.from_partner:
            by_system.setdefault(message.system, []).append(attempt)
    for system in sorted(by_system):
        answered = False
        for attempt in by_system[system]:
            failed = attempt.outcome == "retry"
            if failed or not answered:
                breaker.record_attempt(system=system, now=now, attempt=attempt)
            answered = not failed


def _outcomes_write(held: list[tuple[OutboxMessage, Attempt]], *, now: datetime.datetime) -> None:
    """The messages' fates: delivered, tried again later, or dead."""
    delivered: list[tuple[OutboxMessage, Attempt]] = []
    retried: list[tuple[OutboxMessage, Attempt]] = []
    for message, attempt in held:
        message.leased_until, message.lease_owner = None, ""
        message.last_status, message.last_error = attempt.status, attempt.error[:4000]
        if attempt.outcome == "ok":
            message.status, message.delivered_at = OutboxStatus.DELIVERED, now
            delivered.append((message, attempt))
        elif attempt.outcome == "rejected" or now - message.retry_from >= _budget():
            message.status, message.dead_at = OutboxStatus.DEAD, now
            _died(message, attempt, now)
        else:
            message.next_attempt_at = now + backoff(message.attempts)
            retried.append((message, attempt))
    for (last_status, last_error), alike in _alike(delivered).items():
        OutboxMessage.objects.filter(pk__in=[m.pk for m, _ in alike]).update(
            status=OutboxStatus.DELIVERED,
            delivered_at=now,
            leased_until=None,
            lease_owner="",
            last_status=last_status,
            last_error=last_error,
        )
    for (last_status, last_error), alike in _alike(retried).items():
        # Each its own time (the backoff's jitter), in one statement.
        when = Case(
            *[When(pk=m.pk, then=Value(m.next_attempt_at)) for m, _ in alike],
            output_field=DateTimeField(),
        )
        OutboxMessage.objects.filter(pk__in=[m.pk for m, _ in alike]).update(
            next_attempt_at=when,
            leased_until=None,
            lease_owner="",
            last_status=last_status,
            last_error=last_error,
        )
    by_route: dict[str, list[tuple[OutboxMessage, Attempt]]] = {}
    for message, attempt in delivered:
        by_route.setdefault(message.topic, []).append((message, attempt))
    for topic, together in by_route.items():
        route = ROUTES.get(topic)
        if route is None:
            continue
        if route.delivered_together is not None:
            route.delivered_together(together, now)
        elif route.delivered is not None:
            for message, attempt in together:
                route.delivered(message, attempt, now)


def _alike(
    settled: list[tuple[OutboxMessage, Attempt]],
) -> dict[tuple[int | None, str], list[tuple[OutboxMessage, Attempt]]]:
    """Messages grouped by what their rows will say of the last answer: one UPDATE each."""
    groups: dict[tuple[int | None, str], list[tuple[OutboxMessage, Attempt]]] = {}
    for message, attempt in settled:
        groups.setdefault((message.last_status, message.last_error), []).append((message, attempt))
    return groups


def _died(message: OutboxMessage, attempt: Attempt, now: datetime.datetime) -> None:
    """A dead letter: rare enough to be written on its own, with its route's follow-up and the
    administrators' alert."""
    message.save(
        update_fields=[
            "leased_until",
            "lease_owner",
            "last_status",
            "last_error",
            "status",
            "dead_at",
        ]
    )
    route = ROUTES.get(message.topic)
    if route is not None and route.died is not None:
        route.died(message, attempt, now)
    _alert_dead(message)


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
