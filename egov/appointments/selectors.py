"""Reads of appointments: the desks and procedures one may book, the days and slots with the
places left, one appointment by its link, and a desk's appointments of today."""

import datetime
import re
import uuid
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from egov.catalog.errors import ProcedureNotFoundError
from egov.catalog.models import Procedure
from egov.catalog.selectors import procedure_in_force, procedure_search
from egov.core import workcal
from egov.orgs.models import SERVICE_CENTER_KINDS, Agency, AgencyKind, Role
from egov.orgs.policies import Actor, can_read_everything
from egov.orgs.selectors import memberships_of, working_calendar

from . import policies, rules
from .errors import AppointmentNotFoundError, AppointmentRuleError, SlotTakenError
from .models import Appointment, AppointmentStatus, DeskSchedule, SlotCounter

MAX_PROCEDURE_RESULTS = 20
# What an input must look like before it reaches a query (a NUL byte is an error on
# PostgreSQL; anything else unlike a code is simply not one).
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # models.new_token
_DESK_CODE = re.compile(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}")  # QCVN 102
_PROCEDURE_CODE = re.compile(r"[0-9]\.[0-9]{6}")


def token_well_formed(token: str) -> bool:
    return bool(_TOKEN.fullmatch(token))


def desk_schedule(desk: Agency) -> DeskSchedule:
    """How the desk takes bookings: its row, or the defaults (unsaved) when it has none."""
    try:
        return desk.appointment_schedule
    except DeskSchedule.DoesNotExist:
        return DeskSchedule(agency=desk)


