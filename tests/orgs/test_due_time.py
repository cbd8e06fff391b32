"""The due_time command: the DOMAIN examples and the calendar's special days of 2026–2027."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from egov.orgs.services import calendar_entry_set

pytestmark = pytest.mark.django_db


def due(received: str, limit: str, unit: str) -> str:
    out = StringIO()
    call_command("due_time", received=received, limit=limit, unit=unit, stdout=out)
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("received", "limit", "unit", "expected"),
    [
        # DOMAIN §3: Friday 14:00 + 3 working days is Wednesday 14:00.
        ("2026-11-13 14:00", "3", "working_days", "2026-11-18 14:00"),
        # Segment-end convention: Monday 07:00 + 1 working day is Monday 17:00.
        ("2026-11-30 07:00", "1", "working_days", "2026-11-30 17:00"),
        # Tết 2027 (04/02–10/02 off): 0.5 h on Wednesday, then Thu 11, Fri 12, Mon 15.
        ("2027-02-03 16:30", "3", "working_days", "2027-02-15 16:30"),
        # Hùng Kings day 2026 falls on Sunday 26/04; Monday 27/04 is the substitute day off.
        ("2026-04-24 14:00", "1", "working_days", "2026-04-28 14:00"),
        # Saturday 22/08/2026 is worked in exchange for Monday 31/08.
        ("2026-08-21 14:00", "1", "working_days", "2026-08-22 14:00"),
        ("2026-08-28 16:00", "1", "working_days", "2026-09-03 16:00"),
        # Receipt outside working time starts at the next opening.
        ("2026-11-28 10:00", "4", "hours", "2026-11-30 11:00"),
        ("2026-11-30 12:00", "0.5", "hours", "2026-11-30 14:00"),
        # Calendar days end at the close of the last day, moved off a non-working day.
        ("2026-11-23 09:00", "5", "days", "2026-11-30 17:00"),
        ("2027-01-29 09:00", "1", "months", "2027-03-01 17:00"),
    ],
)
def test_due_time_examples(received, limit, unit, expected):
    assert due(received, limit, unit) == expected


def test_province_entries_win_over_the_national_calendar():
    # An extra day off on Monday 16/11/2026 pushes the deadline a day.
    calendar_entry_set(
        date=datetime.date(2026, 11, 16), kind="day_off", name="Nghỉ bù", legal_basis="QĐ mẫu"
    )
    assert due("2026-11-13 14:00", "3", "working_days") == "2026-11-19 14:00"
    # Vietnam Cultural Day (24/11) is off in the national data; the province may work it.
    assert due("2026-11-20 14:00", "3", "working_days") == "2026-11-26 14:00"
    calendar_entry_set(
        date=datetime.date(2026, 11, 24),
        kind="working_day",
        name="Làm việc",
        legal_basis="QĐ mẫu",
    )
    assert due("2026-11-20 14:00", "3", "working_days") == "2026-11-25 14:00"


@pytest.mark.parametrize(
    ("received", "limit", "unit", "message"),
    [
        ("03/02/2027 16:30", "3", "working_days", "YYYY-MM-DD HH:MM"),
        ("2027-02-03 16:30", "ba", "working_days", "phải là một số"),
        ("2027-02-03 16:30", "-1", "working_days", "không âm"),
        ("2027-02-03 16:30", "1.5", "days", "Không tính được thời hạn"),
        ("2027-02-03 16:30", "1000000000", "working_days", "Không tính được thời hạn"),
    ],
)
def test_due_time_rejects_bad_input(received, limit, unit, message):
    with pytest.raises(CommandError, match=message):
        due(received, limit, unit)


def test_due_time_rejects_unknown_unit():
    with pytest.raises(CommandError):
        due("2027-02-03 16:30", "3", "weeks")
