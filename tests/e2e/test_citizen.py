"""The citizen's journey in the browser (issue 10): sign in through the VNeID simulator,
submit a full-process dossier online with an upload and a paper from "Giấy tờ của tôi"; the
desk receives it, the specialist asks for a supplement, the citizen supplies it, the
specialist accepts, the leader approves with the signed result; the citizen downloads the
result and rates the service. Pages are checked at 360 px and with axe on the way."""

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest

from egov.accounts import vneid
from egov.catalog.services import procedures_import
from egov.dossiers.models import Dossier, DossierRating
from egov.dossiers.services import Applicant, IntakeFile, counter_intake
from egov.interop.services.registry import registry_install
from sims import population
from sims.server import start_in_thread
from tests.conftest import COMMUNE_CENTER, catalogue
from tests.e2e.test_desk import SIMPLE, serious, sign_in
from tests.uploads import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AN = "091200001111"  # Nguyễn Tấn An in the VNeID simulator, level 2, phường Long Xuyên


@pytest.fixture
def sims(live_server: Any, settings: Any) -> Iterator[Any]:
    server = start_in_thread(host="127.0.0.1", port=0)
    server_url = server.base_url
    import httpx

    httpx.post(
        f"{server_url}/_sim/vneid/redirect-uris",
        json={"redirect_uris": [f"{live_server.url}/dang-nhap/vneid/ve/"]},
    ).raise_for_status()
    settings.MOTCUA_VNEID_ISSUER = f"{server_url}/vneid"
    settings.MOTCUA_VNEID_CLIENT_ID = "motcua-angiang"
    settings.MOTCUA_VNEID_CLIENT_SECRET = "vneid-demo-secret"
    systems = {code: dict(system) for code, system in settings.MOTCUA_LGSP_SYSTEMS.items()}
    for code in ("dvcqg", "csdldc", "hotich", "thue"):
        systems[code]["url"] = f"{server_url}/{code}"
    settings.MOTCUA_LGSP_SYSTEMS = systems
    vneid.reset_clients()
    registry_install()
    yield server
    vneid.reset_clients()
    server.stop()


def _earlier_counter_dossier(desk: Any) -> None:
    """Last month An brought his papers to the counter; the desk scanned them."""
    record = population.person(AN)
    assert record is not None
    born = record["NgaySinh"]
    counter_intake(
        actor=desk,
        procedure_code=SIMPLE["national_code"],
        agency_code=COMMUNE_CENTER,
        applicant=Applicant(
            type=1,
            name=record["HoVaTen"],
            id_number=AN,
            birth_date=datetime.date(int(born[:4]), int(born[4:6]), int(born[6:])),
            gender="male",
            ward_code=30307,
        ),
        return_method="counter",
        form_data={},
        submitter=None,
        files=[
            IntakeFile(component="TP02", stream=io.BytesIO(PDF), name="giay-cs.pdf", size=len(PDF))
        ],
        decision="receive",
        note="",
        items=[],
        originals_checked=["TP01"],  # the declaration, signed in front of the officer
    )


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert not serious(page), serious(page)


def _act(page: Any, label: str, **fields: str) -> None:
    page.get_by_role("button", name=label).first.click()
    form = page.locator("form").filter(has=page.get_by_role("button", name=label)).last
    for field, value in fields.items():
        form.get_by_label(field).fill(value)
    form.get_by_role("button", name=label).click()
    page.get_by_text("Đã thực hiện").wait_for()