def _bookable_desks(on: datetime.date) -> QuerySet[Agency]:
    return (
        Agency.objects.filter(kind__in=list(SERVICE_CENTER_KINDS), valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .exclude(appointment_schedule__accepting=False)
        .select_related("appointment_schedule")
    )


def desks_for_booking(*, on: datetime.date | None = None) -> list[Agency]:
    """Every desk of the province that takes appointments (intake regardless of
    administrative boundary): the province's center first, then the communes' by name."""
    province_first = Case(
        When(kind=AgencyKind.PROVINCE_SERVICE_CENTER, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        _bookable_desks(on or timezone.localdate()).order_by(province_first, "name", "code")
    )


def desk_for_booking(*, code: str, on: datetime.date | None = None) -> Agency:
    """The desk with this code if it takes appointments; AppointmentRuleError otherwise."""
    desk = None
    if _DESK_CODE.fullmatch(code):
        desk = _bookable_desks(on or timezone.localdate()).filter(code=code).first()
    if desk is None:
        raise AppointmentRuleError(
            "Hãy chọn một Bộ phận Một cửa trong danh sách.",
            code="desk_unknown",
            fields={"desk": "Hãy chọn một Bộ phận Một cửa trong danh sách."},
        )
    return desk


def procedures_for_booking(*, query: str) -> list[Procedure]:
    """Procedures in force matching the words, accents or not (the portal's search)."""
    return list(procedure_search(query=query)[:MAX_PROCEDURE_RESULTS])


def procedure_for_booking(*, national_code: str) -> Procedure:
    message = "Hãy chọn một thủ tục trong danh sách."
    if not _PROCEDURE_CODE.fullmatch(national_code):
        raise AppointmentRuleError(message, code="procedure_unknown", fields={"procedure": message})
    try:
        return procedure_in_force(national_code=national_code)
    except ProcedureNotFoundError:
        raise AppointmentRuleError(
            message, code="procedure_unknown", fields={"procedure": message}
        ) from None


@dataclass(frozen=True)
class SlotOption:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    remaining: int

    @property
    def morning(self) -> bool:
        return self.starts_at.hour < 12

    @property
    def value(self) -> str:
        """How the pages name the slot: its local start, "07:30"."""
        return f"{self.starts_at:%H:%M}"


@dataclass(frozen=True)
class DayOption:
    day: datetime.date
    remaining: int


def day_check(
    *,
    calendar: workcal.WorkingCalendar,
    schedule: DeskSchedule,
    day: datetime.date,
    now: datetime.datetime,
) -> None:
    """AppointmentRuleError (on the field "day") unless the day is a working day of the
    booking window."""
    first, last = rules.booking_window(
        now.astimezone(calendar.tz).date(), schedule.booking_days_ahead
    )
    if not first <= day <= last:
        message = (
            f"Chỉ đặt lịch từ hôm nay đến hết ngày {last:%d/%m/%Y} "
            f"({schedule.booking_days_ahead} ngày tới)."
        )
        raise AppointmentRuleError(message, code="day_out_of_window", fields={"day": message})
    if not calendar.is_working_day(day):
        message = (
            f"Ngày {day:%d/%m/%Y} là ngày nghỉ (thứ Bảy, Chủ nhật, ngày lễ, Tết hoặc nghỉ theo "
            "lịch của tỉnh). Hãy chọn một ngày làm việc."
        )
        raise AppointmentRuleError(message, code="day_off", fields={"day": message})


def slot_for_booking(
    *,
    calendar: workcal.WorkingCalendar,
    schedule: DeskSchedule,
    starts_at: datetime.datetime,
    now: datetime.datetime,
) -> rules.Slot:
    """The slot of the desk's grid starting then, on a working day of the booking window
    and still ahead; AppointmentRuleError naming the wrong input otherwise. Whether it has a
    place left is the booking's question, under the slot's lock."""
    if timezone.is_naive(starts_at):
        message = "Giờ hẹn không hợp lệ."
        raise AppointmentRuleError(message, code="slot_invalid", fields={"time": message})
    local = starts_at.astimezone(calendar.tz)
    day_check(calendar=calendar, schedule=schedule, day=local.date(), now=now)
    slot = rules.slot_at(calendar, local, schedule.slot_minutes)
    if slot is None:
        message = "Hãy chọn một khung giờ trong giờ làm việc của Bộ phận Một cửa."
        raise AppointmentRuleError(message, code="slot_invalid", fields={"time": message})
    if slot.starts_at <= now:
        message = "Khung giờ này đã qua. Hãy chọn một khung giờ khác."
        raise AppointmentRuleError(message, code="slot_past", fields={"time": message})
    return slot


def day_for_booking(
    *, desk: Agency, day: datetime.date, now: datetime.datetime | None = None
) -> list["SlotOption"]:
    """The day's slots if one may book that day at the desk (a working day of the window
    with a slot ahead and a place left); AppointmentRuleError on the field "day" otherwise."""
    now = now or timezone.now()
    calendar = working_calendar()
    schedule = desk_schedule(desk)
    day_check(calendar=calendar, schedule=schedule, day=day, now=now)
    slots = _slot_options(desk=desk, calendar=calendar, schedule=schedule, day=day, now=now)
    if not any(slot.remaining for slot in slots):
        message = f"Ngày {day:%d/%m/%Y} đã hết chỗ. Hãy chọn một ngày khác."
        raise SlotTakenError(message, code="day_full", fields={"day": message})
    return slots


def slot_choice(
    *, desk: Agency, starts_at: datetime.datetime, now: datetime.datetime | None = None
) -> SlotOption:
    """The slot one picked on the time page, if it may be booked now with a place left;
    AppointmentRuleError (SlotTakenError when full) otherwise."""
    now = now or timezone.now()
    calendar = working_calendar()
    schedule = desk_schedule(desk)
    slot = slot_for_booking(calendar=calendar, schedule=schedule, starts_at=starts_at, now=now)
    remaining = max(0, schedule.capacity - _taken(desk, [slot]).get(slot.starts_at, 0))
    if not remaining:
        message = "Khung giờ này đã hết chỗ. Hãy chọn một khung giờ khác."
        raise SlotTakenError(message, code="slot_full", fields={"time": message})
    return SlotOption(starts_at=slot.starts_at, ends_at=slot.ends_at, remaining=remaining)


def _open_slots(
    *,
    calendar: workcal.WorkingCalendar,
    schedule: DeskSchedule,
    day: datetime.date,
    now: datetime.datetime,
) -> list[rules.Slot]:
    first, last = rules.booking_window(
        now.astimezone(calendar.tz).date(), schedule.booking_days_ahead
    )
    if not first <= day <= last:
        return []
    return [
        slot
        for slot in rules.day_slots(calendar, day, schedule.slot_minutes)
        if slot.starts_at > now
    ]


def _taken(desk: Agency, slots: list[rules.Slot]) -> dict[datetime.datetime, int]:
    if not slots:
        return {}
    rows = SlotCounter.objects.filter(
        agency=desk, starts_at__gte=slots[0].starts_at, starts_at__lte=slots[-1].starts_at
    ).values_list("starts_at", "booked")
    return dict(rows)


def booking_days(*, desk: Agency, now: datetime.datetime | None = None) -> list[DayOption]:
    """The working days of the booking window with a slot still ahead, with places left."""
    now = now or timezone.now()
    calendar = working_calendar()
    schedule = desk_schedule(desk)
    first, last = rules.booking_window(
        now.astimezone(calendar.tz).date(), schedule.booking_days_ahead
    )
    by_day: dict[datetime.date, list[rules.Slot]] = {}
    day = first
    while day <= last:
        slots = _open_slots(calendar=calendar, schedule=schedule, day=day, now=now)
        if slots:
            by_day[day] = slots
        day += datetime.timedelta(days=1)
    every = [slot for slots in by_day.values() for slot in slots]
    taken = _taken(desk, every)
    return [
        DayOption(
            day=day,
            remaining=sum(max(0, schedule.capacity - taken.get(s.starts_at, 0)) for s in slots),
        )
        for day, slots in by_day.items()
    ]


def _slot_options(
    *,
    desk: Agency,
    calendar: workcal.WorkingCalendar,
    schedule: DeskSchedule,
    day: datetime.date,
    now: datetime.datetime,
) -> list[SlotOption]:
    slots = _open_slots(calendar=calendar, schedule=schedule, day=day, now=now)
    taken = _taken(desk, slots)
    return [
        SlotOption(
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            remaining=max(0, schedule.capacity - taken.get(slot.starts_at, 0)),
        )
        for slot in slots
    ]


def booking_slots(
    *, desk: Agency, day: datetime.date, now: datetime.datetime | None = None
) -> list[SlotOption]:
    """The day's slots still ahead at the desk, each with the places left (0: full); none
    outside the booking window or on a day off."""
    now = now or timezone.now()
    calendar = working_calendar()
    return _slot_options(
        desk=desk, calendar=calendar, schedule=desk_schedule(desk), day=day, now=now
    )


def appointment_by_token(*, token: str) -> Appointment:
    """The appointment this secret link names; AppointmentNotFoundError otherwise."""
    if not token_well_formed(token):
        raise AppointmentNotFoundError
    appointment = (
        Appointment.objects.select_related("agency", "procedure").filter(token=token).first()
    )
    if appointment is None:
        raise AppointmentNotFoundError
    return appointment


def appointments_today(*, actor: Actor, agency_id: int | None = None) -> list[Appointment]:
    """Today's appointments (booked or arrived) at the actor's desks, or at the one desk
    asked for if the actor may see it, by desk and time: the counter's list and the
    worklist's panel. Each carries `may_mark_arrival` (the actor is that desk's reception).

    Province-wide readers see a desk's list when they name it; with no desk named they see
    those of the desks they work at, like everyone else."""
    memberships = list(memberships_of(user=actor))
    reception = {m.agency_id for m in memberships if m.role == Role.RECEPTION}
    desk_ids = {
        m.agency_id
        for m in memberships
        if m.role in policies.VIEW_ROLES and m.agency.kind in SERVICE_CENTER_KINDS
    }
    if agency_id is not None:
        if agency_id in desk_ids:
            desk_ids = {agency_id}
        elif can_read_everything(actor):
            desk_ids = set(
                Agency.objects.filter(
                    pk=agency_id, kind__in=list(SERVICE_CENTER_KINDS)
                ).values_list("pk", flat=True)
            )
        else:
            desk_ids = set()
    if not desk_ids:
        return []
    appointments = list(
        Appointment.objects.filter(
            agency_id__in=desk_ids,
            day=timezone.localdate(),
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED],
        )
        .select_related("agency", "procedure")
        .order_by("agency__name", "agency_id", "starts_at", "queue_number", "pk")
    )
    for appointment in appointments:
        appointment.may_mark_arrival = appointment.agency_id in reception  # type: ignore[attr-defined]
    return appointments


def desk_for_staff(*, actor: Actor, code: str) -> Agency:
    """The desk with this code if the actor may see its appointments;
    AppointmentNotFoundError otherwise (as if it did not exist)."""
    desk = Agency.objects.filter(code=code).first() if _DESK_CODE.fullmatch(code) else None
    if desk is None or not policies.can_view_desk(actor, desk):
        raise AppointmentNotFoundError
    return desk


def appointment_for_staff(*, actor: Actor, appointment_uuid: uuid.UUID | str) -> Appointment:
    """One appointment at a desk the actor may see; AppointmentNotFoundError otherwise (as
    if it did not exist)."""
    try:
        key = uuid.UUID(str(appointment_uuid))
    except ValueError:
        raise AppointmentNotFoundError from None
    appointment = Appointment.objects.select_related("agency", "procedure").filter(uuid=key).first()
    if appointment is None or not policies.can_view_desk(actor, appointment.agency):
        raise AppointmentNotFoundError
    return appointment
