"""The officer's own account: what the site knows, "Đổi mật khẩu" that keeps this session and
ends the others, and no such page for citizens (they sign in with VNeID)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import CENTER, PASSWORD, PROVINCE

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mot-Cua-Moi-2027"


def signed_in(username: str) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    return client


def test_the_account_page_shows_the_officer_and_their_roles(staff):
    officer = staff("tiepnhan", CENTER, "reception")
    officer.first_name = "Trần Thị Ngọc Hân"
    officer.save(update_fields=["first_name"])
    html = signed_in("tiepnhan").get(reverse("accounts:account")).content.decode()
    assert "Tài khoản của tôi" in html and "Trần Thị Ngọc Hân" in html
    assert "Trung tâm Phục vụ hành chính công tỉnh An Giang" in html
    # No address: the officer learns how to be able to reset a forgotten password.
    assert "Nhờ quản trị cơ quan ghi thư điện tử" in html
    assert reverse("accounts:password_change") in html


def test_changing_the_password_keeps_this_session_and_ends_the_others(staff):
    staff("tiepnhan", CENTER, "reception")
    here, elsewhere = signed_in("tiepnhan"), signed_in("tiepnhan")
    answer = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert answer.status_code == 302
    assert "Đã đổi mật khẩu" in here.get(answer["Location"]).content.decode()
    assert here.get(reverse("desk:worklist")).status_code == 200
    ended = elsewhere.get(reverse("desk:worklist"))
    assert ended.status_code == 302 and ended["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" in signed_in_with("tiepnhan", NEW_PASSWORD).session


def signed_in_with(username: str, password: str) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": username, "password": password})
    return client


def test_a_wrong_current_password_changes_nothing(staff):
    officer = staff("tiepnhan", CENTER, "reception")
    answer = signed_in("tiepnhan").post(
        reverse("accounts:password_change"),
        {"old_password": "sai", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    html = answer.content.decode()
    assert answer.status_code == 200 and "Mật khẩu hiện tại không đúng." in html
    assert "<title>Lỗi: Đổi mật khẩu" in html
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_the_new_password_must_pass_the_rules(staff):
    staff("tiepnhan", CENTER, "reception")
    html = (
        signed_in("tiepnhan")
        .post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
        )
        .content.decode()
    )
    assert "Mật khẩu này quá phổ biến, dễ bị đoán ra." in html
    assert "Mật khẩu không được chỉ gồm chữ số." in html


def test_the_account_pages_need_a_signed_in_officer(client, django_user_model):
    for name in ("accounts:account", "accounts:password_change"):
        answer = client.get(reverse(name))
        assert answer.status_code == 302 and answer["Location"].startswith(
            reverse("accounts:login")
        )
    citizen = django_user_model.objects.create_user(username="congdan")  # VNeID: no password
    client.force_login(citizen)
    assert client.get(reverse("accounts:account")).status_code == 403
    assert client.get(reverse("accounts:password_change")).status_code == 403


def test_the_account_pages_wait_for_the_second_factor(staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = staff("quantri", PROVINCE, "province_admin")
    TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    answer = signed_in("quantri").get(reverse("accounts:password_change"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("accounts:verify"))


def test_the_admin_sites_change_password_link_comes_here(staff):
    staff("quantri", PROVINCE, "province_admin")
    answer = signed_in("quantri").get("/quan-tri/password_change/")
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:password_change")
