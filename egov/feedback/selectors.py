"""Reads of feedback: the public list and search, one published answer, the sender's own
page, the staff queue with its tabs, and the figures the indicators use."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from egov.core.text import fold
from egov.orgs.models import Agency, AgencyKind
from egov.orgs.policies import Actor

from . import lifecycle, policies
from .errors import FeedbackNotFoundError
from .lifecycle import Status
from .models import Feedback, FeedbackEvent

MAX_QUERY_WORDS = 8

# The staff queue's tabs: key → label.
TABS = {
    "new": "Chờ phân loại",
    "open": "Đang xử lý",
    "overdue": "Quá hạn",
    "answered": "Đã trả lời",
    "rejected": "Không tiếp nhận",
}


def parse_reference(value: str | uuid.UUID) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise FeedbackNotFoundError from None


def _in_force(on: datetime.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def agencies_in_force() -> QuerySet[Agency]:
    """The agencies a sender may name, by name."""
    return Agency.objects.filter(_in_force(timezone.localdate())).order_by("name", "code")


def agency_in_force(*, code: str) -> Agency | None:
    return agencies_in_force().filter(code=code).first()


def province_front_agency() -> Agency | None:
    """Who handles feedback on a procedure with no single competent agency (a commune's
    procedure): the province's Public Administration Service Center, else the Provincial
    People's Committee."""
    in_force = agencies_in_force()
    for kind in (AgencyKind.PROVINCE_SERVICE_CENTER, AgencyKind.PROVINCIAL_COMMITTEE):
        agency = in_force.filter(kind=kind).order_by("code").first()
        if agency is not None:
            return agency
    return None


# ------------------------------------------------------------------ the public's


def published_search(*, query: str = "") -> QuerySet[Feedback]:
    """Published answers matching every word of the query, accents or not, newest first
    (those holding the words as one phrase first), the way the catalogue search works:
    each word must start a word of the folded public text."""
    found = Feedback.objects.filter(status=Status.PUBLISHED)
    words = fold(query).split()[:MAX_QUERY_WORDS]
    for word in words:
        found = found.filter(search_text__contains=f" {word}")
    ordering: list[Any] = ["-published_at", "-pk"]
    if words:
        phrase_first = Case(
            When(search_text__contains=" " + " ".join(words), then=Value(0)),
            default=Value(1),
        )
        ordering.insert(0, phrase_first)
    return (
        found.select_related("agency")
        .only(
            "public_id",
            "kind",
            "public_title",
            "public_subject",
            "public_content",
            "published_at",
            "answered_at",
            "agency__name",
        )
        .order_by(*ordering)
    )


def published_get(*, public_id: str | uuid.UUID) -> Feedback:
    """One published answer; FeedbackNotFoundError for anything else."""
    found = (
        Feedback.objects.filter(status=Status.PUBLISHED, public_id=parse_reference(public_id))
        .select_related("agency")
        .first()
    )
    if found is None:
        raise FeedbackNotFoundError
    return found


def feedback_follow(*, reference: str | uuid.UUID) -> Feedback:
    """The sender's own page: whoever holds the reference (shown once after sending and in
    the notices) sees the status, the deadlines and the answer."""
    found = (
        Feedback.objects.filter(reference=parse_reference(reference))
        .select_related("agency", "procedure", "subject_agency", "dossier")
        .first()
    )
    if found is None:
        raise FeedbackNotFoundError
    return found


# ------------------------------------------------------------------ staff


def _visible(actor: Actor) -> QuerySet[Feedback]:
    return Feedback.objects.filter(policies.visible_q(actor))


def feedback_get(*, actor: Actor, reference: str | uuid.UUID) -> Feedback:
    """A feedback this person may see; FeedbackNotFoundError otherwise."""
    found = (
        _visible(actor)
        .filter(reference=parse_reference(reference))
        .select_related("agency", "procedure", "subject_agency", "dossier", "sender_user")
        .first()
    )
    if found is None:
        raise FeedbackNotFoundError
    return found


def overdue_q(now: datetime.datetime) -> Q:
    return (Q(status=Status.RECEIVED) & Q(classify_due__lt=now)) | (
        Q(status__in=lifecycle.OPEN) & Q(answer_due__lt=now)
    )


def _tab_conditions(now: datetime.datetime) -> dict[str, Q]:
    return {
        "new": Q(status=Status.RECEIVED),
        "open": Q(status=Status.ACCEPTED),
        "overdue": overdue_q(now),
        "answered": Q(status__in=[Status.ANSWERED, Status.PUBLISHED]),
        "rejected": Q(status=Status.REJECTED),
    }


def queue_counts(*, actor: Actor, now: datetime.datetime | None = None) -> dict[str, int]:
    """How many in each tab, in one query."""
    return _counts(_visible(actor), now or timezone.now())


