import datetime
import io
from typing import Any

import pytest

from egov.dossiers.services import (
    Applicant,
    IntakeFile,
    counter_intake,
    dossier_create,
    dossier_perform,
)
from tests.conftest import VN, Clock
from tests.uploads import PDF

__all__ = ["CITIZEN", "VN", "Clock", "act", "received_with_scans_and_an_original"]


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


def received_with_scans_and_an_original(actor: Any) -> Any:
    """A birth registration received at the counter with its declaration scanned in two
    pages (TP01) and the birth certificate's original checked by the officer (TP02)."""
    return counter_intake(
        actor=actor,
        procedure_code="1.001193",
        agency_code=None,
        applicant=CITIZEN,
        return_method="counter",
        form_data={},
        submitter=None,
        files=[
            IntakeFile(component="TP01", stream=io.BytesIO(PDF), name="tokhai.pdf", size=len(PDF)),
            IntakeFile(component="TP01", stream=io.BytesIO(PDF), name="trang2.pdf", size=len(PDF)),
        ],
        decision="receive",
        note="",
        items=[],
        originals_checked=["TP02"],
    )
