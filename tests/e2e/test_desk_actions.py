"""What an officer sees after acting on a dossier, in the browser (issue 11, point 6): the slip
just made to print at the top, a transfer that names where the dossier goes, the result's
recipient filled in, and a refusal that asks once more — cancelled, nothing changes."""

import pytest

from egov.catalog.services import procedures_import
from egov.dossiers.models import Dossier
from egov.dossiers.services import dossier_create
from tests.conftest import BIRTH, catalogue
from tests.dossiers.conftest import CITIZEN, act
from tests.e2e.test_desk import serious, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMUNE = "Ủy ban nhân dân phường Long Xuyên"


def sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def online_dossier(django_user_model) -> Dossier:
    citizen = django_user_model.objects.create_user("congdan", password="x")
    return dossier_create(
        actor=citizen,
        procedure_code=BIRTH["national_code"],
        channel="online",
        applicant=CITIZEN,
        return_method="counter",
        agency_code="001.03.50.H01",
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_refuse_asks_again_and_cancelling_changes_nothing(
    live_server, agencies, people, page, django_user_model, width
):
    procedures_import(data=catalogue(BIRTH))
    dossier = online_dossier(django_user_model)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server.url, "tiepnhan.xa")
    page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.reference}/")

    receive = page.locator("#thao-tac-receive > summary")
    refuse = page.locator("#thao-tac-refuse > summary")
    # The refusal does not look like the main action: an outline, not the filled button.
    style = "e => getComputedStyle(e).backgroundColor"
    assert receive.evaluate(style) != refuse.evaluate(style)
    assert refuse.bounding_box()["y"] > receive.bounding_box()["y"]

    refuse.click()
    question = page.get_by_text("Bạn chắc chắn? Từ chối tiếp nhận hồ sơ này (Mẫu 03)?")
    question.wait_for()
    page.locator("#thao-tac-refuse").get_by_label("Lý do, nội dung").fill(
        "Giấy chứng sinh bị tẩy xóa"
    )
    confirm = page.get_by_role("button", name="Xác nhận từ chối tiếp nhận")
    assert confirm.is_visible()
    assert not serious(page), serious(page)
    assert sideways(page) <= 0
    page.get_by_role("link", name="Hủy").click()
    assert not question.is_visible() and not confirm.is_visible()
    # The focus goes back to the refusal's button, not to the top of the page.
    assert page.evaluate("document.activeElement.parentElement.id") == "thao-tac-refuse"
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.version) == ("submitted", dossier.version)

    # Asked again and confirmed, the refusal is made and its slip (Mẫu 03) offered on top.
    refuse.click()
    page.locator("#thao-tac-refuse").get_by_label("Lý do, nội dung").fill(
        "Giấy chứng sinh bị tẩy xóa"
    )
    confirm.click()
    page.get_by_text("Đã thực hiện: Từ chối tiếp nhận").wait_for()
    assert Dossier.objects.get(pk=dossier.pk).status == "refused"
    box = page.get_by_role("region", name="In phiếu vừa lập")
    assert box.get_by_role("button", name="In Phiếu từ chối (Mẫu 03)").is_visible()
    assert (
        box.bounding_box()["y"] < page.get_by_role("heading", name="Người nộp").bounding_box()["y"]
    )


