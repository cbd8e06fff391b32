"""Each connected system's circuit breaker: after a run of failures the worker stops calling
the system for a cool-down, then lets one message through as a probe; its success closes the
breaker, its failure opens it again for longer. A partner that is down is not hammered, and
messages for other partners keep flowing.

An answer from the partner — even a refusal of one message — proves it is up; only transport
failures, time-outs and 5xx/429 answers count against it.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F

from ..adapters.http import Attempt
from ..models import BreakerState, ConnectedSystem, SystemHealth


@dataclass(frozen=True)
class Gate:
    """Which systems may be called now: `open` freely, `probing` one message each; any other
    (paused, not configured, breaker open, unknown to the registry) not at all."""

    open: frozenset[str]
    probing: frozenset[str]


# Systems reached without HTTP (e-mail through Django's mail settings) need no address.
LOCAL_SYSTEMS = frozenset({"notify"})


def _configured(code: str) -> bool:
    return code in LOCAL_SYSTEMS or bool(settings.MOTCUA_LGSP_SYSTEMS.get(code, {}).get("url"))


def gate(*, now: datetime.datetime) -> Gate:
    allowed: set[str] = set()
    probing: set[str] = set()
    rows = SystemHealth.objects.values_list(
        "system__code", "system__active", "breaker", "breaker_until"
    )
    for code, active, state, until in rows:
        if not active or not _configured(code):
            continue
        if state == BreakerState.CLOSED:
            allowed.add(code)
        elif until is None or until <= now:
            # Open and cooled down, or half open with a probe whose worker died: one more.
            probing.add(code)
    return Gate(frozenset(allowed), frozenset(probing))


def probe_take(*, system: str, now: datetime.datetime, lease_until: datetime.datetime) -> bool:
    """Claim the one probe of a system whose cool-down is over; False if another worker did."""
    return (
        SystemHealth.objects.filter(system__code=system)
        .exclude(breaker=BreakerState.CLOSED)
        .filter(breaker_until__lte=now)
        .update(breaker=BreakerState.HALF_OPEN, breaker_until=lease_until)
        == 1
    )


def _cooldown(trips: int) -> datetime.timedelta:
    seconds = settings.MOTCUA_BREAKER_SECONDS * 2 ** max(0, trips - 1)
    return datetime.timedelta(seconds=min(seconds, settings.MOTCUA_OUTBOX_RETRY_CAP_SECONDS))


# A healthy system's last success is written at most this often: every settled batch of every
# worker, and every call someone waits for, would otherwise rewrite (and lock) its row.
_SUCCESS_FRESH = datetime.timedelta(seconds=5)


def record_answer(*, system: str, now: datetime.datetime, duration_ms: int) -> None:
    """The partner answered: the breaker closes and the failures are forgotten. A system
    already closed, without failures, with a success written in the last few seconds is left
    as it is (the statement matches no row and locks nothing)."""
    SystemHealth.objects.filter(system__code=system).exclude(
        breaker=BreakerState.CLOSED,
        consecutive_failures=0,
        trips=0,
        last_success_at__gte=now - _SUCCESS_FRESH,
        last_success_at__lte=now,
    ).update(
        breaker=BreakerState.CLOSED,
        breaker_until=None,
        consecutive_failures=0,
        trips=0,
        last_success_at=now,
        last_duration_ms=duration_ms,
    )


def record_failure(*, system: str, now: datetime.datetime, error: str) -> None:
    """The partner did not answer usefully: count it; open the breaker at the threshold or
    when the probe failed."""
    with transaction.atomic(savepoint=False):
        health = SystemHealth.objects.select_for_update().filter(system__code=system).first()
        if health is None:
            return
        health.consecutive_failures = F("consecutive_failures") + 1
        health.last_failure_at = now
        health.last_error = error[:2000]
        health.save(update_fields=["consecutive_failures", "last_failure_at", "last_error"])
        health.refresh_from_db(fields=["consecutive_failures"])
        # Failures of calls already under way when it opened do not open it again, longer.
        if health.breaker == BreakerState.HALF_OPEN or (
            health.breaker == BreakerState.CLOSED
            and health.consecutive_failures >= settings.MOTCUA_BREAKER_FAILURES
        ):
            health.trips += 1
            health.breaker = BreakerState.OPEN
            health.breaker_until = now + _cooldown(health.trips)
            health.save(update_fields=["trips", "breaker", "breaker_until"])


def record_attempt(*, system: str, now: datetime.datetime, attempt: Attempt) -> None:
    if not attempt.from_partner:
        return  # our own fault (a payload we could not build, no adapter): not the partner's
    if attempt.outcome == "retry":
        record_failure(system=system, now=now, error=attempt.error)
    else:
        record_answer(system=system, now=now, duration_ms=attempt.duration_ms)


def health_ensure() -> None:
    """Every system in the registry has its health row (the registry may grow in the admin)."""
    missing = ConnectedSystem.objects.filter(health__isnull=True)
    SystemHealth.objects.bulk_create([SystemHealth(system=system) for system in missing])
