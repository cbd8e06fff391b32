"""Reads of the interconnection axis for its operators: the registry with each system's
health, the outbox's backlog and dead letters, the message log, the national portal's sync.

Every read here costs a fixed number of queries, whatever the size of the outbox and the log:
counts are grouped in the database, and lists are bounded.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery

from .models import (
    ConnectedSystem,
    LogHead,
    MessageLog,
    OutboxMessage,
    OutboxStatus,
    PortalSync,
    PortalSyncState,
    SystemHealth,
    SystemService,
)

# The median of the last hour's calls is taken over at most this many of the newest rows, so
# a very busy hour costs a bounded read.
MEDIAN_SAMPLE = 20_000
MEDIAN_WINDOW = datetime.timedelta(hours=1)
DEAD_LETTERS_SHOWN = 50
# On a dead letter's page: its tries, and what waits behind it.
DETAIL_ROWS = 100


@dataclass(frozen=True)
class Backlog:
    """What the outbox still holds for one system."""

    system: str
    pending: int = 0
    dead: int = 0
    oldest_pending_at: datetime.datetime | None = None


@dataclass(frozen=True)
class SystemStatus:
    """One connected system as its operators see it: what it is, where, how it fares."""

    system: ConnectedSystem
    health: SystemHealth | None
    # From the settings, never from the database; "" when this deployment has none.
    address: str
    backlog: Backlog
    calls_last_hour: int
    median_ms: int | None


@dataclass(frozen=True)
class BusHealth:
    systems: list[SystemStatus]
    # Every system the outbox holds messages for, the registry's or not.
    backlog: list[Backlog]

    @property
    def pending(self) -> int:
        return sum(row.pending for row in self.backlog)

    @property
    def dead(self) -> int:
        return sum(row.dead for row in self.backlog)


@dataclass(frozen=True)
class PortalSyncSummary:
    """The national portal's sync of dossiers: QĐ 766 indicator 1.4 counts the synced share."""

    pending: int
    synced: int
    failed: int

    @property
    def total(self) -> int:
        return self.pending + self.synced + self.failed

    @property
    def synced_percent(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(100 * self.synced) / self.total).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class BusOverview:
    health: BusHealth
    services: list[SystemService]
    portal: PortalSyncSummary
    log_rows: int
    log_head_seq: int


@dataclass(frozen=True)
class LogPage:
    rows: list[MessageLog]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class DeadLetterDetail:
    message: OutboxMessage
    system: ConnectedSystem | None
    tries: list[MessageLog]
    tries_total: int
    waiting: list[OutboxMessage]
    waiting_total: int


def system_address(code: str) -> str:
    return str((settings.MOTCUA_LGSP_SYSTEMS.get(code) or {}).get("url") or "")


def outbox_backlog() -> dict[str, Backlog]:
    """Pending and dead messages per system, and the oldest pending one's creation; one
    grouped query that never reads a delivered row."""
    rows = (
        OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.DEAD])
        .values("system")
        .annotate(
            pending=Count("pk", filter=Q(status=OutboxStatus.PENDING)),
            dead=Count("pk", filter=Q(status=OutboxStatus.DEAD)),
            oldest=Min("created_at", filter=Q(status=OutboxStatus.PENDING)),
        )
        .order_by("system")
    )
    return {
        row["system"]: Backlog(
            system=row["system"],
            pending=row["pending"],
            dead=row["dead"],
            oldest_pending_at=row["oldest"],
        )
        for row in rows
    }


def _recent_durations(*, now: datetime.datetime) -> dict[str, list[int]]:
    """The durations of the outbound calls of the last hour, per system."""
    durations: dict[str, list[int]] = defaultdict(list)
    recent = (
        MessageLog.objects.filter(direction="out", at__gte=now - MEDIAN_WINDOW, at__lte=now)
        .order_by("-seq")
        .values_list("system", "duration_ms")[:MEDIAN_SAMPLE]
    )
    for system, duration in recent:
        durations[system].append(duration)
    return durations


