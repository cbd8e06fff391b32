"""Tests for the one-stop-shop working-time calendar (egov.core.workcal)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.core.workcal import (
    DEFAULT_SEGMENTS,
    WORKING_DAY_HOURS,
    Unit,
    WorkingCalendar,
    hours_to_minutes,
    parse_segments,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar()
DAY = WORKING_DAY_HOURS * 60

# No example database: the tests must not write into the working tree.
PROPERTY = settings(max_examples=200, deadline=None, database=None)


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN)


# ---------------------------------------------------------------- worked examples


def test_three_working_days_over_a_weekend_and_vietnam_cultural_day() -> None:
    # holidays>=0.109 makes 24/11 (Vietnam Cultural Day) a public holiday from 2026 on.
    assert not CAL.is_working_day(date(2026, 11, 24))
    received = at(2026, 11, 20, 14)  # Friday
    assert CAL.due_time(received, 3, Unit.WORKING_DAYS) == at(2026, 11, 26, 14)
    # Without that holiday (province works it): Fri 3 h, Mon 8 h, Tue 8 h, Wed 5 h.
    worked = WorkingCalendar(extra_working_days={date(2026, 11, 24)})
    assert worked.due_time(received, 3, Unit.WORKING_DAYS) == at(2026, 11, 25, 14)


def test_deadline_at_segment_end_stays_there() -> None:
    monday = at(2026, 11, 30, 7)
    assert CAL.due_time(monday, 1, Unit.WORKING_DAYS) == at(2026, 11, 30, 17)
    assert CAL.due_time(monday, 2, Unit.WORKING_DAYS) == at(2026, 12, 1, 17)
    assert CAL.due_time(monday, Decimal("4.5"), Unit.HOURS) == at(2026, 11, 30, 11, 30)
    assert CAL.add_working_time(monday, 1) == at(2026, 11, 30, 7, 1)


def test_tet_2027() -> None:
    for day in range(4, 11):
        assert not CAL.is_working_day(date(2027, 2, day))
    received = at(2027, 2, 3, 16, 30)  # 0.5 h left that Wednesday
    assert CAL.due_time(received, 3, "working_days") == at(2027, 2, 15, 16, 30)
    assert CAL.next_opening(at(2027, 2, 8, 9)) == at(2027, 2, 11, 7)
    assert CAL.add_working_time(at(2027, 2, 8, 9), 60) == at(2027, 2, 11, 8)


def test_hung_kings_substitute_day_2026() -> None:
    assert not CAL.is_working_day(date(2026, 4, 26))  # Sunday, the day itself
    assert not CAL.is_working_day(date(2026, 4, 27))  # Monday substitute
    assert not CAL.is_working_day(date(2026, 4, 30))
    assert not CAL.is_working_day(date(2026, 5, 1))
    assert CAL.due_time(at(2026, 4, 24, 14), 1, Unit.WORKING_DAYS) == at(2026, 4, 28, 14)


def test_swapped_saturday_2026() -> None:
    assert CAL.is_working_day(date(2026, 8, 22))
    assert not CAL.is_working_day(date(2026, 8, 31))
    assert CAL.due_time(at(2026, 8, 21, 14), 1, Unit.WORKING_DAYS) == at(2026, 8, 22, 14)
    # Fri 1 h; 29-30/08 weekend, 31/08 swapped off, 01-02/09 National Day; Thu 4.5 h + 2.5 h.
    assert CAL.due_time(at(2026, 8, 28, 16), 1, Unit.WORKING_DAYS) == at(2026, 9, 3, 16)


def test_province_overrides_win() -> None:
    cal = WorkingCalendar(
        extra_days_off={date(2026, 11, 10), date(2026, 8, 22)},
        extra_working_days={date(2026, 11, 14), date(2026, 9, 2)},
    )
    # An extra day off on an ordinary Tuesday is skipped.
    assert CAL.due_time(at(2026, 11, 9, 14), 1, Unit.WORKING_DAYS) == at(2026, 11, 10, 14)
    assert cal.due_time(at(2026, 11, 9, 14), 1, Unit.WORKING_DAYS) == at(2026, 11, 11, 14)
    # An extra working Saturday is worked.
    assert cal.due_time(at(2026, 11, 13, 14), 1, Unit.WORKING_DAYS) == at(2026, 11, 14, 14)
    # Against the package: its swapped Saturday made off, its holiday made worked.
    assert not cal.is_working_day(date(2026, 8, 22))
    assert cal.is_working_day(date(2026, 9, 2))
    assert cal.next_opening(at(2026, 9, 1, 9)) == at(2026, 9, 2, 7)


@pytest.mark.parametrize(
    ("received", "opening"),
    [
        (at(2026, 11, 21, 10), at(2026, 11, 23, 7)),  # Saturday
        (at(2026, 11, 23, 12), at(2026, 11, 23, 13, 30)),  # lunch break
        (at(2026, 11, 23, 17, 30), at(2026, 11, 25, 7)),  # evening; 24/11 is a holiday
        (at(2026, 11, 26, 17, 30), at(2026, 11, 27, 7)),  # evening
        (at(2026, 11, 23, 6, 59), at(2026, 11, 23, 7)),  # early morning
        (at(2026, 11, 23, 11, 30), at(2026, 11, 23, 13, 30)),  # exactly at a segment end
        (at(2026, 11, 23, 17), at(2026, 11, 25, 7)),  # exactly at closing
        (at(2026, 11, 23, 9, 15), at(2026, 11, 23, 9, 15)),  # already running
        (at(2026, 11, 23, 13, 30), at(2026, 11, 23, 13, 30)),  # exactly at an opening
    ],
)
def test_receipt_outside_working_time_starts_at_next_opening(
    received: datetime, opening: datetime
) -> None:
    assert CAL.next_opening(received) == opening
    assert CAL.add_working_time(received, 1) == opening + timedelta(minutes=1)


def test_is_working_time_includes_segment_ends() -> None:
    monday = (2026, 11, 23)
    assert CAL.is_working_time(at(*monday, 7))
    assert CAL.is_working_time(at(*monday, 11, 30))
    assert CAL.is_working_time(at(*monday, 17))
    assert not CAL.is_working_time(at(*monday, 6, 59))
    assert not CAL.is_working_time(at(*monday, 12))
    assert not CAL.is_working_time(at(*monday, 17, 1))
    assert not CAL.is_working_time(at(*monday, 17).replace(second=1))
    assert not CAL.is_working_time(at(2026, 11, 21, 9))  # Saturday


def test_calendar_days_and_months() -> None:
    # Sat 28/11 is not worked: the deadline moves to Monday's closing.
    assert CAL.due_time(at(2026, 11, 23, 9), 5, Unit.DAYS) == at(2026, 11, 30, 17)
    # 31/01/2027 is a Sunday, so the clock starts Mon 01/02 and runs to Mon 01/03.
    assert CAL.due_time(at(2027, 1, 31, 9), 1, Unit.MONTHS) == at(2027, 3, 1, 17)
    # Clamped month ends: 31/12 + 2 months = Sun 28/02 -> Mon 01/03; leap year 29/02.
    assert CAL.due_time(at(2026, 12, 31, 9), 2, Unit.MONTHS) == at(2027, 3, 1, 17)
    assert CAL.due_time(at(2028, 1, 31, 9), 1, "months") == at(2028, 2, 29, 17)
    # 30/04 and 01/05 holidays, Sunday, Monday 03/05 observed: Tuesday 04/05.
    assert CAL.due_time(at(2027, 3, 31, 9), 1, Unit.MONTHS) == at(2027, 5, 4, 17)
    # Received after closing: counted from the next opening's day.
    assert CAL.due_time(at(2026, 11, 27, 17, 30), 1, Unit.DAYS) == at(2026, 12, 1, 17)
    assert CAL.due_time(at(2026, 11, 23, 9), Decimal("2.0"), Unit.DAYS) == at(2026, 11, 25, 17)


def test_fractional_hours_round_half_up() -> None:
    monday = at(2026, 11, 30, 11)
    assert CAL.due_time(monday, Decimal("0.5"), Unit.HOURS) == at(2026, 11, 30, 11, 30)
    assert CAL.due_time(monday, 1, Unit.HOURS) == at(2026, 11, 30, 14)
    assert CAL.due_time(monday, Decimal("0.5"), Unit.WORKING_DAYS) == at(2026, 11, 30, 17)
    assert hours_to_minutes(Decimal("0.025")) == 2  # 1.5 min rounds up
    assert hours_to_minutes(Decimal("0.075")) == 5  # 4.5 min: half-up, not half-even
    assert hours_to_minutes(Decimal("0.0083")) == 0  # 0.498 min rounds down
    assert CAL.due_time(monday, Decimal("0.0083"), Unit.HOURS) == monday


def test_timezone_in_and_out() -> None:
    utc = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi
    due = CAL.add_working_time(utc, 60)
    assert due == at(2026, 11, 30, 8)
    assert due.tzinfo == VN
    assert CAL.add_working_time(utc, 0).tzinfo == VN
    assert CAL.is_working_time(utc)
    # A UTC instant late on Friday is already Saturday in Hanoi.
    assert not CAL.is_working_time(datetime(2026, 11, 27, 20, 0, tzinfo=UTC))


def test_other_segments_keep_the_eight_hour_day() -> None:
    cal = WorkingCalendar(segments=parse_segments("07:30-11:30, 13:00-16:30"))
    assert cal.day_minutes == 450
    monday = at(2026, 11, 30, 7, 30)
    assert cal.due_time(monday, 1, Unit.WORKING_DAYS) == at(2026, 12, 1, 8)
    assert cal.due_time(monday, 1, Unit.DAYS) == at(2026, 12, 1, 16, 30)
    assert not cal.is_working_time(at(2026, 11, 30, 16, 45))


def test_long_limits_are_exact() -> None:
    start = at(2025, 3, 3, 9)
    due = CAL.due_time(start, 750, Unit.WORKING_DAYS)
    assert due.year == 2028
    assert CAL.working_minutes_between(start, due) == 750 * DAY
    assert CAL.working_minutes_between(due, start) == 0


def test_seconds_are_dropped() -> None:
    start = at(2026, 11, 30, 11, 29).replace(second=30)
    assert CAL.add_working_time(start, 0) == start
    assert CAL.add_working_time(start, 1) == at(2026, 11, 30, 11, 30)
    assert CAL.next_opening(start) == start
    assert CAL.working_minutes_between(start, at(2026, 11, 30, 13, 31)) == 2


def test_pause_and_resume_example() -> None:
    received = at(2026, 11, 30, 9)  # Monday
    due = CAL.due_time(received, 2, Unit.WORKING_DAYS)  # Wed 09:00
    assert due == at(2026, 12, 2, 9)
    paused = at(2026, 11, 30, 15)  # 4 h of work done (2.5 + 1.5)
    left = CAL.remaining_at(due, paused)
    assert left == 2 * DAY - 240
    # Resumed the next Monday after closing: the clock restarts Tuesday morning.
    assert CAL.resume(at(2026, 12, 7, 18), left) == at(2026, 12, 9, 11)
    assert CAL.resume(paused, left) == due


# ---------------------------------------------------------------- validation


def test_naive_datetime_is_rejected() -> None:
    naive = datetime(2026, 11, 30, 9)  # noqa: DTZ001 - the point of the test
    aware = at(2026, 11, 30, 9)
    with pytest.raises(ValueError, match="naive"):
        CAL.add_working_time(naive, 60)
    with pytest.raises(ValueError, match="naive"):
        CAL.add_working_time(naive, 0)
    with pytest.raises(ValueError, match="naive"):
        CAL.working_minutes_between(aware, naive)
    with pytest.raises(ValueError, match="naive"):
        CAL.due_time(naive, 1, Unit.DAYS)
    with pytest.raises(ValueError, match="naive"):
        CAL.is_working_time(naive)
    with pytest.raises(ValueError, match="naive"):
        CAL.next_opening(naive)


def test_bad_limits_are_rejected() -> None:
    start = at(2026, 11, 30, 9)
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_time(start, -1)
    with pytest.raises(ValueError, match="negative"):
        CAL.due_time(start, Decimal("-0.5"), Unit.HOURS)
    with pytest.raises(ValueError, match="negative"):
        CAL.due_time(start, -1, Unit.DAYS)
    with pytest.raises(ValueError, match="whole number"):
        CAL.due_time(start, Decimal("1.5"), Unit.MONTHS)
    with pytest.raises(ValueError):
        CAL.due_time(start, 1, "weeks")
    with pytest.raises(TypeError):
        CAL.due_time(start, 1.5, Unit.HOURS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "segments",
    [
        (),
        ((time(11, 30), time(7, 0)),),
        ((time(7, 0), time(7, 0)),),
        ((time(7, 0), time(12, 0)), (time(11, 30), time(17, 0))),
        ((time(13, 30), time(17, 0)), (time(7, 0), time(11, 30))),
        ((time(7, 0, 30), time(11, 30)),),
    ],
)
def test_bad_segments_are_rejected(segments: tuple[tuple[time, time], ...]) -> None:
    with pytest.raises(ValueError, match="working segments"):
        WorkingCalendar(segments=segments)


def test_parse_segments() -> None:
    assert parse_segments("07:00-11:30,13:30-17:00") == DEFAULT_SEGMENTS
    assert parse_segments(" 8:00-12:00 ") == ((time(8), time(12)),)
    for bad in ["", "07:00", "07:00-11:30;13:30-17:00", "7h-11h", "25:00-26:00", "13:00-12:00"]:
        with pytest.raises(ValueError, match="working segments"):
            parse_segments(bad)


def test_conflicting_overrides_are_rejected() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar(extra_days_off=[date(2026, 1, 5)], extra_working_days=[date(2026, 1, 5)])


# ---------------------------------------------------------------- properties

SEGMENT_CHOICES = [DEFAULT_SEGMENTS, parse_segments("08:00-12:00,13:00-17:00,18:00-19:30")]
# Hypothesis bounds must be naive; the zone is attached right after.
starts = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2028, 12, 31, 23, 59),  # noqa: DTZ001
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=VN))
limits = st.integers(min_value=0, max_value=2000 * 60)
positive_limits = st.integers(min_value=1, max_value=2000 * 60)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[WorkingCalendar, datetime]:
    """A start and a calendar whose province overrides fall near that start."""
    start = draw(starts)
    near = st.integers(min_value=-3, max_value=120).map(lambda k: start.date() + timedelta(k))
    days_off = draw(st.frozensets(near, max_size=10))
    working = draw(st.frozensets(near, max_size=10)) - days_off
    cal = WorkingCalendar(
        segments=draw(st.sampled_from(SEGMENT_CHOICES)),
        extra_days_off=days_off,
        extra_working_days=working,
    )
    return cal, start


@PROPERTY
@given(
    scenarios(),
    st.one_of(
        st.tuples(st.just(Unit.HOURS), st.decimals(Decimal("0.01"), 2000, places=2)),
        st.tuples(st.just(Unit.WORKING_DAYS), st.integers(1, 250)),
    ),
)
def test_working_time_due_is_within_working_time(
    scenario: tuple[WorkingCalendar, datetime], limit: tuple[Unit, Decimal | int]
) -> None:
    cal, start = scenario
    unit, value = limit
    due = cal.due_time(start, value, unit)
    minutes = hours_to_minutes(value * WORKING_DAY_HOURS if unit is Unit.WORKING_DAYS else value)
    if minutes == 0:
        assert due == start
        return
    assert due.tzinfo == VN
    assert cal.is_working_day(due.date())
    assert cal.is_working_time(due)
    assert due > start
    assert cal.working_minutes_between(start, due) == minutes


@PROPERTY
@given(scenarios(), limits, limits)
def test_adding_is_associative(scenario: tuple[WorkingCalendar, datetime], a: int, b: int) -> None:
    cal, start = scenario
    assert cal.add_working_time(cal.add_working_time(start, a), b) == cal.add_working_time(
        start, a + b
    )


@PROPERTY
@given(scenarios(), positive_limits)
def test_add_and_between_are_inverse(
    scenario: tuple[WorkingCalendar, datetime], minutes: int
) -> None:
    cal, start = scenario
    due = cal.add_working_time(start, minutes)
    assert cal.working_minutes_between(start, due) == minutes
    assert cal.working_minutes_between(cal.next_opening(start), due) == minutes
    # The due time is the earliest instant with that much work done: nothing is wasted.
    assert cal.working_minutes_between(start, due - timedelta(minutes=1)) == minutes - 1


@PROPERTY
@given(scenarios(), st.integers(1, 300))
def test_whole_days_from_an_opening_end_at_a_closing(
    scenario: tuple[WorkingCalendar, datetime], days: int
) -> None:
    cal, start = scenario
    opening = cal.next_opening(start.replace(hour=0, minute=0))
    due = cal.add_working_time(opening, days * cal.day_minutes)
    assert due.time() == cal.segments[-1][1]
    working_days = sum(
        cal.is_working_day(opening.date() + timedelta(k))
        for k in range((due.date() - opening.date()).days + 1)
    )
    assert working_days == days


@PROPERTY
@given(scenarios(), positive_limits, st.floats(0, 1), st.integers(0, 60 * 24 * 45))
def test_pause_and_resume_lose_and_gain_nothing(
    scenario: tuple[WorkingCalendar, datetime], minutes: int, where: float, gap: int
) -> None:
    cal, start = scenario
    due = cal.add_working_time(start, minutes)
    span = int((due - start).total_seconds() // 60)
    paused = start + timedelta(minutes=round(span * where))  # may fall outside working time
    resumed = paused + timedelta(minutes=gap)
    left = cal.remaining_at(due, paused)
    new_due = cal.resume(resumed, left)
    done = cal.working_minutes_between(start, paused)
    assert done + cal.working_minutes_between(resumed, new_due) == minutes
    # Resuming at once changes nothing.
    assert cal.resume(paused, left) == due


@PROPERTY
@given(scenarios(), st.sampled_from([Unit.DAYS, Unit.MONTHS]), st.integers(0, 40))
def test_calendar_limits_end_at_closing_of_a_working_day(
    scenario: tuple[WorkingCalendar, datetime], unit: Unit, value: int
) -> None:
    cal, start = scenario
    due = cal.due_time(start, value, unit)
    assert due.tzinfo == VN
    assert cal.is_working_day(due.date())
    assert due.time() == cal.segments[-1][1]
    # Only non-working days between the nominal last day and the deadline.
    first = cal.next_opening(start).date()
    if unit is Unit.DAYS:
        nominal = first + timedelta(days=value)
    else:
        year, month0 = divmod(first.month - 1 + value, 12)
        year += first.year
        last_of_month = calendar.monthrange(year, month0 + 1)[1]
        nominal = date(year, month0 + 1, min(first.day, last_of_month))
    assert due.date() >= nominal
    day = nominal
    while day < due.date():
        assert not cal.is_working_day(day)
        day += timedelta(days=1)
