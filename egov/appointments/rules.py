"""Pure rules of appointments, no database: the slot grid of a day and the checks on what a
person types. The services and the pages ask the same functions.

A day's slots cut each working segment of the province's calendar (07:00–11:30 and
13:30–17:00 by default) from its start into slots of the desk's length; a slot never runs
past its segment's end (07:00, 07:30 … 11:00 and 13:30 … 16:30 with 30 minutes).
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from egov.core import workcal
from egov.core.identifiers import normalise_phone, personal_id_problem, phone_problem

MAX_NAME_LENGTH = 120
MAX_EMAIL_LENGTH = 254
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def morning(self) -> bool:
        return self.starts_at.hour < 12


def day_slots(
    calendar: workcal.WorkingCalendar, day: datetime.date, slot_minutes: int
) -> list[Slot]:
    """Every slot of the day at a desk (none on a day off), in the calendar's zone."""
    if not calendar.is_working_day(day):
        return []
    length = datetime.timedelta(minutes=slot_minutes)
    slots: list[Slot] = []
    for start, end in calendar.segments:
        at = datetime.datetime.combine(day, start, tzinfo=calendar.tz)
        close = datetime.datetime.combine(day, end, tzinfo=calendar.tz)
        while at + length <= close:
            slots.append(Slot(at, at + length))
            at += length
    return slots


def slot_at(
    calendar: workcal.WorkingCalendar, starts_at: datetime.datetime, slot_minutes: int
) -> Slot | None:
    """The slot starting exactly then, or None when no slot of the grid starts then."""
    local = starts_at.astimezone(calendar.tz)
    for slot in day_slots(calendar, local.date(), slot_minutes):
        if slot.starts_at == local:
            return slot
    return None


def booking_window(today: datetime.date, days_ahead: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day a booking may fall on: today and `days_ahead` days later."""
    return today, today + datetime.timedelta(days=days_ahead)


def canonical_phone(phone: str) -> str:
    """One form per number, so "+84 912 345 678" and "0912.345.678" are the same person."""
    number = normalise_phone(phone)
    if number.startswith("+84"):
        number = "0" + number[3:]
    return number


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs"} for char in text)


@dataclass(frozen=True)
class Person:
    """Who comes: as typed, before the checks."""

    full_name: str
    phone: str
    email: str = ""
    id_number: str = ""

    def cleaned(self) -> "Person":
        return Person(
            full_name=" ".join(self.full_name.split()),
            phone=canonical_phone(self.phone.strip()),
            email=self.email.strip(),
            id_number=self.id_number.strip(),
        )


def person_problems(person: Person) -> dict[str, str]:
    """What is wrong with the person's details, by field, in Vietnamese (empty: nothing).
    Give it a `Person.cleaned()`."""
    problems: dict[str, str] = {}
    if not person.full_name:
        problems["full_name"] = "Nhập họ và tên người đến làm thủ tục."
    elif len(person.full_name) > MAX_NAME_LENGTH:
        problems["full_name"] = f"Họ và tên không dài quá {MAX_NAME_LENGTH} ký tự."
    elif _has_control_characters(person.full_name) or any(c in "<>" for c in person.full_name):
        problems["full_name"] = "Họ và tên chỉ gồm chữ cái, dấu cách và dấu chấm."
    if not person.phone:
        problems["phone"] = "Nhập số điện thoại để nhận tin nhắn xác nhận lịch hẹn."
    elif problem := phone_problem(person.phone):
        problems["phone"] = problem
    if person.email:
        try:
            if len(person.email) > MAX_EMAIL_LENGTH or _has_control_characters(person.email):
                raise ValidationError("too long")
            validate_email(person.email)
        except ValidationError:
            problems["email"] = "Địa chỉ thư điện tử không đúng, ví dụ: ten@example.vn."
    if person.id_number and (problem := personal_id_problem(person.id_number)):
        problems["id_number"] = problem
    return problems
