"""The public look-up page that the QR code on every slip opens."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from egov.dossiers.services import dossier_create
from tests.dossiers.conftest import CITIZEN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


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
