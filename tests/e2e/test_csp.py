"""Issue 12 point 6: under the site's Content-Security-Policy the browser refuses nothing on the
ways a citizen, an officer and the administrator go, and htmx still does its work.

Each browser context reports what chromium refused: a `securitypolicyviolation` listener that
Playwright puts in every page before the page's own scripts (its init scripts and bindings
are not the page's, so the policy does not apply to them), and the console's "Refused to ..."
lines as a second net. Every page visited must carry the policy, or a walk that sees no
refusal would prove nothing.
"""

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from egov.appointments.rules import Person
from egov.appointments.services import appointment_arrive, appointment_book
from egov.catalog.models import Procedure
from egov.dossiers.services import dossier_create
from tests.catalog.test_admin_words import make_everything, pages_of
from tests.conftest import COMMUNE_CENTER, PASSWORD, PROVINCE
from tests.dossiers.conftest import CITIZEN, act
from tests.e2e.test_admin import sign_in_to_admin
from tests.e2e.test_small_screens import DESKTOP, OFFICERS, PAGES, World, signed_in, world

__all__ = ["world"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BIRTH = "1.001193"

REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.motcuaRefused({
    directive: event.effectiveDirective,
    blocked: event.blockedURI || "inline",
    sample: event.sample,
    where: event.sourceFile + ":" + event.lineNumber,
  });
});
// The ticket's print button: counted instead of opening the print dialog.
window.print = () => { window.motcuaPrinted = (window.motcuaPrinted || 0) + 1; };
"""


class Refusals:
    """What chromium refused in one browser context, page by page."""

    def __init__(self, context: Any) -> None:
        self.found: list[str] = []
        context.expose_binding("motcuaRefused", self._reported)
        context.add_init_script(REPORTER)
        context.on("console", self._console)

    def _reported(self, source: Any, violation: dict[str, str]) -> None:
        self.found.append(
            f"{source['frame'].url}: {violation['directive']} refused {violation['blocked']}"
            f" ({violation['where']}) {violation['sample']}"
        )

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Permissions-Policy" in text:
            self.found.append(f"{message.page.url if message.page else '?'}: console: {text}")


def visit(page: Any, url: str) -> Any:
    """Open a page and check it came under the policy."""
    response = page.goto(url)
    assert response is not None, url
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self';" in policy, f"{url} came without the policy"
    assert "camera=()" in response.headers.get("permissions-policy", ""), url
    return response


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    opened = browser.new_context(locale="vi-VN", viewport=DESKTOP)
    yield opened
    opened.close()


def test_a_citizen_and_an_officer_go_their_ways_and_nothing_is_refused(
    live_server: Any, procedures: None, people: dict[str, Any], clock: Any, context: Any
) -> None:
    base = live_server.url
    dossier = dossier_create(
        actor=people["desk"],
        procedure_code=BIRTH,
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    act(dossier, "transfer", people["desk"])
    at_reception = dossier_create(
        actor=people["desk"],
        procedure_code=BIRTH,
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    appointment = appointment_book(
        actor=None,
        desk_code=COMMUNE_CENTER,
        procedure_code=BIRTH,
        starts_at=clock.now.replace(hour=9),
        person=Person(full_name="Nguyễn Thị Ánh Tuyết", phone="0912 345 678", email=""),
    )
    appointment_arrive(actor=people["desk"], appointment_uuid=appointment.uuid)
    refusals = Refusals(context)
    page = context.new_page()

    # The portal's search is htmx: the results change in place, the indicator hides again
    # (site.css draws it, as htmx may not add a style element of its own).
    visit(page, base + "/")
    assert page.evaluate("document.featurePolicy.allowsFeature('camera')") is False
    page.get_by_label("Tên hoặc mã thủ tục").fill("dang ky khai sinh")
    results = page.locator("#ket-qua")
    results.get_by_text("Tìm thấy 1 thủ tục").wait_for()
    assert "lý lịch tư pháp" not in results.inner_text()
    assert parse_qs(urlsplit(page.url).query)["q"] == ["dang ky khai sinh"]
    assert not page.locator("#dang-tim").is_visible()
    results.get_by_role("link", name="Thủ tục đăng ký khai sinh").click()
    page.get_by_role("heading", name="Thành phần hồ sơ").wait_for()
    visit(page, page.url)

    visit(page, base + "/tra-cuu/")
    page.get_by_label("Mã hồ sơ (in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả)").fill(
        dossier.code
    )
    page.get_by_role("button", name="Tra cứu").click()
    page.get_by_role("heading", name="Các bước xử lý").wait_for()

    visit(page, base + "/phan-anh/")
    page.get_by_label("Tìm trong các câu trả lời").fill("khai sinh")
    page.wait_for_url("**/phan-anh/?q=khai*")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["khai sinh"]
    visit(page, base + "/dat-lich/")
    visit(page, base + "/khong-co-trang-nay/")
    page.get_by_role("heading", name="Không tìm thấy trang").wait_for()

    # The officer signs in on the sign-in page.
    visit(page, base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("tiepnhan.xa")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Hồ sơ cần xử lý").wait_for()
    visit(page, page.url)
    page.get_by_role("navigation", name="Nhóm hồ sơ").get_by_role("link").nth(1).click()
    page.wait_for_url("**/can-bo/?tab=*")

    # Counter intake: the procedure search and the ward picker are htmx.
    visit(page, base + reverse("desk:intake"))
    page.get_by_label("Tên hoặc mã thủ tục (có dấu hoặc không dấu)").fill("khai sinh")
    found = page.locator("#thu-tuc").get_by_role("link", name="Thủ tục đăng ký khai sinh")
    found.wait_for()
    # The form's page loaded, htmx with it: typed before, the ward search would hear nothing.
    with page.expect_navigation():
        found.click()
    page.get_by_label("Xã, phường nơi cư trú").fill("long xuy")
    page.get_by_role("button", name="Phường Long Xuyên", exact=True).click()
    page.get_by_text("Đã chọn: Phường Long Xuyên, Tỉnh An Giang").wait_for()
    assert page.locator("#id_ward_code").input_value() == "30307"

    # The dossier page: an action opens, "Hủy" closes it without a reload (desk/dossier.js).
    visit(page, base + reverse("desk:dossier", args=[at_reception.code]))
    page.get_by_role("heading", name=at_reception.code, level=1).wait_for()
    action = page.locator("details[id^='thao-tac-']").filter(has=page.locator("[data-cancel]"))
    action.first.locator("summary").click()
    assert action.first.evaluate("details => details.open")
    action.first.locator("[data-cancel]").click()
    assert not action.first.evaluate("details => details.open")

    # The queue ticket prints from its button (core/site.js, data-print), not an onclick.
    visit(page, base + reverse("appointments_staff:ticket", args=[appointment.uuid]))
    page.get_by_role("button", name="In phiếu").click()
    printed = page.evaluate("window.motcuaPrinted")

    assert refusals.found == []
    assert printed == 1


def test_the_administrator_and_the_api_docs_refuse_nothing(
    live_server: Any,
    agencies: Any,
    procedures: None,
    people: dict[str, Any],
    staff: Any,
    context: Any,
) -> None:
    base = live_server.url
    administrator = staff("quantri.tinh", PROVINCE, "province_admin")
    make_everything(agencies)
    refusals = Refusals(context)
    page = context.new_page()
    sign_in_to_admin(page, base, "quantri.tinh")
    pages = pages_of(administrator, every=False)
    assert sum("/change/" in url for url in pages) >= 10
    for url in pages:
        assert visit(page, base + url).status == 200, url

    # The e-form builder adds a row from its template and redraws the preview.
    procedure = Procedure.objects.get(national_code=BIRTH)
    visit(page, base + reverse("admin:catalog_procedure_change", args=[procedure.pk]))
    builder = page.locator("[data-eform-builder]")
    rows = builder.locator("[data-eform-row]").count()
    builder.get_by_role("button", name="+ Thêm trường").click()
    assert builder.locator("[data-eform-row]").count() == rows + 1

    # Swagger UI draws the API from openapi.json and opens an operation.
    visit(page, base + "/api/v1/docs")
    operation = page.locator(".opblock").filter(has_text="/api/v1/procedures").first
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").wait_for()

    assert refusals.found == []


def test_no_officer_page_has_anything_refused(world: World, live_server: Any, browser: Any):
    """The pages of tests/e2e/test_small_screens.py's walk, each officer on their own."""
    found = []
    for role, username in OFFICERS.items():
        mine = [officer_page for officer_page in PAGES if officer_page.role == role]
        if not mine:
            continue
        context = signed_in(browser, live_server, username, DESKTOP)
        refusals = Refusals(context)
        page = context.new_page()
        for officer_page in mine:
            visit(page, live_server.url + officer_page.address(world))
            page.wait_for_load_state("load")
        found += refusals.found
        context.close()
    assert len(PAGES) > 50
    assert found == []
