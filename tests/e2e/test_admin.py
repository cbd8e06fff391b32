"""The admin site in the browser, as the province's administrator uses it: the e-form builder
(add a field with choices, move it, see the preview, save, find it on the counter's intake
form), and every page the administrator reaches passing axe at 1280 and 360 px, with nothing
to scroll sideways on the phone."""

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from egov.catalog.models import Procedure
from tests.catalog.test_admin_words import make_everything, pages_of
from tests.conftest import PASSWORD, PROVINCE
from tests.e2e.test_desk import serious

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 360)


def sign_in_to_admin(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/dang-nhap/?next=/quan-tri/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Danh mục và cấu hình").wait_for()


@pytest.fixture
def province_admin(staff: Any) -> Any:
    return staff("quantri.tinh", PROVINCE, "province_admin")


def test_the_administrator_builds_an_eform_the_desk_then_asks(
    live_server, agencies, procedures, people, province_admin, page
):
    base = live_server.url
    procedure = Procedure.objects.get(national_code="1.001193")
    sign_in_to_admin(page, base, "quantri.tinh")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + reverse("admin:catalog_procedure_change", args=[procedure.pk]))
    builder = page.locator("[data-eform-builder]")
    preview = builder.locator("[data-eform-preview-fields]")
    assert preview.get_by_label("Họ, chữ đệm và tên của trẻ").is_visible()

    builder.get_by_role("button", name="+ Thêm trường").click()
    focused = page.evaluate("document.activeElement.id")
    row = builder.locator("[data-eform-row]").filter(has=page.locator(f"#{focused}"))
    assert row.get_by_label("Nhãn hiển thị").get_attribute("id") == focused
    row.get_by_label("Nhãn hiển thị").fill("Dân tộc của trẻ")
    assert row.get_by_label("Tên trường (mã)").input_value() == "dan_toc_cua_tre"
    assert not row.get_by_label("Các lựa chọn").is_visible()  # only for a list
    row.get_by_label("Kiểu").select_option(label="Danh sách chọn")
    row.get_by_label("Các lựa chọn").fill("kinh | Kinh\nhoa | Hoa\nKhmer")
    row.get_by_label("Bắt buộc điền").check()
    # The preview follows: a list with its choices, marked required, last for now.
    new = preview.get_by_label("Dân tộc của trẻ")
    assert new.locator("option").all_inner_texts() == ["—", "Kinh", "Hoa", "Khmer"]
    labels = preview.locator("label").all_inner_texts()
    assert labels[-1].startswith("Dân tộc của trẻ")

    # Moved to the top: two steps up.
    row.get_by_role("button", name="↑ Lên").click()
    row.get_by_role("button", name="↑ Lên").click()
    expect(builder.get_by_role("status")).to_have_text("Đã chuyển “Dân tộc của trẻ” đến vị trí 1.")
    labels = preview.locator("label").all_inner_texts()
    assert labels[0].startswith("Dân tộc của trẻ") and labels[0].endswith("*")
    # Removing the gender field takes it out of the preview; undone, it is back.
    gender = builder.locator("[data-eform-row]").filter(has_text="Giới tính").first
    gender.get_by_role("button", name="Xóa trường").click()
    assert "Giới tính" not in preview.inner_text()
    assert not gender.get_by_label("Nhãn hiển thị").is_visible()
    expect(gender.get_by_role("button", name="Hoàn tác")).to_be_focused()
    gender.get_by_role("button", name="Hoàn tác").click()
    assert "Giới tính" in preview.inner_text()
    assert not serious(page), serious(page)
    page.set_viewport_size({"width": 360, "height": 800})
    assert not serious(page), serious(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Lưu và tiếp tục chỉnh sửa").click()
    page.locator(".messagelist .success").wait_for()
    procedure.refresh_from_db()
    assert procedure.form_schema["fields"] == [
        {
            "name": "dan_toc_cua_tre",
            "label": "Dân tộc của trẻ",
            "type": "select",
            "required": True,
            "choices": [["kinh", "Kinh"], ["hoa", "Hoa"], ["khmer", "Khmer"]],
        },
        {
            "name": "child_full_name",
            "label": "Họ, chữ đệm và tên của trẻ",
            "type": "text",
            "required": False,
        },
        {
            "name": "child_gender",
            "label": "Giới tính",
            "type": "select",
            "required": False,
            "choices": [["male", "Nam"], ["female", "Nữ"]],
        },
    ]
    assert procedure.version == 2

    # The counter's intake form asks it, with its choices.
    page.context.clear_cookies()
    page.goto(base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("tiepnhan.xa")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/can-bo/**")
    page.goto(base + reverse("desk:intake_form", args=["1.001193"]))
    asked = page.get_by_label("Dân tộc của trẻ")
    assert asked.locator("option").all_inner_texts() == ["—", "Kinh", "Hoa", "Khmer"]


def test_the_builder_works_without_javascript(live_server, agencies, procedures, browser):
    """The rows are a plain form: the blank row adds, "Thứ tự" orders, a box removes."""
    staff_page = browser.new_context(locale="vi-VN", java_script_enabled=False).new_page()
    base = live_server.url
    procedure = Procedure.objects.get(national_code="1.001193")
    from egov.orgs.services import staff_provision

    staff_provision(
        username="quantri.tinh", password=PASSWORD, agency_code=PROVINCE, roles=["province_admin"]
    )
    sign_in_to_admin(staff_page, base, "quantri.tinh")
    staff_page.goto(base + reverse("admin:catalog_procedure_change", args=[procedure.pk]))
    blank = staff_page.locator("[data-eform-row]").nth(2)
    blank.get_by_label("Nhãn hiển thị").fill("Dân tộc của trẻ")
    blank.get_by_label("Kiểu").select_option("select")
    blank.get_by_label("Các lựa chọn").fill("Kinh\nHoa")
    blank.get_by_label("Thứ tự").fill("0")
    staff_page.locator("[data-eform-row]").nth(1).get_by_label("Xóa trường này").check()
    staff_page.get_by_role("button", name="Lưu và tiếp tục chỉnh sửa").click()
    staff_page.locator(".messagelist .success").wait_for()
    procedure.refresh_from_db()
    assert [field["name"] for field in procedure.form_schema["fields"]] == [
        "dan_toc_cua_tre",
        "child_full_name",
    ]
    assert procedure.form_schema["fields"][0]["choices"] == [["kinh", "Kinh"], ["hoa", "Hoa"]]
    # The saved form shows in the preview, and a new blank row waits for the next field.
    preview = staff_page.locator("[data-eform-preview-fields]")
    assert preview.locator("label").all_inner_texts() == [
        "Dân tộc của trẻ",
        "Họ, chữ đệm và tên của trẻ",
    ]
    assert staff_page.locator("[data-eform-row]").count() == 3
    staff_page.set_viewport_size({"width": 360, "height": 800})
    overflow = staff_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the builder without script scrolls sideways by {overflow}px"
    staff_page.context.close()


def test_a_wrong_field_is_refused_in_words_beside_it(
    live_server, agencies, procedures, province_admin, page
):
    base = live_server.url
    procedure = Procedure.objects.get(national_code="1.001193")
    sign_in_to_admin(page, base, "quantri.tinh")
    page.goto(base + reverse("admin:catalog_procedure_change", args=[procedure.pk]))
    builder = page.locator("[data-eform-builder]")
    builder.get_by_role("button", name="+ Thêm trường").click()
    row = builder.locator("[data-eform-row]").last
    row.get_by_label("Nhãn hiển thị").fill("Giới tính của trẻ")
    row.get_by_label("Tên trường (mã)").fill("child_gender")  # taken by field 2
    row.get_by_label("Kiểu").select_option("select")  # and no choices
    page.get_by_role("button", name="Lưu và tiếp tục chỉnh sửa").click()
    page.locator(".errornote").wait_for()
    row = page.locator("[data-eform-row]").filter(has_text="Giới tính của trẻ")
    errors = row.locator(".errorlist").all_inner_texts()
    assert "Tên “child_gender” đã dùng cho trường thứ 2." in errors
    assert "Danh sách chọn cần ít nhất một lựa chọn." in errors
    assert not serious(page), serious(page)
    procedure.refresh_from_db()
    assert procedure.version == 1 and len(procedure.form_schema["fields"]) == 2


@pytest.mark.layout
def test_every_admin_page_passes_axe_on_a_desk_and_a_phone(
    live_server, agencies, procedures, people, province_admin, page
):
    make_everything(agencies)
    base = live_server.url
    pages = pages_of(province_admin, every=False)
    # Every model the administrator manages is walked, with an object to open.
    assert {
        "/quan-tri/catalog/procedure/",
        "/quan-tri/orgs/calendarentry/",
        "/quan-tri/interop/messagelog/",
        "/quan-tri/feedback/feedback/",
        "/quan-tri/appointments/deskschedule/",
    } <= set(pages)
    assert sum("/change/" in url for url in pages) >= 10
    sign_in_to_admin(page, base, "quantri.tinh")
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in pages:
            response = page.goto(base + url)
            assert response.status == 200, url
            problems = serious(page)
            # Django's icons say "True", "False", "Search" until admin-overrides.js names them.
            english = page.locator("img[alt='True'], img[alt='False'], img[alt='Search']")
            if english.count():
                problems.append(f"{english.count()} icons named in English")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if width == 360 and overflow > 0:
                problems.append(f"scrolls sideways by {overflow}px")
            if problems:
                found[f"{width} {url}"] = problems
    assert not found, found
