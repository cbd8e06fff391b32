"""Working-time calendar: the legal clock of the one-stop shop.

Decree 61/2018/ND-CP, now replaced by Decree 118/2025/ND-CP, makes every
administrative procedure run against a processing time limit, counted in *working* time:
an agency is only late if the limit runs out while it could have been working. This module
turns a receipt time and a limit into a due time, and back, with these rules:

* Working time is Monday-Friday, in segments (default 07:00-11:30 and 13:30-17:00, local
  time). One working day is always ``WORKING_DAY_HOURS`` = 8 hours, whatever the segments.
* Non-working days are weekends and public holidays from ``holidays.VN`` (Tet, substitute
  days, swapped Saturdays). The province's own records win over the package: a date in
  ``extra_working_days`` is worked, a date in ``extra_days_off`` is not.
* All datetimes are timezone-aware; the calendar works in the province's zone
  (``Asia/Ho_Chi_Minh`` by default) and returns aware datetimes in that zone.
* The clock has minute resolution: durations are whole minutes and seconds are dropped from
  instants before counting (legal limits are never finer than that).
* A receipt outside working time starts at the next opening. A deadline that ends exactly at
  a segment end stays there (Mon 07:00 + 8 h = Mon 17:00), so a deadline is always inside
  working time, segment ends included.
* Limits in calendar days or months end at the close of the last day's working time, moved
  to the next working day if that day is not worked.
* A paused file keeps its remaining working minutes (``remaining_at``) and gets a new due
  time when it resumes (``resume``), so pausing neither loses nor gains time.

Pure and fast: no Django, no I/O. Whole working days are skipped in one step, so limits of
several years cost a loop over days, not over minutes.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "DEFAULT_SEGMENTS",
    "VN_TZ",
    "WORKING_DAY_HOURS",
    "Segments",
    "Unit",
    "WorkingCalendar",
    "hours_to_minutes",
    "parse_segments",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# The law counts a working day as 8 hours; keep this independent of the configured segments
# so a province with a different timetable does not silently change every limit.
WORKING_DAY_HOURS = 8

Segments = tuple[tuple[time, time], ...]

DEFAULT_SEGMENTS: Segments = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)

_ONE_DAY = timedelta(days=1)
_SEGMENT_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class Unit(StrEnum):
    """Unit of a processing time limit."""

    HOURS = "hours"
    WORKING_DAYS = "working_days"
    DAYS = "days"  # calendar days
    MONTHS = "months"


def parse_segments(text: str) -> Segments:
    """Parse ``"07:00-11:30,13:30-17:00"`` into validated working segments."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("working segments: expected a string like '07:00-11:30,13:30-17:00'")
    segments: list[tuple[time, time]] = []
    for raw in text.split(","):
        part = raw.strip().replace(" ", "")
        match = _SEGMENT_RE.match(part)
        if match is None:
            raise ValueError(
                f"working segments: bad segment {raw.strip()!r}, expected 'HH:MM-HH:MM'"
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            segments.append((time(h1, m1), time(h2, m2)))
        except ValueError as exc:
            raise ValueError(f"working segments: bad time in {raw.strip()!r}: {exc}") from None
    result = tuple(segments)
    _validate_segments(result)
    return result


def _validate_segments(segments: Segments) -> None:
    if not segments:
        raise ValueError("working segments: at least one segment is required")
    previous_end: time | None = None
    for segment in segments:
        if not (isinstance(segment, tuple) and len(segment) == 2):
            raise ValueError(f"working segments: {segment!r} is not a (start, end) pair")
        start, end = segment
        for value in (start, end):
            if not isinstance(value, time):
                raise ValueError(f"working segments: {value!r} is not a datetime.time")
            # Segment bounds are wall-clock minutes; an offset or seconds would break the
            # minute arithmetic.
            if value.tzinfo is not None or value.second or value.microsecond:
                raise ValueError(
                    f"working segments: {value!r} must be a naive time on a whole minute"
                )
        if start >= end:
            raise ValueError(f"working segments: start {start} is not before end {end}")
        if previous_end is not None and start < previous_end:
            raise ValueError(
                f"working segments: segment starting {start} overlaps or is out of order"
            )
        previous_end = end


# The largest number a limit may carry, whatever its unit.
MAX_LIMIT = 100_000


def hours_to_minutes(hours: int | Decimal) -> int:
    """Convert a (possibly fractional) number of hours to whole minutes, rounding half-up."""
    return _to_minutes(_check_amount(hours) * 60)


def _check_amount(value: int | Decimal) -> Decimal:
    # bool is an int, and float would carry binary rounding into a legal deadline.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"time limit must be an int or Decimal, got {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"time limit must be finite, got {value}")
    if amount < 0:
        raise ValueError(f"time limit must not be negative, got {value}")
    if amount > MAX_LIMIT:
        # No procedure runs for centuries; refusing early keeps a typo from walking the
        # calendar day by day to the end of time.
        raise ValueError(f"time limit must not exceed {MAX_LIMIT}, got {value}")
    return amount


def _to_minutes(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month0 + 1
    # 31 Jan + 1 month is the last day of February, not an error.
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@cache
def _package_days_off(year: int) -> frozenset[date]:
    """Non-working days of ``year`` according to the holidays package (weekends included)."""
    # A fresh object per year keeps this thread-safe (holidays populates lazily), and the
    # neighbouring years catch observed days that spill over New Year.
    # country_holidays("VN") is holidays.VN() with a typed signature.
    vn = holidays.country_holidays("VN", years=range(year - 1, year + 2))
    first = date(year, 1, 1)
    days = (first + timedelta(days=i) for i in range(366))
    return frozenset(d for d in days if d.year == year and not vn.is_working_day(d))


def _minute(t: time) -> int:
    return t.hour * 60 + t.minute


class WorkingCalendar:
    """Working-time arithmetic for one province. Immutable after construction."""

    __slots__ = (
        "_cache",
        "_day_minutes",
        "_extra_days_off",
        "_extra_working_days",
        "_segments",
        "_spans",
        "_tz",
    )

    def __init__(
        self,
        *,
        segments: Segments = DEFAULT_SEGMENTS,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        tz: ZoneInfo = VN_TZ,
    ) -> None:
        segments = tuple(segments)
        _validate_segments(segments)
        days_off = _date_set(extra_days_off, "extra_days_off")
        working_days = _date_set(extra_working_days, "extra_working_days")
        if clash := days_off & working_days:
            listed = ", ".join(sorted(d.isoformat() for d in clash))
            raise ValueError(f"dates both in extra_days_off and extra_working_days: {listed}")
        self._segments: Segments = segments
        self._extra_days_off = days_off
        self._extra_working_days = working_days
        self._tz = tz
        # Segments as (start, end) minutes of the day.
        self._spans: tuple[tuple[int, int], ...] = tuple(
            (_minute(s), _minute(e)) for s, e in segments
        )
        self._day_minutes = sum(e - s for s, e in self._spans)
        self._cache: dict[date, bool] = {}

    def __repr__(self) -> str:
        spans = ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self._segments)
        return (
            f"WorkingCalendar(segments={spans!r}, extra_days_off={len(self._extra_days_off)}, "
            f"extra_working_days={len(self._extra_working_days)}, tz={self._tz.key!r})"
        )

    # Read-only views of the configuration.
    @property
    def segments(self) -> Segments:
        return self._segments

    @property
    def extra_days_off(self) -> frozenset[date]:
        return self._extra_days_off

    @property
    def extra_working_days(self) -> frozenset[date]:
        return self._extra_working_days

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    @property
    def day_minutes(self) -> int:
        """Working minutes of one working day under these segments (480 by default)."""
        return self._day_minutes

    # ------------------------------------------------------------------ days and instants

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is worked: province records first, then the holidays package."""
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"expected a date, got {type(day).__name__}")
        cached = self._cache.get(day)
        if cached is None:
            if day in self._extra_working_days:
                cached = True
            elif day in self._extra_days_off:
                cached = False
            else:
                cached = day not in _package_days_off(day.year)
            self._cache[day] = cached
        return cached

    def is_working_time(self, dt: datetime) -> bool:
        """Whether ``dt`` is on a working day within a segment, segment ends included."""
        local = self._local(dt)
        if not self.is_working_day(local.date()):
            return False
        t = local.time()
        return any(s <= t <= e for s, e in self._segments)

    def next_opening(self, dt: datetime) -> datetime:
        """``dt`` if the clock is running at ``dt``, else the next segment opening."""
        local = self._local(dt)
        t = local.time()
        if self.is_working_day(local.date()) and any(s <= t < e for s, e in self._segments):
            return local
        return self._to_datetime(*self._begin(local.date(), _minute(t)))

    # ------------------------------------------------------------------ arithmetic

    def add_working_time(self, start: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` working minutes after ``start``."""
        local = self._local(start)
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise TypeError(f"minutes must be an int, got {type(minutes).__name__}")
        if minutes < 0:
            raise ValueError(f"minutes must not be negative, got {minutes}")
        if minutes == 0:
            return local
        day, minute = self._begin(*self._split(local))
        # Finish on the first day if it can; ``<=`` keeps a deadline at the segment end.
        available = self._day_minutes - self._elapsed(minute)
        if minutes <= available:
            return self._to_datetime(day, self._at_elapsed(self._elapsed(minute) + minutes))
        remaining = minutes - available
        # Whole working days in one step each; ``>`` leaves the last day with 1..day_minutes.
        day = self._next_working_day(day)
        while remaining > self._day_minutes:
            remaining -= self._day_minutes
            day = self._next_working_day(day)
        return self._to_datetime(day, self._at_elapsed(remaining))

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Working minutes in ``[a, b]``; 0 if ``b <= a``."""
        day_a, minute_a = self._split(self._local(a))
        day_b, minute_b = self._split(self._local(b))
        if (day_b, minute_b) <= (day_a, minute_a):
            return 0
        if day_a == day_b:
            if not self.is_working_day(day_a):
                return 0
            return self._elapsed(minute_b) - self._elapsed(minute_a)
        total = 0
        if self.is_working_day(day_a):
            total += self._day_minutes - self._elapsed(minute_a)
        if self.is_working_day(day_b):
            total += self._elapsed(minute_b)
        day = day_a + _ONE_DAY
        while day < day_b:
            if self.is_working_day(day):
                total += self._day_minutes
            day += _ONE_DAY
        return total

    def due_time(self, received: datetime, value: int | Decimal, unit: Unit | str) -> datetime:
        """Due time of a limit of ``value`` ``unit`` for a file received at ``received``."""
        unit = Unit(unit)
        amount = _check_amount(value)
        if unit is Unit.HOURS:
            return self.add_working_time(received, _to_minutes(amount * 60))
        if unit is Unit.WORKING_DAYS:
            return self.add_working_time(received, _to_minutes(amount * WORKING_DAY_HOURS * 60))
        if amount != amount.to_integral_value():
            raise ValueError(f"a limit in {unit.value} must be a whole number, got {value}")
        count = int(amount)
        # Same opening rule as add_working_time: a receipt at closing time counts from the
        # next opening.
        first = self.next_opening(received).date()
        last = first + timedelta(days=count) if unit is Unit.DAYS else _add_months(first, count)
        if not self.is_working_day(last):
            last = self._next_working_day(last)
        return self._to_datetime(last, self._spans[-1][1])

    def remaining_at(self, due: datetime, at: datetime) -> int:
        """Working minutes left on the clock when it stops at ``at``."""
        return self.working_minutes_between(at, due)

    def resume(self, at: datetime, remaining_minutes: int) -> datetime:
        """New due time when the clock restarts at ``at`` with ``remaining_minutes`` left."""
        return self.add_working_time(at, remaining_minutes)

    # ------------------------------------------------------------------ internals

    def _local(self, dt: datetime) -> datetime:
        if not isinstance(dt, datetime):
            raise TypeError(f"expected a datetime, got {type(dt).__name__}")
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError(
                f"naive datetime {dt.isoformat()}: the working calendar needs an aware one"
            )
        return dt.astimezone(self._tz)

    @staticmethod
    def _split(local: datetime) -> tuple[date, int]:
        # Minute resolution: seconds are dropped.
        return local.date(), local.hour * 60 + local.minute

    def _to_datetime(self, day: date, minute: int) -> datetime:
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self._tz)

    def _elapsed(self, minute: int) -> int:
        """Working minutes of a working day before ``minute`` of that day."""
        return sum(min(max(minute, s), e) - s for s, e in self._spans)

    def _at_elapsed(self, elapsed: int) -> int:
        """Minute of the day when ``elapsed`` (1..day_minutes) working minutes are done."""
        for s, e in self._spans:
            if elapsed <= e - s:
                return s + elapsed
            elapsed -= e - s
        raise AssertionError("elapsed beyond the working day")  # pragma: no cover

    def _begin(self, day: date, minute: int) -> tuple[date, int]:
        """Where the clock runs from, for an instant at ``minute`` of ``day``."""
        if self.is_working_day(day):
            for s, e in self._spans:
                if minute < e:
                    return day, max(minute, s)
        return self._next_working_day(day), self._spans[0][0]

    def _next_working_day(self, day: date) -> date:
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day


def _date_set(values: Iterable[date], name: str) -> frozenset[date]:
    result = frozenset(values)
    for value in result:
        # A datetime never equals a date, so it would silently match nothing.
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"{name}: expected dates, got {value!r}")
    return result
