"""Two-factor sign-in: staff pages and the admin wait for the code; the province can require
it of leaders and administrators; the API asks for it with the password."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    """The code the phone shows now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:06d}"


def sign_in(client, username: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def test_with_a_device_the_desk_waits_for_the_code(client, people):
    device = TOTPDevice.objects.create(user=people["leader"], name="app", confirmed=True)
    sign_in(client, "lanhdao.xa")
    response = client.get(reverse("desk:worklist"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:verify")
    )
    wrong = client.post(reverse("accounts:verify"), {"code": "000000", "next": "/can-bo/"})
    assert "Mã xác thực không đúng" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a failed code slows the next try down; the officer waits
    right = client.post(reverse("accounts:verify"), {"code": code_for(device), "next": "/can-bo/"})
    assert right.status_code == 302 and right["Location"] == "/can-bo/"
    assert client.get(reverse("desk:worklist")).status_code == 200


def test_the_province_requires_it_of_leaders(client, people, settings):
    settings.MOTCUA_REQUIRE_2FA = True
    sign_in(client, "tiepnhan.xa")  # a reception officer: not required
    assert client.get(reverse("desk:worklist")).status_code == 200
    client.post(reverse("accounts:logout"))
    sign_in(client, "lanhdao.xa")
    response = client.get(reverse("desk:worklist"))
    assert response["Location"].startswith(reverse("accounts:enrol"))
    page = client.get(response["Location"]).content.decode()
    assert "Cài đặt xác thực hai lớp" in page and "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user=people["leader"], confirmed=False)
    done = client.post(reverse("accounts:enrol"), {"code": code_for(device), "next": "/can-bo/"})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("desk:worklist")).status_code == 200


def test_the_api_asks_for_the_code_too(client, people):
    device = TOTPDevice.objects.create(user=people["leader"], name="app", confirmed=True)
    body = {"username": "lanhdao.xa", "password": PASSWORD}
    refused = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "second_factor_required"
    ok = client.post(
        "/api/v1/auth/token", {**body, "otp": code_for(device)}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["token"]


def test_the_verify_page_does_not_redirect_elsewhere(client, people):
    device = TOTPDevice.objects.create(user=people["leader"], name="app", confirmed=True)
    sign_in(client, "lanhdao.xa")
    response = client.post(
        reverse("accounts:verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/can-bo/"


def test_an_empty_code_is_asked_for_in_words(client, people):
    TOTPDevice.objects.create(user=people["leader"], name="app", confirmed=True)
    sign_in(client, "lanhdao.xa")
    html = client.post(reverse("accounts:verify"), {"code": " ", "next": "/can-bo/"}).content
    html = html.decode()
    assert "Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực." in html
    assert 'aria-describedby="code_error"' in html
