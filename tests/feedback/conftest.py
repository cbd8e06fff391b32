from dataclasses import replace
from typing import Any

import pytest

from egov.dossiers.services import dossier_create
from egov.feedback.services import FeedbackInput, feedback_send
from tests.conftest import CENTER, JUSTICE, PROVINCE
from tests.dossiers.conftest import CITIZEN

__all__ = ["CENTER", "JUSTICE", "PROVINCE", "about_procedure", "send"]

URLS = "tests.feedback.urls"

# Feedback on the criminal record procedure, whose competent agency is the Justice department.
about_procedure = FeedbackInput(
    kind="report",
    subject_type="procedure",
    procedure_code="2.001417",
    title="Cấp phiếu lý lịch tư pháp chậm",
    content="Tôi nộp hồ sơ cấp phiếu lý lịch tư pháp đã quá hạn mà chưa nhận được kết quả.",
    sender_name="Trần Văn Bình",
    sender_phone="0987654321",
    sender_email="binh@example.vn",
    consent=True,
)


def send(actor: Any, **changes: Any) -> Any:
    return feedback_send(actor=actor, data=replace(about_procedure, **changes))


@pytest.fixture
def anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def handlers(people: dict[str, Any], staff: Any) -> dict[str, Any]:
    """The Justice department's people, the province's administrator, and others."""
    return {
        **people,
        "province_admin": staff("quantri.tinh", PROVINCE, "province_admin"),
        "justice_desk": staff("tiepnhan.stp", JUSTICE, "reception"),
    }


@pytest.fixture
def dossier(procedures: None, people: dict[str, Any], clock: Any) -> Any:
    """A birth registration received at the Long Xuyên desk; the applicant's phone is
    0912345678."""
    return dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
