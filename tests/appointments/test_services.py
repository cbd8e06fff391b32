"""Booking, changing, cancelling, arrivals and reminders through the services."""

import dataclasses
import datetime
import re

import pytest
from django.core.management import call_command

from egov.appointments.errors import AppointmentNotFoundError, AppointmentRuleError, SlotTakenError
from egov.appointments.models import Appointment, AppointmentStatus, DeskSchedule, SlotCounter
from egov.appointments.services import (
    appointment_arrive,
    appointment_cancel,
    appointment_change,
    appointments_remind,
    desk_schedule_save,
)
from egov.core.errors import NotAllowedError
from egov.interop.models import OutboxMessage
from egov.orgs.services import calendar_entry_set
from tests.appointments.conftest import PERSON, at, book, other
from tests.conftest import CENTER, COMMUNE_CENTER, JUSTICE

pytestmark = pytest.mark.django_db


def messages_of(appointment, what):
    prefix = f"appointment:{appointment.uuid.hex}:{what}"
    return list(OutboxMessage.objects.filter(idempotency_key__startswith=prefix))


def test_booking_a_slot_tells_the_person_with_the_link(procedures, desk, clock):
    appointment = book(starts_at=at(17, 7, 30))
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.phone == "0912345678"  # one form per number
    assert appointment.ends_at == at(17, 8)
    assert appointment.day == datetime.date(2026, 11, 17)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", appointment.token)  # 256 random bits, no id
    sent = messages_of(appointment, "booked")
    assert {row.payload["channel"] for row in sent} == {"sms", "email"}
    sms = next(row for row in sent if row.payload["channel"] == "sms")
    assert "07:30, Thứ Ba 17/11/2026" in sms.payload["text"]
    assert f"/dat-lich/{appointment.token}/" in sms.payload["text"]
    assert len(sms.payload["text"]) <= 480
    assert SlotCounter.objects.get(starts_at=at(17, 7, 30)).booked == 1


def test_a_full_slot_is_refused(procedures, desk, clock):
    book(starts_at=at(17, 9), person=other("0911111111"))
    book(starts_at=at(17, 9), person=other("0922222222"))
    with pytest.raises(SlotTakenError) as refused:
        book(starts_at=at(17, 9))
    assert refused.value.code == "slot_full" and "hết chỗ" in refused.value.message
    assert Appointment.objects.count() == 2


def test_the_desk_capacity_is_its_own(procedures, desk, clock):
    DeskSchedule.objects.create(agency=desk, capacity=1, slot_minutes=20)
    book(starts_at=at(17, 7, 20), person=other("0911111111"))
    with pytest.raises(SlotTakenError):
        book(starts_at=at(17, 7, 20))
    with pytest.raises(AppointmentRuleError) as off_grid:
        book(starts_at=at(17, 7, 30))  # not a 20-minute slot
    assert off_grid.value.code == "slot_invalid"


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [
        (at(16, 7, 30), "slot_past"),  # this morning, already gone at 08:00
        (at(21, 8), "day_off"),  # Saturday
        (at(22, 8), "day_off"),  # Sunday
        (at(24, 8), "day_off"),  # Vietnam Cultural Day
        (at(17, 12), "slot_invalid"),  # the lunch break
        (at(17, 17), "slot_invalid"),  # after hours
        (at(17, 7, 31), "slot_invalid"),  # off the grid
        (at(16, 7, 30) + datetime.timedelta(days=15), "day_out_of_window"),
        (datetime.datetime(9999, 12, 31, 8, 0, tzinfo=datetime.UTC), "day_out_of_window"),
        (datetime.datetime(2026, 11, 17, 8, 0), "slot_invalid"),  # noqa: DTZ001 (naive)
    ],
)
def test_slots_outside_working_time_or_the_window_are_refused(
    procedures, desk, clock, starts_at, code
):
    with pytest.raises(AppointmentRuleError) as refused:
        book(starts_at=starts_at)
    assert refused.value.code == code and refused.value.message
    assert not Appointment.objects.exists()


def test_the_provinces_own_day_off_is_refused(procedures, desk, clock):
    calendar_entry_set(
        date=datetime.date(2026, 11, 19), kind="day_off", name="Nghỉ bù", legal_basis="QĐ 1/UBND"
    )
    with pytest.raises(AppointmentRuleError) as refused:
        book(starts_at=at(19, 8))
    assert refused.value.code == "day_off"


def test_later_today_is_fine(procedures, desk, clock):
    assert book(starts_at=at(16, 8, 30)).day == datetime.date(2026, 11, 16)


