"""The desk's journey in the browser: receive at the counter and print Mẫu 01, a specialist
forwards, a leader approves, the officer returns the result. Accessibility checked on the way."""

import copy

import pytest
from axe_playwright_python.sync_playwright import Axe

from egov.catalog.services import procedures_import
from egov.dossiers.models import Dossier
from tests.conftest import BIRTH, PASSWORD, catalogue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIMPLE = {
    **copy.deepcopy(BIRTH),
    "national_code": "1.000656",
    "name": "Thủ tục đăng ký khai tử",
    "form_schema": {"fields": []},
    "steps": [
        {
            "name": "Tiếp nhận hồ sơ",
            "agency_kind": "commune_service_center",
            "role": "reception",
            "hours": 1,
        },
        {"name": "Thẩm định", "agency_kind": "commune_committee", "role": "specialist", "hours": 5},
        {"name": "Ký duyệt", "agency_kind": "commune_committee", "role": "leader", "hours": 2},
    ],
}


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Hồ sơ cần xử lý").wait_for()


def act(page, label: str, **fields: str) -> None:
    """Open an action (its button names where it sends the dossier), fill its form, send it.
    The page asks no question in a dialog: the open form says what the action does."""
    page.get_by_role("button", name=label).first.click()  # opens the action's form
    for field, value in fields.items():
        page.get_by_label(field).fill(value)
    page.locator("form").filter(has=page.get_by_role("button", name=label)).last.get_by_role(
        "button", name=label
    ).click()
    page.get_by_text("Đã thực hiện").wait_for()


def test_a_dossier_from_counter_to_return(live_server, agencies, people, page):
    procedures_import(data=catalogue(SIMPLE))
    base = live_server.url

    sign_in(page, base, "tiepnhan.xa")
    assert not serious(page), serious(page)
    page.get_by_role("link", name="Tiếp nhận", exact=True).click()
    page.get_by_label("Tên hoặc mã thủ tục").fill("dang ky khai tu")
    page.get_by_role("link", name="Thủ tục đăng ký khai tử").click()
    page.get_by_label("Số định danh cá nhân").fill("089301000123")
    page.get_by_label("Họ tên (hoặc tên tổ chức)").fill("Nguyễn Thị Ánh Tuyết")
    page.get_by_label("Ngày sinh").fill("2001-05-17")
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_label("Xã, phường nơi cư trú").fill("long xuy")
    page.get_by_role("button", name="Phường Long Xuyên", exact=True).click()
    for paper in page.locator("fieldset.paper").all():  # the papers seen, not scanned
        paper.get_by_label("Đã kiểm tra bản chính tại quầy").check()
    assert not serious(page), serious(page)
    page.get_by_role("button", name="Ghi nhận").click()
    page.get_by_text("Đã tiếp nhận hồ sơ").wait_for()
    dossier = Dossier.objects.get()
    assert dossier.status == "received"
    # The receipt to print is the first thing under the dossier's title.
    slip = page.get_by_role("region", name="In phiếu vừa lập")
    assert (
        slip.bounding_box()["y"] < page.get_by_role("heading", name="Người nộp").bounding_box()["y"]
    )
    with page.expect_popup() as popup:
        slip.get_by_role("button", name="In Giấy tiếp nhận (Mẫu 01)").click()
    receipt = popup.value
    receipt.wait_for_load_state()
    assert receipt.url.endswith("/forms/01.pdf")
    assert not serious(page), serious(page)
    assert (
        "Ủy ban nhân dân phường Long Xuyên"
        in page.locator("#thao-tac-transfer > summary").inner_text()
    )
    act(page, "Chuyển xử lý")

    sign_in(page, base, "chuyenvien.xa")
    page.get_by_role("link", name=dossier.code).click()
    act(page, "Chuyển bước tiếp theo")

    sign_in(page, base, "lanhdao.xa")
    page.get_by_role("link", name=dossier.code).click()
    act(page, "Phê duyệt kết quả")

    sign_in(page, base, "tiepnhan.xa")
    page.goto(base + "/can-bo/?tab=to_return")
    page.get_by_role("link", name=dossier.code).click()
    page.get_by_role("button", name="Trả kết quả").first.click()
    # The applicant stands at the counter: already filled in as the recipient.
    assert page.get_by_label("Họ tên người nhận kết quả").input_value() == "Nguyễn Thị Ánh Tuyết"
    assert page.get_by_label("Số giấy tờ tùy thân của người nhận").input_value() == "089301000123"
    page.locator("#thao-tac-return_result form").get_by_role("button", name="Trả kết quả").click()
    page.get_by_text("Đã thực hiện").wait_for()
    dossier.refresh_from_db()
    assert dossier.status == "returned"
    assert [e.action for e in dossier.events.order_by("seq")] == [
        "submit",
        "receive",
        "transfer",
        "forward",
        "approve",
        "return_result",
    ]


def test_the_desk_fits_a_phone(live_server, agencies, people, page):
    """At 360 px nothing scrolls sideways: the menu wraps, a long e-form label goes above its
    answer, and the wide Mẫu 05 table scrolls inside its own focusable region."""
    procedures_import(data=catalogue(SIMPLE))
    from egov.dossiers.services import dossier_create
    from tests.dossiers.conftest import CITIZEN

    dossier = dossier_create(
        actor=people["desk"],
        procedure_code=SIMPLE["national_code"],
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    base = live_server.url
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, base, "tiepnhan.xa")
    for path in ("/can-bo/", "/can-bo/?tab=mine", f"/can-bo/ho-so/{dossier.code}/"):
        page.goto(base + path)
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert sideways <= 0, (path, sideways)
        assert not serious(page), serious(page)
    # The page after an error: a transfer sent from a page someone else has since changed.
    page.goto(base + f"/can-bo/ho-so/{dossier.code}/")
    form = page.locator("form[action*='thao-tac/transfer']")
    with page.expect_navigation():
        form.evaluate("f => { f.querySelector('[name=version]').value = '0'; f.submit(); }")
    # Said in the messages, and by the action that was tried.
    page.get_by_role("alert").filter(has_text="Trang đã được tải lại").wait_for()
    assert page.locator("#thao-tac-transfer").get_by_text("Trang đã được tải lại").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert not serious(page), serious(page)