def _counts(visible: QuerySet[Feedback], now: datetime.datetime) -> dict[str, int]:
    conditions = _tab_conditions(now)
    counts = visible.aggregate(
        **{key: Count("pk", filter=condition) for key, condition in conditions.items()}
    )
    return {key: counts[key] or 0 for key in TABS}


def _rows(visible: QuerySet[Feedback], tab: str, now: datetime.datetime) -> QuerySet[Feedback]:
    condition = _tab_conditions(now).get(tab, Q(pk__in=[]))
    rows = visible.filter(condition).select_related("agency")
    if tab in {"answered", "rejected"}:
        return rows.order_by("-updated_at", "-pk")
    if tab == "new":
        return rows.order_by("classify_due", "pk")
    return rows.order_by("answer_due", "pk")


def feedback_queue(
    *, actor: Actor, tab: str, now: datetime.datetime | None = None
) -> QuerySet[Feedback]:
    """A tab of the queue: what waits longest first; answered ones newest first."""
    return _rows(_visible(actor), tab, now or timezone.now())


@dataclass(frozen=True)
class Queue:
    counts: dict[str, int]
    rows: QuerySet[Feedback]


def queue_get(*, actor: Actor, tab: str, now: datetime.datetime | None = None) -> Queue:
    """The queue page's reads, asking who the person is once: the counts of every tab and
    the chosen tab's rows (lazy, for the paginator)."""
    now = now or timezone.now()
    visible = _visible(actor)
    return Queue(counts=_counts(visible, now), rows=_rows(visible, tab, now))


def is_overdue(feedback: Feedback, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    if feedback.status == Status.RECEIVED and feedback.classify_due < now:
        return True
    return feedback.status in lifecycle.OPEN and feedback.answer_due < now


def facts_of(feedback: Feedback, now: datetime.datetime | None = None) -> lifecycle.Facts:
    return lifecycle.Facts(
        reject_window_open=(now or timezone.now()) <= feedback.classify_due,
        consented=feedback.consent_to_publish,
    )


def actions_available(
    *, actor: Actor, feedback: Feedback, now: datetime.datetime | None = None
) -> list[lifecycle.Action]:
    """The actions this person may take now, as the service would allow them."""
    facts = facts_of(feedback, now)
    available = []
    for rule in lifecycle.rules_from(feedback.status):
        if rule.guard and not getattr(facts, rule.guard):
            continue
        if policies.is_one_of(actor, rule.actors, feedback.agency):
            available.append(rule.action)
    return available


def feedback_events(*, feedback: Feedback) -> QuerySet[FeedbackEvent]:
    return feedback.events.order_by("at", "pk")


# ------------------------------------------------------------------ figures


@dataclass(frozen=True)
class Figures:
    """Feedback received in a period, for QĐ 766 indicators 5.1–5.2 and TT 01/2018
    indicator 8 (handling of feedback, per unit)."""

    received: int
    by_category: dict[str, int]
    handled: int  # answered (published or not) or rejected
    handled_on_time: int
    open_within_time: int
    open_overdue: int

    @property
    def on_time_rate(self) -> float | None:
        """5.2: (handled on time + in process within time) ÷ received."""
        if not self.received:
            return None
        return (self.handled_on_time + self.open_within_time) / self.received

    @property
    def tt01_indicator_8(self) -> int:
        """2: none received, or all handled on time; 1: at least 90 % on time; 0: below.
        (No feedback is ever prolonged here: the deadline has no extension.)"""
        if not self.received:
            return 2
        late = self.handled - self.handled_on_time + self.open_overdue
        if late == 0:
            return 2
        rate = self.on_time_rate or 0.0
        return 1 if rate >= 0.9 else 0


def feedback_figures(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    agency_ids: list[int] | None = None,
    now: datetime.datetime | None = None,
) -> Figures:
    """Counts of the feedback received in [start, end), for some agencies or all; one query."""
    now = now or timezone.now()
    rows = Feedback.objects.filter(received_at__gte=start, received_at__lt=end)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
    handled = Q(status__in=[Status.ANSWERED, Status.PUBLISHED, Status.REJECTED])
    on_time = (Q(status__in=[Status.ANSWERED, Status.PUBLISHED]) & Q(answer_late=False)) | (
        Q(status=Status.REJECTED) & Q(classify_late=False)
    )
    counts = rows.aggregate(
        received=Count("pk"),
        handled=Count("pk", filter=handled),
        handled_on_time=Count("pk", filter=on_time),
        open_overdue=Count("pk", filter=overdue_q(now)),
        open_all=Count("pk", filter=Q(status__in=lifecycle.OPEN)),
    )
    by_category = dict(
        rows.exclude(category="").values_list("category").annotate(n=Count("pk")).order_by()
    )
    return Figures(
        received=counts["received"],
        by_category=by_category,
        handled=counts["handled"],
        handled_on_time=counts["handled_on_time"],
        open_within_time=counts["open_all"] - counts["open_overdue"],
        open_overdue=counts["open_overdue"],
    )
