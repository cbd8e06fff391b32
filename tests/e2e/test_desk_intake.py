"""The counter intake form in the browser: a mistake brings the form back with its summary at
the top, linked to each field, with the two scans still attached; fixed, it is received.
The ward is picked by name, also when the form is filled from the population database.
Accessible (axe) and without sideways scrolling at 1280 and 360 px."""

from typing import Any

import pytest

from egov.catalog.services import procedures_import
from egov.desk.models import HeldScan
from egov.dossiers.models import Dossier
from tests.conftest import BIRTH, catalogue
from tests.e2e.test_desk import serious, sign_in
from tests.interop.conftest import registry, sim, sim_server
from tests.uploads import PDF, PNG

__all__ = ["registry", "sim", "sim_server"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORM = "/can-bo/tiep-nhan/1.001193/"


@pytest.fixture
def counter(live_server: Any, agencies: Any, people: Any, page: Any, settings: Any, tmp_path: Any):
    settings.MEDIA_ROOT = tmp_path
    procedures_import(data=catalogue(BIRTH))
    sign_in(page, live_server.url, "tiepnhan.xa")
    page.goto(live_server.url + FORM)
    return page


def pick_ward(page: Any, typed: str, name: str) -> None:
    page.get_by_label("Xã, phường nơi cư trú").fill(typed)
    page.get_by_role("button", name=name, exact=True).click()
    page.get_by_text(f"Đã chọn: {name}, Tỉnh An Giang").wait_for()


def fits(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not serious(page), serious(page)


def test_a_mistake_keeps_the_scans_and_says_what_to_fix(counter, live_server):
    page = counter
    fits(page, 1280)
    page.get_by_label("Số định danh cá nhân").fill("12345")
    page.get_by_label("Họ tên (hoặc tên tổ chức)").fill("Nguyễn Thị Ánh Tuyết")
    page.get_by_label("Ngày sinh").fill("2001-05-17")
    page.locator("#id_gender").select_option("female")
    pick_ward(page, "long xuy", "Phường Long Xuyên")
    page.get_by_label("Địa chỉ (số nhà, đường, ấp)").fill("12 Trần Hưng Đạo")
    page.locator("#doc_TP01").set_input_files(
        files=[{"name": "Tờ khai.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.locator("#doc_TP02").set_input_files(
        files=[{"name": "Giấy chứng sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Ghi nhận").click()

    summary = page.get_by_role("alert").filter(has_text="Có lỗi cần sửa")
    summary.wait_for()
    # At the top, above the form, and where the keyboard is.
    assert summary.bounding_box()["y"] < page.locator("form.intake").bounding_box()["y"]
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    link = summary.get_by_role("link", name="Số định danh cá nhân phải gồm đúng 12 chữ số.")
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_id_number"
    assert page.get_by_label("Số định danh cá nhân").get_attribute("aria-invalid") == "true"
    # Everything typed is there, the ward still chosen, both scans listed by name and size.
    assert page.get_by_label("Họ tên (hoặc tên tổ chức)").input_value() == "Nguyễn Thị Ánh Tuyết"
    assert page.get_by_label("Xã, phường nơi cư trú").input_value() == "Phường Long Xuyên"
    assert page.locator("#id_ward_code").input_value() == "30307"
    page.get_by_text(f"Đã đính kèm: Tờ khai.png ({len(PNG)} byte)").wait_for()
    page.get_by_text("Đã đính kèm: Giấy chứng sinh.pdf").wait_for()
    assert HeldScan.objects.count() == 2
    fits(page, 1280)
    fits(page, 360)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Số định danh cá nhân").fill("089301000123")
    page.get_by_role("button", name="Ghi nhận").click()
    page.get_by_text("Đã tiếp nhận hồ sơ").wait_for()
    dossier = Dossier.objects.get()
    assert dossier.status == "received" and dossier.applicant_ward_code == 30307
    assert sorted(document.component for document in dossier.documents.all()) == ["TP01", "TP02"]
    assert not HeldScan.objects.exists()


def test_a_paper_neither_scanned_nor_checked_is_linked_from_the_summary(counter):
    page = counter
    page.get_by_label("Số định danh cá nhân").fill("089301000123")
    page.get_by_label("Họ tên (hoặc tên tổ chức)").fill("Nguyễn Thị Ánh Tuyết")
    page.get_by_label("Ngày sinh").fill("2001-05-17")
    page.locator("#id_gender").select_option("female")
    page.locator("#doc_TP02").set_input_files(
        files=[{"name": "cs.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Ghi nhận").click()
    summary = page.get_by_role("alert").filter(has_text="Có lỗi cần sửa")
    summary.get_by_role("link", name="Tờ khai đăng ký khai sinh: cần bản quét").click()
    assert page.evaluate("document.activeElement.id") == "doc_TP01"
    fits(page, 360)
    page.set_viewport_size({"width": 1280, "height": 900})
    paper = page.locator("fieldset.paper").filter(has_text="Tờ khai đăng ký khai sinh")
    paper.get_by_label("Đã kiểm tra bản chính tại quầy").check()
    page.get_by_role("button", name="Ghi nhận").click()
    page.get_by_text("Đã tiếp nhận hồ sơ").wait_for()
    assert Dossier.objects.get().documents.get().name == "cs.pdf"


def test_the_population_look_up_fills_the_ward_picker(counter, sim, registry):
    page = counter
    page.get_by_label("Số định danh cá nhân").fill("089095001234")
    page.get_by_role("button", name="Tra cứu CSDL dân cư").click()
    page.get_by_role("button", name="Điền vào tờ khai").click()
    page.get_by_text("Đã chọn: Phường Mỹ Thới, Tỉnh An Giang").wait_for()
    assert page.get_by_label("Xã, phường nơi cư trú").input_value() == "Phường Mỹ Thới"
    assert page.locator("#id_ward_code").input_value() == "30301"
    assert page.get_by_label("Họ tên (hoặc tên tổ chức)").input_value() == "Đinh Trọng Dũng"
    # Typing over the name forgets the code until another ward is picked.
    page.get_by_label("Xã, phường nơi cư trú").fill("long")
    assert page.locator("#id_ward_code").input_value() == ""
    page.get_by_role("button", name="Phường Long Xuyên", exact=True).wait_for()
    page.get_by_label("Xã, phường nơi cư trú").press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.wardCode") is not None
    fits(page, 360)
