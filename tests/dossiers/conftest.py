import datetime
from typing import Any

import pytest
from django.utils import timezone

from egov.dossiers.services import Applicant, dossier_create, dossier_perform
from tests.conftest import CENTER, COMMUNE, COMMUNE_CENTER, JUSTICE, POLICE, PROVINCE

VN = datetime.timezone(datetime.timedelta(hours=7))

CITIZEN = Applicant(
    type=1,
    name="Nguyễn Thị Ánh Tuyết",
    id_number="089301000123",  # 089: An Giang; 3: a woman born in the 2000s; 01: 2001
    birth_date=datetime.date(2001, 5, 17),
    gender="female",
    phone="0912345678",
    email="tuyet@example.vn",
    ward_code=30307,
    street="12 Trần Hưng Đạo",
)


class Clock:
    """Sets the time the services see (`timezone.now`), in the province's zone."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime.datetime(2026, 11, 16, 8, 0, tzinfo=VN)  # a Monday morning
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, *args: int) -> None:
        self.now = datetime.datetime(*args, tzinfo=VN)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def people(staff: Any) -> dict[str, Any]:
    """One person for each part of a dossier's life in the small province."""
    return {
        "desk": staff("tiepnhan.xa", COMMUNE_CENTER, "reception"),
        "specialist": staff("chuyenvien.xa", COMMUNE, "specialist"),
        "leader": staff("lanhdao.xa", COMMUNE, "leader"),
        "police": staff("congan", POLICE, "specialist"),
        "province_desk": staff("tiepnhan.tinh", CENTER, "reception"),
        "justice": staff("chuyenvien.stp", JUSTICE, "specialist"),
        "justice_leader": staff("lanhdao.stp", JUSTICE, "leader"),
        "auditor": staff("thanhtra", PROVINCE, "auditor"),
    }


@pytest.fixture
def counter_dossier(procedures: None, people: dict[str, Any], clock: Clock) -> Any:
    """A birth registration received at the Long Xuyên desk on Monday 16/11/2026 08:00."""
    return dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )


def act(dossier: Any, action: str, actor: Any, **params: Any) -> Any:
    """Take an action with the version the dossier shows (as a page or client would)."""
    dossier.refresh_from_db()
    return dossier_perform(
        key=dossier.code or str(dossier.reference),
        action=action,
        actor=actor,
        version=dossier.version,
        **params,
    )
