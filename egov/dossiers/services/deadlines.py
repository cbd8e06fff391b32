"""The due-soon and overdue flags that worklists filter on.

Derived from the due times, not a change of status, so they are set here by a few set-based
UPDATEs rather than through the one door: cheap at any number of dossiers, and idempotent
(running it twice in a row changes nothing the second time).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from egov.core import workcal
from egov.orgs.selectors import working_calendar

from ..models import ClockState, Dossier, ProcessTask

# "Due soon": within one working day.
DUE_SOON_MINUTES = workcal.WORKING_DAY_HOURS * 60


@dataclass(frozen=True)
class FlagCounts:
    dossiers_changed: int
    tasks_changed: int


def _flag(
    rows: QuerySet[Dossier] | QuerySet[ProcessTask],
    *,
    now: datetime.datetime,
    soon: datetime.datetime,
) -> int:
    """Three UPDATEs, each touching only the rows whose flags are wrong."""
    late = rows.filter(due_at__lt=now).exclude(overdue=True, due_soon=False)
    close = rows.filter(due_at__gte=now, due_at__lte=soon).exclude(overdue=False, due_soon=True)
    later = rows.filter(due_at__gt=soon).filter(Q(overdue=True) | Q(due_soon=True))
    return (
        late.update(overdue=True, due_soon=False)
        + close.update(overdue=False, due_soon=True)
        + later.update(overdue=False, due_soon=False)
    )


@transaction.atomic(durable=True)
def deadlines_flag(*, now: datetime.datetime) -> FlagCounts:
    soon = working_calendar().add_working_time(now, DUE_SOON_MINUTES)
    running = Dossier.objects.filter(clock_state=ClockState.RUNNING)
    dossiers = _flag(running, now=now, soon=soon)
    # A stopped or paused clock is neither late nor close to it.
    dossiers += (
        Dossier.objects.exclude(clock_state=ClockState.RUNNING)
        .filter(Q(overdue=True) | Q(due_soon=True))
        .update(overdue=False, due_soon=False)
    )
    open_tasks = ProcessTask.objects.filter(finished_at__isnull=True)
    tasks = _flag(open_tasks.filter(dossier__clock_state=ClockState.RUNNING), now=now, soon=soon)
    tasks += (
        open_tasks.exclude(dossier__clock_state=ClockState.RUNNING)
        .filter(Q(overdue=True) | Q(due_soon=True))
        .update(overdue=False, due_soon=False)
    )
    return FlagCounts(dossiers_changed=dossiers, tasks_changed=tasks)
