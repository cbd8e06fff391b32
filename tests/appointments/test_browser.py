"""A citizen on a small phone books a time at a desk; the officer gives the queue number.
Every page is checked with axe and for sideways scrolling at 360 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from egov.appointments.models import Appointment
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def assert_fits_and_accessible(page) -> None:
    results = Axe().run(page)
    serious = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in {"serious", "critical"}
    ]
    assert not serious, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_citizen_books_on_a_phone_and_gets_a_number(
    live_server, procedures, desk, people, clock, browser
):
    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/dat-lich/")
    assert_fits_and_accessible(page)
    page.get_by_role("button", name="Bắt đầu").click()

    page.get_by_label("Tên hoặc mã thủ tục").fill("khai sinh")
    page.get_by_role("button", name="Tìm thủ tục").click()
    page.get_by_label("Thủ tục đăng ký khai sinh").check()
    assert_fits_and_accessible(page)
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_label("Bạn muốn đến Bộ phận Một cửa nào?").select_option(desk.code)
    assert_fits_and_accessible(page)
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_label("Thứ Ba, 17/11/2026").check()
    assert_fits_and_accessible(page)
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_role("group", name="Buổi chiều").get_by_label("14:00–14:30").check()
    assert_fits_and_accessible(page)
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_label("Họ và tên").fill("Nguyễn Thị Ánh Tuyết")
    page.get_by_label("Số điện thoại di động").fill("0912 34")
    page.get_by_role("button", name="Tiếp tục").click()
    summary = page.get_by_role("alert")
    assert "Số điện thoại phải" in summary.inner_text()
    assert_fits_and_accessible(page)
    summary.get_by_role("link").click()  # the summary's link puts the cursor in the field
    assert page.evaluate("document.activeElement.id") == "phone"
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_role("heading", name="Kiểm tra lại trước khi đặt lịch").wait_for()
    assert_fits_and_accessible(page)
    page.get_by_role("button", name="Đặt lịch hẹn").click()
    page.get_by_role("heading", name="Đã đặt lịch hẹn").wait_for()
    appointment = Appointment.objects.get()
    assert appointment.token in page.locator(".link-box").inner_text()
    assert_fits_and_accessible(page)

    # The day of the appointment, at the desk: its reception officer gives the number.
    clock.set(2026, 11, 17, 13, 50)
    officer = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
    officer.goto(f"{live_server.url}/dang-nhap/")
    officer.get_by_label("Tên đăng nhập").fill(people["desk"].username)
    officer.get_by_label("Mật khẩu").fill(PASSWORD)
    officer.get_by_role("button", name="Đăng nhập", exact=True).click()
    officer.get_by_role("button", name="Đăng xuất").wait_for()
    officer.goto(f"{live_server.url}/can-bo/lich-hen/")
    assert_fits_and_accessible(officer)
    officer.get_by_role("button", name="Đã đến – cấp số cho Nguyễn Thị Ánh Tuyết").click()
    assert officer.locator(".queue-number").inner_text() == "1"
    assert_fits_and_accessible(officer)

    page.reload()
    assert page.locator(".queue-number").inner_text() == "1"
    context.close()
