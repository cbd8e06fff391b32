"""A citizen looks for a procedure and reads what to bring; a staff member signs in."""

from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import CENTER, PASSWORD
from tests.e2e.test_small_screens import squeezed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_citizen_finds_a_procedure_without_typing_accents(live_server, procedures, page):
    page.goto(live_server.url + "/")
    assert page.title().startswith("Tra cứu thủ tục hành chính")
    assert_accessible(page)

    page.get_by_label("Tên hoặc mã thủ tục").fill("dang ky khai sinh")
    results = page.locator("#ket-qua")
    results.get_by_text("Tìm thấy 1 thủ tục").wait_for()
    assert "lý lịch tư pháp" not in results.inner_text()
    # The search lands in the address bar, so it can be bookmarked and shared.
    assert parse_qs(urlsplit(page.url).query)["q"] == ["dang ky khai sinh"]

    results.get_by_role("link", name="Thủ tục đăng ký khai sinh").click()
    page.get_by_role("heading", name="Thành phần hồ sơ").wait_for()
    assert page.get_by_role("cell", name="Giấy chứng sinh").is_visible()
    assert "Toàn trình" in page.locator(".facts").inner_text()
    assert_accessible(page)


def test_search_works_without_javascript(live_server, procedures, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Tên hoặc mã thủ tục").fill("ly lich tu phap")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_text("Tìm thấy 1 thủ tục").wait_for()
    context.close()


def test_staff_member_signs_in(live_server, staff, page):
    staff("tiepnhan", CENTER, "reception")
    page.goto(live_server.url + "/dang-nhap/")
    assert_accessible(page)
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất").wait_for()


def test_anyone_with_the_code_sees_what_is_asked_and_the_steps(
    live_server, procedures, people, page
):
    """Issue 11 point 8: the look-up the slip's QR code opens, on a phone, typed in lower
    case: the status, what the applicant must bring now, the steps with their times."""
    from egov.dossiers.services import dossier_create
    from tests.dossiers.conftest import CITIZEN, act

    dossier = dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    act(dossier, "transfer", people["desk"])
    act(
        dossier,
        "request_supplement",
        people["specialist"],
        note="Ảnh giấy chứng sinh bị mờ.",
        items=["Giấy chứng sinh bản rõ nét"],
    )
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + "/tra-cuu/")
    page.get_by_label("Mã hồ sơ (in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả)").fill(
        dossier.code.lower()
    )
    page.get_by_role("button", name="Tra cứu").click()
    page.get_by_role("heading", name="Việc cần làm bây giờ").wait_for()
    assert page.get_by_text("Giấy chứng sinh bản rõ nét").is_visible()
    assert page.get_by_role("heading", name="Các bước xử lý").is_visible()
    assert "Tuyết" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert not squeezed(page)
    assert_accessible(page)


@pytest.mark.parametrize(
    "address", ["/tra-cuu/", "/dat-lich/thu-tuc/", "/phan-anh/", "/phan-anh/theo-doi/"]
)
def test_a_search_box_sits_under_its_label_on_a_phone(live_server, procedures, page, address):
    """Pico draws role="search" as one row: a label there squeezes the box beside it."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + address)
    assert page.locator("search input").count() == 1
    assert not squeezed(page)
