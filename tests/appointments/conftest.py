import dataclasses
import datetime
from typing import Any

import pytest

from egov.appointments.rules import Person
from egov.appointments.services import appointment_book
from egov.orgs.models import Agency
from tests.conftest import COMMUNE_CENTER, VN, Clock

__all__ = ["PERSON", "VN", "Clock", "at", "book", "other"]

# Monday 16/11/2026 08:00 is the clock's start (tests.conftest.Clock); 24/11/2026 is a day off
# (Vietnam Cultural Day), 21-22/11 a weekend.
PERSON = Person(full_name="Nguyễn Thị Ánh Tuyết", phone="0912 345 678", email="tuyet@example.vn")


@pytest.fixture(autouse=True)
def _appointment_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.appointments.urls"


def other(phone: str, name: str = "Trần Văn Bình") -> Person:
    """Someone else, with their own phone number."""
    return dataclasses.replace(PERSON, full_name=name, phone=phone, email="")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A time in November 2026, in the province's zone."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=VN)


@pytest.fixture
def desk(agencies: dict[str, Agency]) -> Agency:
    return agencies[COMMUNE_CENTER]


def book(
    *,
    starts_at: datetime.datetime,
    person: Person = PERSON,
    desk_code: str = COMMUNE_CENTER,
    procedure_code: str = "1.001193",
    actor: Any = None,
) -> Any:
    return appointment_book(
        actor=actor,
        desk_code=desk_code,
        procedure_code=procedure_code,
        starts_at=starts_at,
        person=person,
    )
