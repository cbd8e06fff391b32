"""The slot grid and the checks on what a person types: pure, no database."""

import datetime

import pytest

from egov.appointments.rules import Person, canonical_phone, day_slots, person_problems, slot_at
from egov.core.workcal import WorkingCalendar
from tests.appointments.conftest import at

CALENDAR = WorkingCalendar(extra_days_off=[datetime.date(2026, 11, 18)])


def test_a_day_is_cut_into_slots_inside_each_segment():
    slots = day_slots(CALENDAR, datetime.date(2026, 11, 16), 30)
    starts = [f"{slot.starts_at:%H:%M}" for slot in slots]
    assert starts[:2] == ["07:00", "07:30"] and "11:00" in starts and "11:30" not in starts
    assert "13:30" in starts and starts[-1] == "16:30"
    assert len(slots) == 9 + 7
    assert all(slot.ends_at - slot.starts_at == datetime.timedelta(minutes=30) for slot in slots)
    assert [slot.morning for slot in slots].count(True) == 9


def test_a_slot_never_runs_past_its_segment():
    # 07:00-11:30 in 40 minutes: 07:00 … 10:20 (10:20-11:00); 11:00-11:40 would overrun.
    starts = [f"{s.starts_at:%H:%M}" for s in day_slots(CALENDAR, datetime.date(2026, 11, 16), 40)]
    assert "10:20" in starts and "11:00" not in starts


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2026, 11, 21),  # Saturday
        datetime.date(2026, 11, 22),  # Sunday
        datetime.date(2026, 11, 24),  # Vietnam Cultural Day, a day off from 2026
        datetime.date(2026, 11, 18),  # the province's own day off
    ],
)
def test_days_off_have_no_slots(day):
    assert day_slots(CALENDAR, day, 30) == []


def test_only_the_grid_starts_a_slot():
    assert slot_at(CALENDAR, at(17, 7, 30), 30) is not None
    assert slot_at(CALENDAR, at(17, 7, 45), 30) is None
    assert slot_at(CALENDAR, at(17, 12, 0), 30) is None  # the lunch break
    assert slot_at(CALENDAR, at(17, 16, 45), 30) is None  # would end after 17:00
    # The same instant written in UTC is the same slot.
    utc = at(17, 7, 30).astimezone(datetime.UTC)
    assert slot_at(CALENDAR, utc, 30) == slot_at(CALENDAR, at(17, 7, 30), 30)


def test_phone_numbers_have_one_form():
    assert canonical_phone("+84 912.345.678") == canonical_phone("0912-345-678") == "0912345678"


@pytest.mark.parametrize(
    ("person", "field"),
    [
        (Person(full_name="", phone="0912345678"), "full_name"),
        (Person(full_name="A" * 121, phone="0912345678"), "full_name"),
        (Person(full_name="Lê\x00Văn", phone="0912345678"), "full_name"),
        (Person(full_name="<script>", phone="0912345678"), "full_name"),
        (Person(full_name="Lê Văn Tám", phone=""), "phone"),
        (Person(full_name="Lê Văn Tám", phone="12345"), "phone"),
        (Person(full_name="Lê Văn Tám", phone="=HYPERLINK(1)"), "phone"),
        (Person(full_name="Lê Văn Tám", phone="0912345678", email="khong-phai-thu"), "email"),
        (Person(full_name="Lê Văn Tám", phone="0912345678", id_number="12345"), "id_number"),
    ],
)
def test_what_a_person_types_is_checked(person, field):
    problems = person_problems(person.cleaned())
    assert problems.get(field)


def test_a_good_person_has_no_problem():
    person = Person(
        full_name="  Lê   Văn Tám ",
        phone="0912 345 678",
        email="tam@example.vn",
        id_number="089201000123",
    ).cleaned()
    assert person.full_name == "Lê Văn Tám" and person.phone == "0912345678"
    assert person_problems(person) == {}
