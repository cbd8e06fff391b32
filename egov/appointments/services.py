"""Writes of appointments: book, change, cancel (by the secret link), mark an arrival with a
queue number (the desk's reception), remind the day before (the daily job), and set how a
desk takes bookings.

Every write locks before it checks: a slot's `SlotCounter` row for its places (two slots in
the order of their start, for a change), the appointment's row first when there is one, the
desk's `QueueCounter` for a queue number. The message to the person is an outbox row written
in the same transaction (`notifications.services.citizen_notify`, idempotent by key).
"""

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from egov.core.errors import NotAllowedError
from egov.notifications.services import Recipient, citizen_notify
from egov.orgs.models import Agency
from egov.orgs.selectors import working_calendar

from . import policies, rules, selectors
from .errors import AppointmentNotFoundError, AppointmentRuleError, SlotTakenError
from .models import (
    Appointment,
    AppointmentStatus,
    DeskSchedule,
    QueueCounter,
    SlotCounter,
)
from .rules import Person

# Bookings still ahead that one phone number may hold at once (one per slot, across desks):
# enough for a family's errands, too few to hoard a desk's week.
MAX_UPCOMING_PER_PHONE = 3
MAX_QUEUE_NUMBER = 9999

CitizenActor = AbstractBaseUser | AnonymousUser | None


def manage_url(token: str) -> str:
    """The link that shows, changes and cancels the appointment: its secret is the token."""
    path = reverse("appointments:manage", args=[token])
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}{path}"


def when_text(starts_at: datetime.datetime) -> str:
    """ "07:30, Thứ Ba 17/11/2026" in the province's time."""
    local = timezone.localtime(starts_at)
    return f"{local:%H:%M}, {rules.WEEKDAYS[local.weekday()]} {local:%d/%m/%Y}"


def _notify(appointment: Appointment, message: str, key: str) -> int:
    desk = appointment.agency
    context: dict[str, Any] = {
        "name": appointment.full_name,
        "desk_name": desk.name,
        "desk_address": desk.address,
        "desk_phone": desk.phone,
        "procedure_name": appointment.procedure.name,
        "procedure_code": appointment.procedure.national_code,
        "when": when_text(appointment.starts_at),
        "manage_url": manage_url(appointment.token),
    }
    return citizen_notify(
        recipient=Recipient(
            name=appointment.full_name,
            phone=appointment.phone,
            email=appointment.email,
            user_id=appointment.user_id,
        ),
        template=f"appointments/messages/{message}",
        context=context,
        key=f"appointment:{appointment.uuid.hex}:{key}",
    )


def _locked_counter(desk: Agency, starts_at: datetime.datetime) -> SlotCounter:
    SlotCounter.objects.bulk_create(
        [SlotCounter(agency=desk, starts_at=starts_at, booked=0)], ignore_conflicts=True
    )
    return SlotCounter.objects.select_for_update().get(agency=desk, starts_at=starts_at)


def _check_place(counter: SlotCounter, schedule: DeskSchedule) -> None:
    if counter.booked >= schedule.capacity:
        message = "Khung giờ này vừa hết chỗ. Hãy chọn một khung giờ khác."
        raise SlotTakenError(message, code="slot_full", fields={"time": message})


def _check_person_free(
    *, phone: str, slot: rules.Slot, now: datetime.datetime, exclude: int | None = None
) -> None:
    """One person (a phone number) holds no two bookings at the same time, anywhere."""
    held = Appointment.objects.filter(phone=phone, status=AppointmentStatus.BOOKED)
    if exclude is not None:
        held = held.exclude(pk=exclude)
    if held.filter(starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at).exists():
        message = (
            "Số điện thoại này đã có một lịch hẹn khác vào giờ này. Hãy chọn giờ khác, "
            "hoặc đổi lịch hẹn kia bằng đường dẫn trong tin nhắn xác nhận."
        )
        raise SlotTakenError(message, code="person_busy", fields={"time": message})
    if exclude is None and held.filter(ends_at__gt=now).count() >= MAX_UPCOMING_PER_PHONE:
        message = (
            f"Mỗi số điện thoại giữ tối đa {MAX_UPCOMING_PER_PHONE} lịch hẹn chưa đến. "
            "Hãy hủy bớt lịch hẹn không cần nữa rồi đặt lại."
        )
        raise AppointmentRuleError(message, code="too_many", fields={"phone": message})


def _save_new_time(appointment: Appointment, fields: list[str]) -> None:
    """Save under a savepoint: the database's "one booking per phone and time" answers a
    race the check above could not see (two desks, the same second)."""
    try:
        with transaction.atomic():
            if appointment.pk is None:
                appointment.save()
            else:
                appointment.save(update_fields=fields)
    except IntegrityError:
        message = "Số điện thoại này đã có một lịch hẹn khác vào giờ này."
        raise SlotTakenError(message, code="person_busy", fields={"time": message}) from None


def _citizen_user_id(actor: CitizenActor) -> int | None:
    """The signed-in citizen (an account with a national e-identity), whose channel
    choices apply; staff booking for someone and anonymous people are not recorded."""
    if actor is None or not actor.is_authenticated:
        return None
    if getattr(actor, "citizen_identity", None) is None:
        return None
    return int(actor.pk)