def bus_health(*, now: datetime.datetime) -> BusHealth:
    """The registry's systems with their breaker, last outcomes, backlog and the median time
    of the last hour's calls: three queries."""
    backlog = outbox_backlog()
    durations = _recent_durations(now=now)
    statuses = []
    for system in ConnectedSystem.objects.select_related("health").order_by("code"):
        try:
            health: SystemHealth | None = system.health
        except SystemHealth.DoesNotExist:
            health = None
        calls = durations.get(system.code, [])
        statuses.append(
            SystemStatus(
                system=system,
                health=health,
                address=system_address(system.code),
                backlog=backlog.get(system.code, Backlog(system=system.code)),
                calls_last_hour=len(calls),
                median_ms=int(statistics.median(calls)) if calls else None,
            )
        )
    return BusHealth(systems=statuses, backlog=list(backlog.values()))


def portal_sync_summary() -> PortalSyncSummary:
    counts = dict(
        PortalSync.objects.values("state")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("state", "n")
    )
    return PortalSyncSummary(
        pending=counts.get(PortalSyncState.PENDING, 0),
        synced=counts.get(PortalSyncState.SYNCED, 0),
        failed=counts.get(PortalSyncState.FAILED, 0),
    )


def bus_overview(*, now: datetime.datetime) -> BusOverview:
    """Everything the operator page shows above the log, in a fixed number of queries."""
    head = LogHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    return BusOverview(
        health=bus_health(now=now),
        services=list(
            SystemService.objects.select_related("system").order_by("system__code", "code")
        ),
        portal=portal_sync_summary(),
        # The chain is numbered without gaps: its head's number is its length, uncounted.
        log_rows=head or 0,
        log_head_seq=head or 0,
    )


def _system_name() -> Subquery:
    return Subquery(ConnectedSystem.objects.filter(code=OuterRef("system")).values("name")[:1])


def dead_letters(*, limit: int = DEAD_LETTERS_SHOWN) -> list[OutboxMessage]:
    """The newest dead letters, each with its system's name (`system_name`)."""
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.DEAD)
        .annotate(system_name=_system_name())
        .order_by("-dead_at", "-pk")[:limit]
    )


def message_log_page(
    *, system: str = "", direction: str = "", page: int = 1, per_page: int = 50
) -> LogPage:
    """One page of the log, newest first. No total count (the log only grows): a page knows
    whether another follows by reading one row more."""
    rows: QuerySet[MessageLog] = MessageLog.objects.annotate(system_name=_system_name())
    if system:
        rows = rows.filter(system=system)
    if direction:
        rows = rows.filter(direction=direction)
    page = max(1, page)
    start = (page - 1) * per_page
    fetched = list(rows.order_by("-seq")[start : start + per_page + 1])
    return LogPage(rows=fetched[:per_page], number=page, has_next=len(fetched) > per_page)


def message_log_get(*, seq: int) -> MessageLog | None:
    return MessageLog.objects.annotate(system_name=_system_name()).filter(seq=seq).first()


def dead_letter_get(*, message_id: int) -> DeadLetterDetail | None:
    """One outbox message (a dead letter, or one that was), its tries in the log, newest
    first, and the messages of its ordering key that wait behind it."""
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None:
        return None
    tries = MessageLog.objects.filter(outbox_id=message.pk)
    waiting = OutboxMessage.objects.filter(
        ordering_key=message.ordering_key, pk__gt=message.pk
    ).exclude(status=OutboxStatus.DELIVERED)
    return DeadLetterDetail(
        message=message,
        system=ConnectedSystem.objects.filter(code=message.system).first(),
        tries=list(tries.order_by("-seq")[:DETAIL_ROWS]),
        tries_total=tries.count(),
        waiting=list(waiting.order_by("pk")[:DETAIL_ROWS]),
        waiting_total=waiting.count(),
    )
