"""A citizen on a 360-pixel phone sends feedback: errors first, then check, then send; every
page passes axe and never scrolls sideways."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from egov.feedback.models import Feedback

from .conftest import URLS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.urls(URLS)]


def assert_fits_and_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_send_feedback_on_a_phone(live_server, procedures, browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + "/phan-anh/gui/?thu_tuc=2.001417")
    assert_fits_and_accessible(page)

    page.get_by_role("button", name="Tiếp tục").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.title().startswith("Lỗi: ")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert_fits_and_accessible(page)
    summary.get_by_role("link", name="Nhập tiêu đề.").click()
    assert page.evaluate("document.activeElement.id") == "title"

    page.get_by_label("Phản ánh", exact=True).check()
    page.get_by_label("Tiêu đề").fill("Cấp phiếu lý lịch tư pháp chậm")
    page.get_by_label("Nội dung phản ánh, kiến nghị", exact=True).fill(
        "Tôi nộp hồ sơ cấp phiếu lý lịch tư pháp đã quá hạn mà chưa nhận được kết quả."
    )
    page.get_by_label("Họ và tên (hoặc tên tổ chức)").fill("Trần Văn Bình")
    page.get_by_label("Số điện thoại", exact=True).fill("0987 654 321")
    page.get_by_label("Tôi đồng ý công khai").check()
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("heading", name="Kiểm tra trước khi gửi").wait_for()
    assert "Sở Tư pháp tỉnh An Giang" in page.content()
    assert_fits_and_accessible(page)

    page.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    page.get_by_role("heading", name="Đã gửi phản ánh, kiến nghị").wait_for()
    feedback = Feedback.objects.get()
    assert str(feedback.reference) in page.locator(".reference").inner_text()
    assert_fits_and_accessible(page)
    context.close()