def test_one_person_holds_no_two_bookings_at_the_same_time(procedures, agencies, clock):
    book(starts_at=at(17, 8))
    with pytest.raises(SlotTakenError) as same_desk:
        book(starts_at=at(17, 8), person=dataclasses.replace(PERSON, phone="+84912345678"))
    assert same_desk.value.code == "person_busy"
    with pytest.raises(SlotTakenError):
        book(starts_at=at(17, 8), desk_code=CENTER)  # another desk, the same time
    DeskSchedule.objects.create(agency=agencies[CENTER], slot_minutes=45)
    with pytest.raises(SlotTakenError):
        book(starts_at=at(17, 7, 45), desk_code=CENTER)  # 07:45-08:30 overlaps 08:00-08:30
    assert book(starts_at=at(17, 8, 30), desk_code=CENTER).status == AppointmentStatus.BOOKED


def test_one_phone_holds_at_most_three_upcoming_bookings(procedures, desk, clock):
    for hour in (8, 9, 10):
        book(starts_at=at(17, hour))
    with pytest.raises(AppointmentRuleError) as refused:
        book(starts_at=at(18, 8))
    assert refused.value.code == "too_many" and "phone" in refused.value.fields


def test_only_service_center_desks_and_procedures_in_force(procedures, agencies, clock):
    with pytest.raises(AppointmentRuleError) as not_a_desk:
        book(starts_at=at(17, 8), desk_code=JUSTICE)
    assert "desk" in not_a_desk.value.fields
    with pytest.raises(AppointmentRuleError) as unknown:
        book(starts_at=at(17, 8), procedure_code="9.999999")
    assert "procedure" in unknown.value.fields


def test_a_desk_that_stopped_taking_bookings(procedures, desk, clock):
    desk_schedule_save(
        actor=None,
        agency_id=desk.pk,
        accepting=False,
        slot_minutes=30,
        capacity=2,
        booking_days_ahead=14,
    )
    with pytest.raises(AppointmentRuleError):
        book(starts_at=at(17, 8))


def test_change_moves_the_place_and_tells_the_person(procedures, desk, clock):
    appointment = book(starts_at=at(17, 8))
    changed = appointment_change(token=appointment.token, starts_at=at(19, 14))
    assert changed.starts_at == at(19, 14) and changed.day == datetime.date(2026, 11, 19)
    assert SlotCounter.objects.get(starts_at=at(17, 8)).booked == 0
    assert SlotCounter.objects.get(starts_at=at(19, 14)).booked == 1
    sent = messages_of(appointment, "changed")
    assert sent and "14:00, Thứ Năm 19/11/2026" in sent[0].payload["text"]
    # Back and forth: each change is told.
    appointment_change(token=appointment.token, starts_at=at(17, 8))
    appointment_change(token=appointment.token, starts_at=at(19, 14))
    assert len(messages_of(appointment, "changed")) == 3 * len(sent)


def test_change_to_a_full_slot_keeps_the_booking(procedures, desk, clock):
    appointment = book(starts_at=at(17, 8))
    book(starts_at=at(17, 9), person=other("0911111111"))
    book(starts_at=at(17, 9), person=other("0922222222"))
    with pytest.raises(SlotTakenError):
        appointment_change(token=appointment.token, starts_at=at(17, 9))
    appointment.refresh_from_db()
    assert appointment.starts_at == at(17, 8)
    assert SlotCounter.objects.get(starts_at=at(17, 8)).booked == 1


def test_change_refuses_the_same_slot_and_bad_ones(procedures, desk, clock):
    appointment = book(starts_at=at(17, 8))
    for starts_at, code in [
        (at(17, 8), "same_slot"),
        (at(21, 8), "day_off"),
        (at(16, 7), "slot_past"),
    ]:
        with pytest.raises(AppointmentRuleError) as refused:
            appointment_change(token=appointment.token, starts_at=starts_at)
        assert refused.value.code == code


def test_cancel_frees_the_place_once(procedures, desk, clock):
    appointment = book(starts_at=at(17, 8))
    cancelled = appointment_cancel(token=appointment.token)
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert SlotCounter.objects.get(starts_at=at(17, 8)).booked == 0
    sent = messages_of(appointment, "cancelled")
    assert sent
    appointment_cancel(token=appointment.token)  # a second click changes nothing
    assert len(messages_of(appointment, "cancelled")) == len(sent)
    assert SlotCounter.objects.get(starts_at=at(17, 8)).booked == 0
    with pytest.raises(AppointmentRuleError):
        appointment_change(token=appointment.token, starts_at=at(18, 8))
    # The freed place and the same time can be booked again by the same person.
    assert book(starts_at=at(17, 8)).status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "a" * 500])
def test_an_unknown_link_is_not_found(procedures, desk, clock, token):
    with pytest.raises(AppointmentNotFoundError):
        appointment_cancel(token=token)
    with pytest.raises(AppointmentNotFoundError):
        appointment_change(token=token, starts_at=at(17, 8))


