"""Many people booking the same slot at once, and officers marking arrivals at once: the
capacity holds and queue numbers are distinct and consecutive (PostgreSQL's row locks)."""

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from egov.appointments.errors import SlotTakenError
from egov.appointments.models import Appointment, DeskSchedule, SlotCounter
from egov.appointments.services import appointment_arrive
from tests.appointments.conftest import PERSON, at, book

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 16


def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's real row locks (MOTCUA_TEST_DATABASE_URL=postgres://...)")


def test_a_slot_never_takes_more_than_its_capacity(procedures, desk, clock):
    _needs_postgres()
    DeskSchedule.objects.create(agency=desk, capacity=5)

    def attempt(n: int) -> str:
        try:
            book(starts_at=at(17, 9), person=dataclasses.replace(PERSON, phone=f"0911{n:06d}"))
            return "booked"
        except SlotTakenError:
            return "full"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(attempt, range(60)))

    assert outcomes.count("booked") == 5 and outcomes.count("full") == 55
    assert Appointment.objects.filter(starts_at=at(17, 9)).count() == 5
    assert SlotCounter.objects.get(starts_at=at(17, 9)).booked == 5


def test_one_phone_racing_itself_books_once(procedures, desk, clock):
    _needs_postgres()
    DeskSchedule.objects.create(agency=desk, capacity=50)

    def attempt(_: int) -> str:
        try:
            book(starts_at=at(17, 9))
            return "booked"
        except SlotTakenError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(attempt, range(20)))

    assert outcomes.count("booked") == 1
    assert Appointment.objects.count() == 1


def test_arrivals_at_once_get_distinct_consecutive_numbers(procedures, desk, people, clock):
    _needs_postgres()
    DeskSchedule.objects.create(agency=desk, capacity=100)
    arrivals = 40
    booked = [
        book(starts_at=at(16, 9 + n % 3), person=dataclasses.replace(PERSON, phone=f"0922{n:06d}"))
        for n in range(arrivals)
    ]

    def arrive(appointment: Appointment) -> int:
        try:
            number = appointment_arrive(actor=people["desk"], appointment_uuid=appointment.uuid)
            return int(number.queue_number or 0)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        numbers = list(pool.map(arrive, booked))

    assert sorted(numbers) == list(range(1, arrivals + 1))
