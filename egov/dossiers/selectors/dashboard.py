"""The leaders' month at a glance, and the one definition of "overdue" it shares with the
worklist's "Quá hạn" tab.

Which dossiers count: those the leader's worklist shows under "Tất cả" (received at, decided
by, or with a step at one of the person's agencies; everything for a province-wide role), so
that every figure here can be found again, one by one, on the worklist. The figures follow the
TT 01/2018 report (DOMAIN §10): received in the period; decided in the period, early, on time
or late; in process now, of which overdue.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from egov.orgs.models import PROVINCE_WIDE_ROLES, Agency, Role
from egov.orgs.policies import Actor
from egov.orgs.selectors import memberships_of

from .. import lifecycle, policies
from ..models import ClockState, Dossier, Outcome, ProcessTask

# How many of the most overdue dossiers the dashboard names.
MOST_OVERDUE = 5

# Received and not yet decided: the agency's work in hand.
IN_PROCESS = [
    lifecycle.Status.RECEIVED,
    lifecycle.Status.PROCESSING,
    lifecycle.Status.SUPPLEMENT_REQUESTED,
    lifecycle.Status.AWAITING_OBLIGATION,
]


def overdue_q(now: datetime.datetime) -> Q:
    """Overdue now: received, not yet decided, and past its due time with the clock running.
    A paused clock (waiting for the applicant's supplement or a financial obligation) is the
    applicant's time, never the agency's lateness (QĐ 766); a decided dossier is no longer
    overdue (whether it was decided late is its outcome). The due time is the one in force,
    a new date given in an apology (Mẫu 04) included.

    Computed from the clock at the moment of the read, not from the `overdue` flag that
    `deadlines_flag` refreshes every few minutes: a figure and the list behind it never
    disagree because a flag is stale."""
    return Q(clock_state=ClockState.RUNNING, due_at__lt=now)


def is_overdue(dossier: Dossier, now: datetime.datetime) -> bool:
    """`overdue_q` for one dossier already read."""
    return (
        dossier.clock_state == ClockState.RUNNING
        and dossier.due_at is not None
        and dossier.due_at < now
    )


@dataclass(frozen=True)
class Dashboard:
    leading: list[Agency]  # where the person is a leader or administrator: empty, no page
    scope: list[Agency]  # whose dossiers count (all the person's agencies)
    province_wide: bool  # a province-wide role: every dossier counts
    now: datetime.datetime
    month_start: datetime.datetime
    received: int  # received since month_start
    in_process: int  # received, not decided yet (now)
    overdue: int  # of those, overdue now (overdue_q)
    returned: int  # result handed over since month_start
    decided: int  # decided since month_start with an outcome (result ready or stopped)
    early: int
    on_time: int
    late: int
    most_overdue: list[Dossier]  # the MOST_OVERDUE longest past their due time
    load: list[tuple[str, int]]  # open steps at the leading agencies per officer

    @property
    def in_time(self) -> int:
        """In process and not overdue."""
        return self.in_process - self.overdue

    @property
    def decided_in_time(self) -> int:
        """Decided early or on time: what the on-time rate counts."""
        return self.early + self.on_time

    @property
    def on_time_rate(self) -> float | None:
        """Decided early or on time / decided, over the month; None when nothing was decided."""
        return self.decided_in_time / self.decided if self.decided else None


def agency_dashboard(*, actor: Actor, month_start: datetime.datetime) -> Dashboard:
    """The month at a glance for a leader: three aggregate queries and two short lists,
    whatever the number of dossiers."""
    memberships = list(memberships_of(user=actor))
    leading = _distinct(
        [m.agency for m in memberships if m.role in (Role.LEADER, Role.AGENCY_ADMIN)]
    )
    now = timezone.now()
    # The worklist's "Tất cả": the same condition, so the "Quá hạn" tab holds the same dossiers.
    dossiers = Dossier.objects.filter(policies.visible_q(actor))
    late_now = overdue_q(now)
    decided = Q(completed_at__gte=month_start) & ~Q(outcome="")
    counts = dossiers.aggregate(
        received=Count("pk", filter=Q(received_at__gte=month_start)),
        in_process=Count("pk", filter=Q(status__in=IN_PROCESS, received_at__isnull=False)),
        overdue=Count("pk", filter=late_now),
        returned=Count("pk", filter=Q(returned_at__gte=month_start)),
        decided=Count("pk", filter=decided),
        early=Count("pk", filter=decided & Q(outcome=Outcome.EARLY)),
        on_time=Count("pk", filter=decided & Q(outcome=Outcome.ON_TIME)),
        late=Count("pk", filter=decided & Q(outcome=Outcome.LATE)),
    )
    most_overdue = list(
        dossiers.filter(late_now)
        .select_related("procedure", "competent_agency")
        .order_by("due_at", "pk")[:MOST_OVERDUE]
    )
    load = list(
        ProcessTask.objects.filter(
            finished_at__isnull=True, agency_id__in=[agency.pk for agency in leading]
        )
        .values_list("assignee__username", "assignee__first_name")
        .annotate(open_steps=Count("pk"))
        .order_by("-open_steps", "assignee__first_name")
    )
    return Dashboard(
        leading=leading,
        scope=_distinct([m.agency for m in memberships]),
        # As `policies.visible_q` decides it: such a person's worklist holds every dossier.
        province_wide=bool(getattr(actor, "is_superuser", False))
        or any(m.role in PROVINCE_WIDE_ROLES for m in memberships),
        now=now,
        month_start=month_start,
        most_overdue=most_overdue,
        # People by their names (the demo and create_staff keep the full name there).
        load=[(name or username or "Chưa giao", count) for username, name, count in load],
        **{key: value or 0 for key, value in counts.items()},
    )


def _distinct(agencies: list[Agency]) -> list[Agency]:
    """Each agency once (a person may hold two roles there), by name."""
    return sorted({agency.pk: agency for agency in agencies}.values(), key=lambda a: a.name)