@transaction.atomic(durable=True)
def appointment_book(
    *,
    actor: CitizenActor,
    desk_code: str,
    procedure_code: str,
    starts_at: datetime.datetime,
    person: Person,
) -> Appointment:
    """Book a slot at a desk for a procedure. Anyone may, signed in or not."""
    now = timezone.now()
    person = person.cleaned()
    if problems := rules.person_problems(person):
        raise AppointmentRuleError(
            "Thông tin người đến làm thủ tục chưa đúng.", code="person_invalid", fields=problems
        )
    desk = selectors.desk_for_booking(code=desk_code)
    procedure = selectors.procedure_for_booking(national_code=procedure_code)
    schedule = selectors.desk_schedule(desk)
    calendar = working_calendar()
    slot = selectors.slot_for_booking(
        calendar=calendar, schedule=schedule, starts_at=starts_at, now=now
    )
    counter = _locked_counter(desk, slot.starts_at)
    _check_place(counter, schedule)
    _check_person_free(phone=person.phone, slot=slot, now=now)
    appointment = Appointment(
        agency=desk,
        procedure=procedure,
        day=slot.starts_at.date(),
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        full_name=person.full_name,
        phone=person.phone,
        email=person.email,
        id_number=person.id_number,
        user_id=_citizen_user_id(actor),
    )
    _save_new_time(appointment, [])
    counter.booked += 1
    counter.save(update_fields=["booked"])
    _notify(appointment, "booked", "booked")
    return appointment


def _locked_by_token(token: str) -> Appointment:
    if not selectors.token_well_formed(token):
        raise AppointmentNotFoundError
    appointment = Appointment.objects.select_for_update().filter(token=token).first()
    if appointment is None:
        raise AppointmentNotFoundError
    return appointment


@transaction.atomic(durable=True)
def appointment_change(*, token: str, starts_at: datetime.datetime) -> Appointment:
    """Move a booking to another slot of the same desk (the link's holder)."""
    now = timezone.now()
    appointment = _locked_by_token(token)
    if appointment.status != AppointmentStatus.BOOKED:
        raise AppointmentRuleError(
            f"Lịch hẹn này {appointment.get_status_display().lower()}, không đổi được nữa.",
            code="not_booked",
        )
    if not policies.can_change(appointment, now=now):
        raise AppointmentRuleError(
            "Đã đến giờ hẹn nên không đổi được lịch này nữa. Hãy đặt một lịch hẹn mới.",
            code="started",
        )
    desk = appointment.agency
    schedule = selectors.desk_schedule(desk)
    calendar = working_calendar()
    slot = selectors.slot_for_booking(
        calendar=calendar, schedule=schedule, starts_at=starts_at, now=now
    )
    if slot.starts_at == appointment.starts_at:
        message = "Đây đúng là giờ bạn đang hẹn. Hãy chọn một khung giờ khác."
        raise AppointmentRuleError(message, code="same_slot", fields={"time": message})
    # Two slots locked in the order of their start, so two changes never wait on each other.
    counters = {
        at: _locked_counter(desk, at) for at in sorted([appointment.starts_at, slot.starts_at])
    }
    old, new = counters[appointment.starts_at], counters[slot.starts_at]
    _check_place(new, schedule)
    _check_person_free(phone=appointment.phone, slot=slot, now=now, exclude=appointment.pk)
    appointment.starts_at, appointment.ends_at = slot.starts_at, slot.ends_at
    appointment.day = slot.starts_at.date()
    appointment.changes += 1
    appointment.reminded_at = None  # the new day gets its own reminder
    _save_new_time(appointment, ["starts_at", "ends_at", "day", "changes", "reminded_at"])
    old.booked = max(0, old.booked - 1)
    old.save(update_fields=["booked"])
    new.booked += 1
    new.save(update_fields=["booked"])
    _notify(appointment, "changed", f"changed:{appointment.changes}")
    return appointment


@transaction.atomic(durable=True)
def appointment_cancel(*, token: str) -> Appointment:
    """Cancel a booking (the link's holder) and free its place. Cancelling twice is once."""
    now = timezone.now()
    appointment = _locked_by_token(token)
    if appointment.status == AppointmentStatus.CANCELLED:
        return appointment
    if appointment.status == AppointmentStatus.ARRIVED:
        raise AppointmentRuleError(
            "Bạn đã đến làm thủ tục theo lịch hẹn này nên không hủy được nữa.",
            code="arrived",
        )
    if not policies.can_cancel(appointment, now=now):
        raise AppointmentRuleError("Giờ hẹn đã qua nên không cần hủy lịch hẹn này.", code="past")
    counter = _locked_counter(appointment.agency, appointment.starts_at)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    appointment.save(update_fields=["status", "cancelled_at"])
    counter.booked = max(0, counter.booked - 1)
    counter.save(update_fields=["booked"])
    _notify(appointment, "cancelled", "cancelled")
    return appointment


