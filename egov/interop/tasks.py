"""The outbox's delivery worker, as a task of the Django tasks API: the database backend's
worker (`manage.py db_worker`, which `make demo` starts) runs it.

A round delivers what is due for up to half a minute, then queues the next round: at once if
it had work, otherwise when the next message's retry is due (between 5 and 60 seconds).
Committing an outbox row wakes it (`outbox_kick`), so a new message leaves within a second or
two; a web process asks at most every `MOTCUA_OUTBOX_KICK_SECONDS` (in a burst, the round it
woke takes the later rows, or queues the next at once as it had work). Several workers may
run rounds side by side; the outbox's leases keep them apart.

A round that fails still queues the next one. A worker killed mid-round leaves its task row
running with no successor: the next outbox commit wakes a new round, and `deliver_outbox
--kick` (run when a worker starts, and from cron every few minutes in production) restarts
both chains. The task table keeps a row per run: prune finished ones from cron
(`manage.py prune_db_task_results`).

`clear_outbox_payloads` is a daily job (`manage.py clear_outbox_payloads --enqueue` from cron):
it clears the payloads delivered more than `MOTCUA_OUTBOX_PAYLOAD_DAYS` days ago.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import OutboxMessage, OutboxStatus, SystemHealth
from .services import breaker
from .services.delivery import deliver_due, worker_name
from .services.outbox import outbox_clear_delivered_payloads
from .services.tax import obligations_poll

_ROUND_SECONDS = 30
_IDLE_MIN = datetime.timedelta(seconds=5)
_IDLE_MAX = datetime.timedelta(seconds=60)


@task()
def deliver_outbox() -> int:
    tried = 0
    try:
        tried = deliver_due(
            worker=worker_name(), batch=settings.MOTCUA_OUTBOX_BATCH, max_seconds=_ROUND_SECONDS
        )
    finally:
        # Even after a failed round (a lock timeout, a bug): the chain must not stop.
        _next_round(busy=tried > 0)
    return tried


@task()
def poll_obligations() -> dict[str, Any]:
    """Ask the tax authority about the obligations it was sent, every
    `MOTCUA_TAX_POLL_MINUTES`: a paid one moves its dossier on (its inbound notice, when the
    authority sends one, does it sooner)."""
    try:
        polled = obligations_poll(now=timezone.now())
    finally:
        when = timezone.now() + datetime.timedelta(minutes=settings.MOTCUA_TAX_POLL_MINUTES)
        if not _queued_before(poll_obligations, when):
            poll_obligations.using(run_after=when).enqueue()
    return {"checked": polled.checked, "confirmed": list(polled.confirmed)}


@task()
def clear_outbox_payloads() -> dict[str, int]:
    """Clear the payloads (personal data) of the messages delivered more than
    `MOTCUA_OUTBOX_PAYLOAD_DAYS` days ago. Run it daily (`manage.py clear_outbox_payloads
    --enqueue` from cron, or directly)."""
    days = settings.MOTCUA_OUTBOX_PAYLOAD_DAYS
    return {"cleared": outbox_clear_delivered_payloads(older_than_days=days), "days": days}


def _task_path(periodic: Any) -> str:
    return f"{periodic.func.__module__}.{periodic.func.__qualname__}"


def _queued_before(periodic: Any, moment: datetime.datetime) -> bool:
    """Is a run of this task already waiting to start by then? Then another is not needed."""
    return (
        DBTaskResult.objects.filter(task_path=_task_path(periodic), status=TaskResultStatus.READY)
        # A task queued to run "now" carries the backend's far-future marker instead of a time.
        .filter(Q(run_after__lte=moment) | Q(run_after=get_date_max()))
        .exists()
    )


def _next_round(*, busy: bool) -> None:
    now = timezone.now()
    if busy:
        when = now
    else:
        pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        if not pending.exists():
            return  # nothing left: the next outbox row wakes the worker
        # The next moment something may go: a retry of a system that may be called now, or a
        # breaker's cool-down ending; messages of paused or unconfigured systems wait longer.
        gate = breaker.gate(now=now)
        moments = [
            pending.filter(system__in=gate.open | gate.probing).aggregate(
                due=Min("next_attempt_at")
            )["due"],
            SystemHealth.objects.filter(breaker_until__isnull=False).aggregate(
                due=Min("breaker_until")
            )["due"],
        ]
        due = min((m for m in moments if m is not None), default=now + _IDLE_MAX)
        when = min(max(due, now + _IDLE_MIN), now + _IDLE_MAX)
    if not _queued_before(deliver_outbox, when):
        deliver_outbox.using(run_after=when).enqueue()


def outbox_kick() -> None:
    """Make sure a round starts now (after an outbox row commits, or when a worker starts)."""
    if not _queued_before(deliver_outbox, timezone.now() + datetime.timedelta(seconds=1)):
        deliver_outbox.enqueue()


def periodic_start() -> None:
    """When a worker starts: a delivery round now, and the tax poll if none is waiting."""
    outbox_kick()
    soon = timezone.now() + datetime.timedelta(minutes=settings.MOTCUA_TAX_POLL_MINUTES)
    if not _queued_before(poll_obligations, soon):
        poll_obligations.enqueue()
