"""The public look-up page that the QR code on every slip opens."""

import pytest
from django.urls import reverse

from egov.dossiers.services import dossier_create
from tests.dossiers.conftest import CITIZEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(procedures, people, clock):
    return dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    ).code


def test_the_qr_address_shows_status_and_due_time_only(client, code):
    response = client.get(reverse("portal:lookup_code", args=[code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Được tiếp nhận" in html and "Thủ tục đăng ký khai sinh" in html
    assert "08:00 ngày 17/11/2026" in html
    assert "Tuyết" not in html and "089301000123" not in html


def test_typing_a_code_and_a_wrong_one(client, code):
    assert "Được tiếp nhận" in client.get(reverse("portal:lookup"), {"ma": code}).content.decode()
    missing = client.get(reverse("portal:lookup"), {"ma": "000.00.00.H01-000000-0001"})
    assert missing.status_code == 404
    assert "Không tìm thấy hồ sơ có mã này" in missing.content.decode()


def test_look_ups_are_rate_limited(client, code):
    statuses = {
        client.get(reverse("portal:lookup_code", args=[code])).status_code for _ in range(40)
    }
    assert 429 in statuses


def test_the_code_is_found_in_any_letter_case(client, code):
    response = client.get(reverse("portal:lookup"), {"ma": f"  {code.lower()} "})
    assert response.status_code == 200 and "Được tiếp nhận" in response.content.decode()


def test_what_is_asked_now_and_the_steps_without_any_person(client, people, code):
    from egov.dossiers.models import Dossier
    from tests.dossiers.conftest import act

    dossier = Dossier.objects.get(code=code)
    act(dossier, "transfer", people["desk"])
    act(
        dossier,
        "request_supplement",
        people["specialist"],
        note="Ảnh giấy chứng sinh bị mờ.",
        items=["Giấy chứng sinh bản rõ nét"],
    )
    html = client.get(reverse("portal:lookup_code", args=[code])).content.decode()
    assert "Việc cần làm bây giờ" in html and "Giấy chứng sinh bản rõ nét" in html
    assert "Tiếp nhận hồ sơ" in html and "Thẩm định hồ sơ" in html
    assert "xong 08:00 16/11/2026" in html
    # Steps say where and when, never who.
    for person in ("tiepnhan", "chuyenvien", "Tuyết", "089301000123"):
        assert person not in html