def _next_queue_number(desk: Agency, day: datetime.date) -> int:
    """The desk's next number of the day, from 1: the counter row is locked, so two officers
    marking arrivals at once never give the same number."""
    QueueCounter.objects.bulk_create(
        [QueueCounter(agency=desk, day=day, last=0)], ignore_conflicts=True
    )
    counter = QueueCounter.objects.select_for_update().get(agency=desk, day=day)
    if counter.last >= MAX_QUEUE_NUMBER:
        raise AppointmentRuleError(
            f"Bộ phận Một cửa đã cấp hết {MAX_QUEUE_NUMBER} số thứ tự của hôm nay.",
            code="queue_exhausted",
        )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic(durable=True)
def appointment_arrive(*, actor: User, appointment_uuid: uuid.UUID | str) -> Appointment:
    """The person came to the desk: the reception officer gives the day's next queue
    number. Marking the same arrival twice (a double click) gives the number once."""
    try:
        key = uuid.UUID(str(appointment_uuid))
    except ValueError:
        raise AppointmentNotFoundError from None
    appointment = Appointment.objects.select_for_update().filter(uuid=key).first()
    if appointment is None:
        raise AppointmentNotFoundError
    desk = appointment.agency
    if not policies.can_view_desk(actor, desk):
        raise AppointmentNotFoundError
    if not policies.can_mark_arrival(actor, desk):
        raise NotAllowedError("Chỉ cán bộ tiếp nhận của Bộ phận Một cửa này được cấp số thứ tự.")
    if appointment.status == AppointmentStatus.ARRIVED:
        return appointment
    if appointment.status == AppointmentStatus.CANCELLED:
        raise AppointmentRuleError("Lịch hẹn này đã bị hủy.", code="cancelled")
    today = timezone.localdate()
    if appointment.day != today:
        raise AppointmentRuleError(
            f"Lịch hẹn này vào ngày {appointment.day:%d/%m/%Y}, không phải hôm nay.",
            code="not_today",
        )
    appointment.queue_number = _next_queue_number(desk, today)
    appointment.status = AppointmentStatus.ARRIVED
    appointment.arrived_at = timezone.now()
    appointment.arrived_by = actor
    appointment.save(update_fields=["queue_number", "status", "arrived_at", "arrived_by"])
    return appointment


def appointments_due_reminder(*, now: datetime.datetime) -> list[int]:
    """The bookings of tomorrow (the province's calendar day) not yet reminded, by id."""
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    return list(
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED, day=tomorrow, reminded_at__isnull=True
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def appointment_remind(*, appointment_id: int, now: datetime.datetime) -> bool:
    """Remind the person of tomorrow's appointment, once per appointment and day (the row
    keeps when, the message's key the day). False when there is nothing to remind."""
    appointment = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    if (
        appointment is None
        or appointment.status != AppointmentStatus.BOOKED
        or appointment.reminded_at is not None
        or appointment.day != tomorrow
    ):
        return False
    _notify(appointment, "reminder", f"reminder:{appointment.day:%Y%m%d}")
    appointment.reminded_at = now
    appointment.save(update_fields=["reminded_at"])
    return True


def appointments_remind(*, now: datetime.datetime) -> int:
    """The daily job: remind everyone booked for tomorrow; each in its own transaction.
    Running it twice reminds nobody twice. Returns how many were reminded."""
    return sum(
        appointment_remind(appointment_id=pk, now=now) for pk in appointments_due_reminder(now=now)
    )


@transaction.atomic  # the admin site calls it inside its own transaction
def desk_schedule_save(
    *,
    actor: User | None,
    agency_id: int,
    accepting: bool,
    slot_minutes: int,
    capacity: int,
    booking_days_ahead: int,
) -> DeskSchedule:
    """Set how a desk takes bookings (its agency's administrators, the province's;
    `actor=None` is the operator at the command line). Existing bookings keep their time."""
    desk = Agency.objects.filter(pk=agency_id).first()
    if desk is None:
        raise AppointmentRuleError("Không có cơ quan này.", code="desk_unknown")
    if actor is not None and not policies.can_manage_schedule(actor, desk):
        raise NotAllowedError(
            "Chỉ quản trị của cơ quan hoặc quản trị tỉnh được đặt lịch tiếp công dân."
        )
    problems: dict[str, str] = {}
    if not 5 <= slot_minutes <= 240:
        problems["slot_minutes"] = "Mỗi khung giờ dài từ 5 đến 240 phút."
    if not 1 <= capacity <= 100:
        problems["capacity"] = "Mỗi khung giờ nhận từ 1 đến 100 người."
    if not 1 <= booking_days_ahead <= 90:
        problems["booking_days_ahead"] = "Cho đặt trước từ 1 đến 90 ngày."
    if problems:
        raise AppointmentRuleError(
            "Lịch tiếp công dân chưa đúng.", code="schedule_invalid", fields=problems
        )
    schedule, _ = DeskSchedule.objects.update_or_create(
        agency=desk,
        defaults={
            "accepting": accepting,
            "slot_minutes": slot_minutes,
            "capacity": capacity,
            "booking_days_ahead": booking_days_ahead,
        },
    )
    return schedule
