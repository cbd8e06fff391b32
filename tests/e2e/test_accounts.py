"""Signing in and a forgotten password in the browser: an officer on a phone follows the
e-mailed link to a new password and signs in with it; the sign-in, reset and account pages,
and the admin site's page where the administrator sets an officer's password, pass axe at
1280 and 360 px without scrolling sideways."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from tests.accounts.test_password_reset import ADDRESS, NEW_PASSWORD, officer_with_address
from tests.conftest import PASSWORD, PROVINCE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 800}


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def fits(page) -> None:
    """No sideways scrolling, and no serious or critical accessibility violation."""
    sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, (page.url, sideways)
    problems = serious(page)
    assert not problems, (page.url, problems)


@pytest.fixture
def officer(staff):
    return officer_with_address(staff)


def test_a_forgotten_password_on_a_phone(live_server, officer, page, settings):
    base = live_server.url
    settings.MOTCUA_PUBLIC_URL = base  # where the mail's link leads
    page.set_viewport_size(PHONE)
    page.goto(base + "/can-bo/")  # the desk sends the officer to sign in
    page.get_by_text("Bạn cần đăng nhập để mở trang này").wait_for()
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu", exact=True).fill("mat-khau-cu-sai")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_role("alert").filter(has_text="Tên đăng nhập hoặc mật khẩu không đúng").wait_for()
    assert page.title().startswith("Lỗi: Đăng nhập cán bộ · ")

    page.get_by_role("link", name="Quên mật khẩu?").click()
    page.get_by_role("heading", name="Quên mật khẩu").wait_for()
    page.get_by_label("Thư điện tử của tài khoản").fill(ADDRESS)
    page.get_by_role("button", name="Gửi đường dẫn đặt lại mật khẩu").click()
    page.get_by_role("heading", name="Kiểm tra hộp thư của bạn").wait_for()

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [ADDRESS]
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    assert link.startswith(base)
    page.goto(link)
    page.get_by_role("heading", name="Đặt mật khẩu mới").wait_for()
    assert "mat-khau-moi" in page.url  # the token left the address bar
    page.get_by_label("Mật khẩu mới", exact=True).fill("ngan1")
    page.get_by_label("Nhập lại mật khẩu mới").fill("ngan1")
    page.get_by_role("button", name="Đặt mật khẩu mới").click()
    page.get_by_role("alert").filter(has_text="Mật khẩu quá ngắn").wait_for()
    page.get_by_label("Mật khẩu mới", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu mới").click()
    page.get_by_role("heading", name="Đã đặt mật khẩu mới").wait_for()

    page.get_by_role("link", name="Đăng nhập bằng mật khẩu mới").click()
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_role("heading", name="Hồ sơ cần xử lý").wait_for()

    page.goto(link)  # the link worked once
    page.get_by_role("heading", name="Đường dẫn không còn dùng được").wait_for()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_sign_in_and_reset_pages_pass_axe(live_server, officer, page, size, settings):
    base = live_server.url
    settings.MOTCUA_PUBLIC_URL = base  # where the mail's link leads
    page.set_viewport_size(size)
    page.goto(base + "/dang-nhap/?next=/can-bo/")
    fits(page)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()  # nothing typed
    page.get_by_role("alert").filter(has_text="Hãy nhập tên đăng nhập.").wait_for()
    fits(page)
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu", exact=True).fill("sai")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_role("alert").filter(has_text="không đúng").wait_for()
    fits(page)

    page.goto(base + "/dang-nhap/quen-mat-khau/")
    fits(page)
    page.get_by_label("Thư điện tử của tài khoản").fill("khong-phai-thu")
    page.get_by_role("button", name="Gửi đường dẫn đặt lại mật khẩu").click()
    page.get_by_role("alert").filter(has_text="chưa đúng dạng").wait_for()
    fits(page)
    page.get_by_label("Thư điện tử của tài khoản").fill(ADDRESS)
    page.get_by_role("button", name="Gửi đường dẫn đặt lại mật khẩu").click()
    page.get_by_role("heading", name="Kiểm tra hộp thư của bạn").wait_for()
    fits(page)

    page.goto(re.search(r"https?://\S+", mail.outbox[0].body).group(0))
    page.get_by_role("heading", name="Đặt mật khẩu mới").wait_for()
    fits(page)
    page.get_by_label("Mật khẩu mới", exact=True).fill("12345678")
    page.get_by_label("Nhập lại mật khẩu mới").fill("12345679")
    page.get_by_role("button", name="Đặt mật khẩu mới").click()
    page.get_by_role("alert").filter(has_text="không khớp").wait_for()
    fits(page)
    page.goto(base + "/dang-nhap/dat-lai/MQ/het-han/")
    page.get_by_role("heading", name="Đường dẫn không còn dùng được").wait_for()
    fits(page)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_account_pages_and_the_administrators_reset_pass_axe(
    live_server, officer, staff, page, size
):
    base = live_server.url
    staff("quantri", PROVINCE, "province_admin")
    page.set_viewport_size(size)
    page.goto(base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_role("heading", name="Hồ sơ cần xử lý").wait_for()
    page.goto(base + "/tai-khoan/")
    page.get_by_role("heading", name="Tài khoản của tôi").wait_for()
    fits(page)
    page.get_by_role("main").get_by_role("link", name="Đổi mật khẩu").click()
    page.get_by_label("Mật khẩu hiện tại").fill("sai")
    page.get_by_label("Mật khẩu mới", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đổi mật khẩu").click()
    page.get_by_role("alert").filter(has_text="Mật khẩu hiện tại không đúng.").wait_for()
    fits(page)

    page.context.clear_cookies()
    page.goto(base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()
    page.goto(base + f"/quan-tri/auth/user/{officer.pk}/change/")
    fits(page)
    page.get_by_role("link", name="Đặt mật khẩu mới").click()
    page.get_by_role("heading", name="Đặt mật khẩu mới cho tiepnhan").wait_for()
    fits(page)
    page.get_by_label("Mật khẩu mới:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới:").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu mới").click()
    page.wait_for_url(f"**/quan-tri/auth/user/{officer.pk}/change/")
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
