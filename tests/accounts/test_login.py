import pytest
from django.urls import reverse

from tests.conftest import CENTER, PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_in_vietnamese(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Đăng nhập dành cho cán bộ" in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html


def test_staff_signs_in_and_out(client, staff):
    staff("tiepnhan", CENTER, "reception")
    response = client.post(
        reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get(reverse("portal:home")).content.decode()
    assert "Đăng xuất" in home and "tiepnhan" in home
    client.post(reverse("accounts:logout"))
    assert "Đăng nhập cán bộ" in client.get(reverse("portal:home")).content.decode()


def test_wrong_password_is_refused_in_vietnamese(client, staff):
    staff("tiepnhan", CENTER, "reception")
    response = client.post(
        reverse("accounts:login"), {"username": "tiepnhan", "password": "sai-mat-khau"}
    )
    assert response.status_code == 200
    assert "Tên đăng nhập và mật khẩu chính xác" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_requires_the_csrf_token(staff):
    from django.test import Client

    staff("tiepnhan", CENTER, "reception")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_a_browser_set_to_english_still_gets_vietnamese(client, staff):
    staff("tiepnhan", CENTER, "reception")
    response = client.post(
        reverse("accounts:login"),
        {"username": "tiepnhan", "password": "wrong"},
        headers={"Accept-Language": "en-US,en;q=0.9"},
    )
    assert "Tên đăng nhập và mật khẩu chính xác" in response.content.decode()


def test_repeated_failures_lock_the_account_for_a_while(client, staff, settings):
    staff("tiepnhan", CENTER, "reception")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": "sai"})
    locked = client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_api_token_is_refused_while_locked(client, staff, settings):
    staff("tiepnhan", CENTER, "reception")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/api/v1/auth/token",
            {"username": "tiepnhan", "password": "sai"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token",
        {"username": "tiepnhan", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