def test_without_javascript_cancel_reloads_the_page_and_nothing_changes(
    live_server, agencies, people, browser, django_user_model
):
    procedures_import(data=catalogue(BIRTH))
    dossier = online_dossier(django_user_model)
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "tiepnhan.xa")
        page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.reference}/")
        page.locator("#thao-tac-refuse > summary").click()
        page.get_by_text("Bạn chắc chắn?").wait_for()
        with page.expect_navigation():
            page.get_by_role("link", name="Hủy").click()
        assert not page.get_by_text("Bạn chắc chắn?").is_visible()
        fresh = Dossier.objects.get(pk=dossier.pk)
        assert (fresh.status, fresh.version) == ("submitted", dossier.version)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_after_intake_print_on_top_transfer_names_where_return_fills_recipient(
    live_server, agencies, people, page, django_user_model, width
):
    procedures_import(data=catalogue(BIRTH))
    dossier = online_dossier(django_user_model)
    page.set_viewport_size({"width": width, "height": 800})
    base = live_server.url
    sign_in(page, base, "tiepnhan.xa")
    page.goto(f"{base}/can-bo/ho-so/{dossier.reference}/")

    # Intake: received, and the receipt (Mẫu 01) to print is the first thing under the title.
    page.locator("#thao-tac-receive > summary").click()
    page.locator("#thao-tac-receive form").get_by_role("button", name="Tiếp nhận").click()
    page.get_by_text("Đã thực hiện: Tiếp nhận").wait_for()
    box = page.get_by_role("region", name="In phiếu vừa lập")
    heading = page.locator("h1").bounding_box()
    assert heading["y"] < box.bounding_box()["y"] < 800  # on the first screen, under the title
    assert (
        box.bounding_box()["y"] < page.get_by_role("heading", name="Người nộp").bounding_box()["y"]
    )
    with page.expect_popup() as popup:
        box.get_by_role("button", name="In Giấy tiếp nhận (Mẫu 01)").click()
    popup.value.wait_for_load_state()
    assert popup.value.url.endswith("/forms/01.pdf")
    assert not serious(page), serious(page)
    assert sideways(page) <= 0

    # The transfer says where the dossier goes, on its button and after it went.
    transfer = page.locator("#thao-tac-transfer > summary")
    assert f"{COMMUNE} · bước 2: Thẩm định hồ sơ" in transfer.inner_text()
    transfer.click()
    page.locator("#thao-tac-transfer form").get_by_role("button", name="Chuyển xử lý").click()
    page.get_by_text(f"Hồ sơ đã chuyển đến bước 2. Thẩm định hồ sơ — {COMMUNE}").wait_for()
    assert page.get_by_role("region", name="In phiếu vừa lập").count() == 0

    fresh = Dossier.objects.get(pk=dossier.pk)
    act(fresh, "forward", people["specialist"])
    act(fresh, "forward", people["police"])
    act(fresh, "approve", people["leader"])

    # The result at the counter: the applicant is filled in as the recipient, still editable.
    page.reload()
    page.locator("#thao-tac-return_result > summary").click()
    name = page.get_by_label("Họ tên người nhận kết quả")
    number = page.get_by_label("Số giấy tờ tùy thân của người nhận")
    assert (name.input_value(), number.input_value()) == ("Nguyễn Thị Ánh Tuyết", "089301000123")
    assert name.is_editable() and number.is_editable()
    assert not serious(page), serious(page)
    assert sideways(page) <= 0
    page.locator("#thao-tac-return_result form").get_by_role("button", name="Trả kết quả").click()
    page.get_by_text("Đã thực hiện: Trả kết quả").wait_for()
    event = Dossier.objects.get(pk=dossier.pk).events.get(action="return_result")
    assert event.payload["recipient"]["name"] == "Nguyễn Thị Ánh Tuyết"


def test_an_error_is_shown_by_the_action_and_in_the_messages(
    live_server, agencies, people, page, django_user_model
):
    procedures_import(data=catalogue(BIRTH))
    dossier = online_dossier(django_user_model)
    sign_in(page, live_server.url, "tiepnhan.xa")
    page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.reference}/")
    page.locator("#thao-tac-refuse > summary").click()
    # A reason of spaces only, past the browser's own check: the engine refuses it.
    page.locator("#thao-tac-refuse").get_by_label("Lý do, nội dung").fill("   ")
    page.get_by_role("button", name="Xác nhận từ chối tiếp nhận").click()
    reason = "Cần ghi rõ lý do từ chối tiếp nhận (Mẫu 03)."
    by_action = page.locator("#thao-tac-refuse").get_by_text(reason)
    by_action.wait_for()
    assert by_action.is_visible()
    assert page.get_by_role("alert").filter(has_text=reason).count() == 1
    assert Dossier.objects.get(pk=dossier.pk).status == "submitted"
    assert not serious(page), serious(page)