def test_a_citizen_submits_online_and_follows_to_the_result(
    sims: Any, live_server: Any, agencies: Any, people: dict[str, Any], page: Any, tmp_path: Any
) -> None:
    procedures_import(data=catalogue(SIMPLE))
    _earlier_counter_dossier(people["desk"])
    base = live_server.url
    page.set_viewport_size({"width": 360, "height": 800})

    # Find the procedure and start: VNeID sign-in, back to the start page.
    page.goto(f"{base}/thu-tuc/{SIMPLE['national_code']}/")
    _fits(page)
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").or_(
        page.get_by_role("link", name="Nộp hồ sơ trực tuyến")
    ).first.click()
    page.get_by_role("button", name="Đăng nhập bằng VNeID để nộp").or_(
        page.get_by_role("link", name="Đăng nhập bằng VNeID để nộp")
    ).first.click()
    page.locator("button[value='cd-1111']").click()  # the simulator's pick-a-person page
    page.get_by_role("button", name="Bắt đầu").click()

    # Who applies: verified, prefilled from the sign-in and the population database.
    page.get_by_role("heading", name="Thông tin người nộp").wait_for()
    _fits(page)
    assert page.get_by_label("Số điện thoại di động").input_value()
    assert page.get_by_label("Xã, phường nơi cư trú").input_value() == "30307"
    page.get_by_role("button", name="Tiếp tục").click()

    # Papers: one uploaded, one taken from "Giấy tờ của tôi".
    page.get_by_role("heading", name="Giấy tờ kèm theo").wait_for()
    _fits(page)
    upload = tmp_path / "to-khai.pdf"
    upload.write_bytes(PDF)
    first = page.locator("section").filter(has=page.locator("#file_TP01"))
    first.locator("#file_TP01").set_input_files(str(upload))
    first.get_by_role("button", name="Tải lên", exact=True).click()
    page.get_by_text("to-khai.pdf").wait_for()
    second = page.locator("section").filter(has=page.locator("#reuse_TP02"))
    second.locator("#reuse_TP02").select_option(index=1)
    second.get_by_role("button", name="Dùng giấy tờ này").click()
    page.get_by_text("dùng lại từ hồ sơ").wait_for()
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_role("heading", name="Nơi nộp và cách nhận kết quả").wait_for()
    _fits(page)
    page.get_by_label("Nộp hồ sơ tại").select_option(COMMUNE_CENTER)
    page.get_by_label("Nhận kết quả điện tử trên Cổng (tải về)").check()
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("heading", name="Kiểm tra trước khi nộp").wait_for()
    _fits(page)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.get_by_text("Đã nộp hồ sơ. Bộ phận Một cửa").wait_for()
    dossier = Dossier.objects.get(channel="online")
    assert dossier.status == "submitted" and dossier.vneid_verified and dossier.reused
    assert dossier.documents.filter(reused_from__isnull=False).count() == 1

    # The desk receives it from the online queue and transfers it; the specialist asks.
    citizen_page = page
    officer = page.context.browser.new_context(locale="vi-VN").new_page()
    sign_in(officer, base, "tiepnhan.xa")
    officer.goto(base + "/can-bo/?tab=intake")
    officer.get_by_role("row").filter(has_text=dossier.applicant_name).get_by_role(
        "link", name="(chưa có mã)"
    ).click()
    _act(officer, "Tiếp nhận")
    _act(officer, "Chuyển xử lý")
    dossier.refresh_from_db()
    sign_in(officer, base, "chuyenvien.xa")
    officer.goto(f"{base}/can-bo/ho-so/{dossier.code}/")
    _act(
        officer,
        "Yêu cầu bổ sung",
        **{
            "Giấy tờ cần bổ sung (mỗi dòng một loại)": "Giấy chứng sinh bản rõ nét",
            "Lý do, nội dung": "Ảnh giấy chứng sinh bị mờ.",
        },
    )

    # The citizen answers the supplement request from "Hồ sơ của tôi".
    citizen_page.goto(base + "/ho-so-cua-toi/")
    citizen_page.get_by_text("Cần bổ sung").first.wait_for()
    _fits(citizen_page)
    citizen_page.get_by_role("link", name=dossier.procedure.name).first.click()
    citizen_page.locator("a[href$='/bo-sung/']").first.click()
    _fits(citizen_page)
    clearer = tmp_path / "giay-chung-sinh-ro.pdf"
    clearer.write_bytes(PDF)
    citizen_page.locator("#tep").set_input_files(str(clearer))
    citizen_page.get_by_label("Giấy chứng sinh").check()
    citizen_page.get_by_role("button", name="Tải lên", exact=True).click()
    citizen_page.locator("a[href$='?buoc=kiem-tra']").click()
    citizen_page.get_by_role("button", name="Gửi bổ sung").click()
    citizen_page.get_by_text("Đã gửi bổ sung").first.wait_for()

    # The specialist accepts it (the clock restarts) and forwards; the leader approves.
    officer.goto(base + "/can-bo/?tab=mine")
    officer.get_by_role("link", name=dossier.code).click()
    _act(officer, "Đã nhận đủ bổ sung")
    _act(officer, "Chuyển bước tiếp theo")
    sign_in(officer, base, "lanhdao.xa")
    officer.goto(f"{base}/can-bo/ho-so/{dossier.code}/")
    officer.get_by_role("button", name="Phê duyệt kết quả").first.click()
    result = tmp_path / "giay-khai-tu.pdf"
    result.write_bytes(PDF)
    officer.get_by_label("Kết quả đã ký (tệp PDF, không bắt buộc)").set_input_files(str(result))
    officer.locator("form[action*='thao-tac/approve']").get_by_role(
        "button", name="Phê duyệt kết quả"
    ).click()
    officer.get_by_text("Đã thực hiện").wait_for()
    dossier.refresh_from_db()
    assert dossier.status == "result_ready"

    # The citizen downloads the result (which returns it) and rates the service.
    citizen_page.goto(f"{base}/ho-so-cua-toi/{dossier.code}/")
    _fits(citizen_page)
    with citizen_page.expect_download() as download:
        citizen_page.get_by_role("button", name="Tải kết quả: giay-khai-tu.pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    dossier.refresh_from_db()
    assert dossier.status == "returned"
    citizen_page.goto(f"{base}/ho-so-cua-toi/{dossier.code}/danh-gia/")
    _fits(citizen_page)
    for group in citizen_page.locator("fieldset").all():
        group.locator("input[type=radio]").first.check()
    citizen_page.get_by_role("button", name="Gửi đánh giá").click()
    citizen_page.get_by_text("Cảm ơn").first.wait_for()
    assert DossierRating.objects.get(dossier=dossier).total == 8


def test_a_dossier_from_the_national_portal_reaches_the_desks_queue(
    live_server: Any, agencies: Any, people: dict[str, Any], page: Any
) -> None:
    """The citizen submits on the national portal (its simulator's citizen page); the bus
    takes it in and the desk finds it in its online intake queue, with its papers."""
    from egov.interop.inbound.services import connection_account_create
    from sims.server import Config
    from tests.interop.test_inbound_dossiers import demo_procedure

    registry_install()
    procedures_import(data=catalogue(demo_procedure("1.004873")))
    connection_account_create(
        system_code="dvcqg",
        name="Cổng DVC quốc gia (mô phỏng)",
        scopes=["dossier.status", "dossier.submit"],
        client_id="dvcqg-portal",
        client_secret="dvcqg-portal-demo-secret",
    )
    base = live_server.url
    with start_in_thread(host="127.0.0.1", port=0, config=Config(motcua_url=base)) as portal:
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(f"{portal.base_url}/dvcqg/nop-ho-so?ma=1.004873")
        _fits(page)
        # The portal's e-form asks what the state does not hold.
        page.locator("#bm_marital_status").select_option("chua_ket_hon")
        page.locator("#bm_purpose").select_option("ket_hon")
        page.get_by_role("button", name="Nộp hồ sơ").click()
        page.get_by_text("Hồ sơ đã được gửi").first.wait_for()
    dossier = Dossier.objects.get()
    assert dossier.national_reference and dossier.status == "submitted"
    officer = page.context.browser.new_context(locale="vi-VN").new_page()
    sign_in(officer, base, "tiepnhan.xa")
    officer.goto(base + "/can-bo/?tab=intake")
    row = officer.get_by_role("row").filter(has_text=dossier.applicant_name)
    row.get_by_role("link", name="(chưa có mã)").click()
    officer.get_by_text(dossier.procedure.name).first.wait_for()
    assert not serious(officer), serious(officer)
