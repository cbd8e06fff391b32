import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.conftest import CENTER, PASSWORD

pytestmark = pytest.mark.django_db


WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def test_login_page_is_in_vietnamese(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Đăng nhập cán bộ" in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html
    assert reverse("accounts:password_reset") in html and "Quên mật khẩu?" in html


def test_the_page_is_named_after_the_platform_not_the_host(client, settings):
    settings.MOTCUA_SITE_NAME = "Hệ thống một cửa điện tử tỉnh Thử Nghiệm"
    html = client.get(reverse("accounts:login")).content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert title == "Đăng nhập cán bộ · Hệ thống một cửa điện tử tỉnh Thử Nghiệm"
    heading = html.split("<hgroup>")[1].split("</hgroup>")[0]
    assert "Hệ thống một cửa điện tử tỉnh Thử Nghiệm" in heading
    assert "testserver" not in html  # Django's view would name the site by its host


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
    html = response.content.decode()
    assert WRONG in html and "Vui lòng điền vào" not in html
    assert "<title>Lỗi: Đăng nhập cán bộ" in html
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
    assert WRONG in response.content.decode()


def test_repeated_failures_lock_the_account_for_a_while(client, staff, settings):
    staff("tiepnhan", CENTER, "reception")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": "sai"})
    locked = client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Tạm khóa đăng nhập" in html
    assert f"Hãy thử lại sau {settings.AXES_COOLOFF_TIME.seconds // 60} phút." in html
    assert reverse("accounts:password_reset") in html
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


def test_a_switched_off_account_is_told_what_any_wrong_password_is(client, staff):
    officer = staff("tiepnhan", CENTER, "reception")
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    response = client.post(
        reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD}
    )
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_missing_fields_are_named(client):
    html = client.post(reverse("accounts:login"), {"username": "", "password": ""}).content
    html = html.decode()
    assert "Hãy nhập tên đăng nhập." in html and "Hãy nhập mật khẩu." in html
    assert "Trường này là bắt buộc" not in html
    # Each message is tied to its input and linked from the summary at the top.
    assert 'aria-describedby="id_username_error"' in html
    assert 'href="#id_username"' in html


def test_a_page_that_needs_signing_in_says_why_it_came_here(client, staff):
    sent = client.get(reverse("desk:worklist"))
    assert sent.status_code == 302
    html = client.get(sent["Location"]).content.decode()
    assert "phiên làm việc đã hết hạn" in html and "8 giờ" in html
    assert "phiên làm việc đã hết hạn" not in client.get(reverse("accounts:login")).content.decode()


def test_an_expired_session_sends_the_officer_back_to_sign_in(client, staff, settings):
    staff("tiepnhan", CENTER, "reception")
    client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})
    assert client.get(reverse("desk:worklist")).status_code == 200
    # Past SESSION_COOKIE_AGE the stored session is gone (clearsessions), the cookie stays.
    Session.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).delete()
    answer = client.get(reverse("desk:worklist"))
    assert answer.status_code == 302
    assert answer["Location"] == f"{reverse('accounts:login')}?next={reverse('desk:worklist')}"


def test_a_form_without_its_csrf_token_gets_a_vietnamese_page(staff):
    from django.test import Client

    staff("tiepnhan", CENTER, "reception")
    strict = Client(enforce_csrf_checks=True)
    strict.get(reverse("accounts:login"))  # the cookie, but the form's token is missing
    response = strict.post(
        reverse("accounts:login"),
        {"username": "tiepnhan", "password": PASSWORD},
        headers={"referer": "http://testserver/dang-nhap/"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Trang đã hết hiệu lực" in html and "chưa được ghi nhận" in html
    assert 'href="http://testserver/dang-nhap/"' in html
    assert "CSRF verification failed" not in html
    assert "_auth_user_id" not in strict.session


def test_without_the_csrf_cookie_the_page_says_cookies_are_blocked(staff):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "đang chặn cookie" in response.content.decode()


def test_a_foreign_referer_is_not_offered_as_the_way_back(staff):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("accounts:login"), {}, headers={"referer": "https://evil.example/phish"}
    )
    assert "evil.example" not in response.content.decode()


def test_the_admin_site_signs_in_on_this_page(client):
    answer = client.get("/quan-tri/")
    assert answer.status_code == 302
    sign_in = client.get(answer["Location"])
    assert sign_in.status_code == 302
    assert sign_in["Location"] == f"{reverse('accounts:login')}?next=%2Fquan-tri%2F"


def test_an_officer_the_admin_site_refuses_is_told_not_sent_round(client, staff):
    staff("tiepnhan", CENTER, "reception")  # no admin role: the admin site is not for them
    client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})
    answer = client.get("/quan-tri/", follow=True)
    assert answer.status_code == 403
    assert "Không có quyền truy cập" in answer.content.decode()
    assert len(answer.redirect_chain) == 1


def test_the_admin_sign_in_keeps_no_foreign_next(client):
    answer = client.get("/quan-tri/login/?next=https://evil.example/")
    assert answer["Location"] == f"{reverse('accounts:login')}?next=%2Fquan-tri%2F"


def test_the_browser_finds_the_icon_at_favicon_ico(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302 and answer["Location"].endswith("core/favicon.svg")
    assert client.get(answer["Location"]).status_code == 200