def test_arrivals_get_numbers_from_one_per_desk_and_day(procedures, agencies, people, clock):
    first = book(starts_at=at(16, 9), person=other("0911111111", "Người Một"))
    second = book(starts_at=at(16, 8, 30), person=other("0922222222", "Người Hai"))
    elsewhere = book(starts_at=at(16, 9), person=other("0933333333"), desk_code=CENTER)
    assert appointment_arrive(actor=people["desk"], appointment_uuid=first.uuid).queue_number == 1
    assert appointment_arrive(actor=people["desk"], appointment_uuid=second.uuid).queue_number == 2
    # A double click gives nothing new.
    assert appointment_arrive(actor=people["desk"], appointment_uuid=first.uuid).queue_number == 1
    # Another desk counts its own.
    arrived = appointment_arrive(actor=people["province_desk"], appointment_uuid=elsewhere.uuid)
    assert arrived.queue_number == 1 and arrived.status == AppointmentStatus.ARRIVED
    first.refresh_from_db()
    assert first.arrived_by == people["desk"] and first.arrived_at == clock.now
    # Tomorrow starts again from 1.
    tomorrow = book(starts_at=at(17, 9), person=other("0944444444"))
    clock.set(2026, 11, 17, 8, 50)
    assert (
        appointment_arrive(actor=people["desk"], appointment_uuid=tomorrow.uuid).queue_number == 1
    )


def test_arrival_is_for_the_desks_reception_on_the_day(procedures, agencies, people, staff, clock):
    appointment = book(starts_at=at(16, 9))
    with pytest.raises(AppointmentNotFoundError):  # another desk's officer: not even seen
        appointment_arrive(actor=people["province_desk"], appointment_uuid=appointment.uuid)
    with pytest.raises(NotAllowedError):  # an auditor sees, never acts
        appointment_arrive(actor=people["auditor"], appointment_uuid=appointment.uuid)
    leader = staff("lanhdao.motcua", COMMUNE_CENTER, "leader")
    with pytest.raises(NotAllowedError):
        appointment_arrive(actor=leader, appointment_uuid=appointment.uuid)
    later = book(starts_at=at(17, 9), person=other("0911111111"))
    with pytest.raises(AppointmentRuleError) as not_today:
        appointment_arrive(actor=people["desk"], appointment_uuid=later.uuid)
    assert not_today.value.code == "not_today"
    appointment_cancel(token=later.token)
    clock.set(2026, 11, 17, 8, 0)
    with pytest.raises(AppointmentRuleError):
        appointment_arrive(actor=people["desk"], appointment_uuid=later.uuid)
    with pytest.raises(AppointmentNotFoundError):
        appointment_arrive(actor=people["desk"], appointment_uuid="not-a-uuid")


def test_reminders_go_the_day_before_once(procedures, desk, clock):
    tomorrow = book(starts_at=at(17, 9))
    later = book(starts_at=at(18, 9), person=other("0911111111"))
    cancelled = book(starts_at=at(17, 10), person=other("0922222222"))
    appointment_cancel(token=cancelled.token)
    clock.set(2026, 11, 16, 16, 0)
    assert appointments_remind(now=clock.now) == 1
    sent = messages_of(tomorrow, "reminder")
    assert sent and "Nhắc lịch hẹn ngày mai" in sent[0].payload["subject"]
    assert appointments_remind(now=clock.now) == 0  # run twice: reminded once
    call_command("remind_appointments")
    assert len(messages_of(tomorrow, "reminder")) == len(sent)
    assert not messages_of(later, "reminder") and not messages_of(cancelled, "reminder")
    # Moved to another day, it is reminded again the day before that.
    appointment_change(token=tomorrow.token, starts_at=at(19, 9))
    clock.set(2026, 11, 18, 16, 0)
    assert appointments_remind(now=clock.now) == 1
    assert len(messages_of(tomorrow, "reminder")) == 2 * len(sent)


def test_schedules_are_set_by_the_agency_or_province_admins(
    procedures, agencies, staff, people, clock
):
    desk = agencies[COMMUNE_CENTER]
    own_admin = staff("quantri.xa", COMMUNE_CENTER, "agency_admin")
    other_admin = staff("quantri.tinh.tt", CENTER, "agency_admin")
    province_admin = staff("quantri.tinh", "000.00.00.H01", "province_admin")
    values = dict(
        agency_id=desk.pk, accepting=True, slot_minutes=20, capacity=3, booking_days_ahead=7
    )
    assert desk_schedule_save(actor=own_admin, **values).capacity == 3
    assert desk_schedule_save(actor=province_admin, **{**values, "capacity": 4}).capacity == 4
    for actor in (other_admin, people["desk"], people["auditor"]):
        with pytest.raises(NotAllowedError):
            desk_schedule_save(actor=actor, **values)
    with pytest.raises(AppointmentRuleError) as wrong:
        desk_schedule_save(actor=own_admin, **{**values, "slot_minutes": 0, "capacity": 10**6})
    assert set(wrong.value.fields) == {"slot_minutes", "capacity"}
    # The window follows the schedule: 7 days ahead.
    with pytest.raises(AppointmentRuleError) as far:
        book(starts_at=at(24, 8) + datetime.timedelta(days=1))
    assert far.value.code == "day_out_of_window"
