"""Counter intake in one flow: find the procedure, fill, scan, decide; a form sent with a
mistake comes back with everything typed, its scans held and a summary of what to fix."""

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from egov.desk import services
from egov.desk.models import HeldScan
from egov.dossiers.models import Dossier
from tests.uploads import PDF, PNG, pdf

pytestmark = pytest.mark.django_db

TOKEN = "a" * 32
APPLICANT = {
    "token": TOKEN,
    "applicant_type": "1",
    "id_number": "089301000123",
    "full_name": "Nguyễn Thị Ánh Tuyết",
    "date_of_birth": "2001-05-17",
    "gender": "female",
    "phone": "0912345678",
    "ward_code": "30307",
    "street": "12 Trần Hưng Đạo",
    "return_method": "counter",
    "f_child_full_name": "Trần Gia Bảo",
    "f_child_gender": "male",
}
# The two papers of a birth registration seen in the original at the counter.
ORIGINALS = {"original_TP01": "on", "original_TP02": "on"}
URL = reverse("desk:intake_form", args=["1.001193"])


@pytest.fixture
def desk(client, procedures, people, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["desk"])
    return client


def scan(name: str = "Giấy chứng sinh.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_files(tmp_path) -> list:
    return [path for path in tmp_path.rglob("*") if path.is_file()]


def summary_links(page: str) -> list[tuple[str, str]]:
    found = re.search(r'<div class="error-summary" role="alert".*?</div>', page, re.S)
    assert found, page
    return [
        (href, html.unescape(text))
        for href, text in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', found.group(0))
    ]


def test_find_the_procedure_without_accents(desk):
    html_page = desk.get(reverse("desk:intake"), {"q": "dang ky khai sinh"}).content.decode()
    assert URL in html_page
    partial = desk.get(reverse("desk:intake"), {"q": "khai sinh"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()


def test_the_form_comes_in_numbered_sections(desk):
    page = desk.get(URL).content.decode()
    headings = re.findall(r'<h2 id="phan-\d">.*?</span> ([^<]+)</h2>', page)
    assert headings == [
        "Người nộp hồ sơ",
        "Thành phần hồ sơ",
        "Tờ khai điện tử",
        "Nhận kết quả và quyết định",
    ]
    assert "error-summary" not in page
    # No script in the page itself: the form's behaviour is a static file.
    assert "<script>" not in page and "onclick" not in page
    assert "desk/intake.js" in page and "desk/intake.css" in page


def test_receive_at_the_counter_with_a_scan(desk):
    response = desk.post(
        URL,
        {**APPLICANT, "decision": "receive", "original_TP01": "on", "doc_TP02": scan("cs.pdf")},
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/can-bo/ho-so/{dossier.code}/?in=01")
    assert dossier.status == "received" and dossier.digitised
    assert not dossier.population_verified  # no population database in these tests
    assert dossier.form_data == {"child_full_name": "Trần Gia Bảo", "child_gender": "male"}
    assert dossier.documents.get().component == "TP02"
    page = desk.get(response["Location"]).content.decode()
    assert "Đã tiếp nhận hồ sơ" in page and "In phiếu vừa lập" in page


def test_the_originals_checked_at_the_counter_go_to_the_engine(desk):
    desk.post(URL, {**APPLICANT, "decision": "receive", **ORIGINALS})
    dossier = Dossier.objects.get()
    assert dossier.status == "received"
    assert [(paper["component"], paper["received_as"]) for paper in dossier.received_papers] == [
        ("TP01", "original_checked"),
        ("TP02", "original_checked"),
    ]


def test_a_required_paper_neither_scanned_nor_checked_is_shown_on_the_paper(desk):
    response = desk.post(URL, {**APPLICANT, "decision": "receive", "doc_TP02": scan()})
    assert response.status_code == 200
    assert not Dossier.objects.exists()
    page = response.content.decode()
    assert (
        "doc_TP01",
        "Tờ khai đăng ký khai sinh: cần bản quét, hoặc đánh dấu đã kiểm tra bản chính tại quầy.",
    ) in summary_links(page)
    assert 'id="doc_TP01_error"' in page
    assert 'aria-describedby="doc_TP01_error"' in page and 'aria-invalid="true"' in page
    assert "Chưa tiếp nhận được" in page  # the engine's own words open the summary
    # The scan of TP02 is still there, so ticking TP01 is all that is left to do.
    assert "Đã đính kèm: <strong>Giấy chứng sinh.pdf</strong>" in page
    done = desk.post(URL, {**APPLICANT, "decision": "receive", "original_TP01": "on"})
    assert done.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.documents.get().component == "TP02"
    assert [(paper["component"], paper["received_as"]) for paper in dossier.received_papers] == [
        ("TP01", "original_checked"),
        ("TP02", "scan"),
    ]


def test_request_a_supplement_at_the_counter(desk):
    desk.post(
        URL,
        {**APPLICANT, "decision": "request_supplement", "note": "Giấy chứng sinh\nTờ khai"},
    )
    dossier = Dossier.objects.get()
    assert dossier.status == "supplement_requested" and dossier.code is None
    assert dossier.supplements.get().items == ["Giấy chứng sinh", "Tờ khai"]


def test_bad_input_changes_nothing(desk, tmp_path):
    response = desk.post(URL, {**APPLICANT, **ORIGINALS, "id_number": "123", "decision": "receive"})
    assert response.status_code == 200
    assert "12 chữ số" in response.content.decode()
    refusal = desk.post(URL, {**APPLICANT, "decision": "refuse", "note": ""})
    assert "Cần ghi rõ lý do từ chối" in refusal.content.decode()
    assert ("id_note", next(t for h, t in summary_links(refusal.content.decode()))) in (
        summary_links(refusal.content.decode())
    )
    disguised = desk.post(
        URL,
        {**APPLICANT, **ORIGINALS, "decision": "receive", "doc_TP02": scan("cs.pdf", b"MZ\x90")},
    )
    assert "không đúng với phần mở rộng" in disguised.content.decode()
    assert not Dossier.objects.exists()
    assert not stored_files(tmp_path)
    assert not HeldScan.objects.exists()


def test_a_scan_that_would_run_a_script_is_refused_with_the_reason_on_its_paper(desk, tmp_path):
    # The PDF opens with JavaScript: its magic bytes and its name are those of a real scan.
    script = pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> ")
    response = desk.post(
        URL,
        {**APPLICANT, **ORIGINALS, "decision": "receive", "doc_TP02": scan("cs.pdf", script)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    reason = (
        "Giấy chứng sinh: Tệp PDF có mã lệnh tự chạy (JavaScript hoặc hành động tự mở); "
        "hãy in lại tệp ra PDF thường."
    )
    assert ("doc_TP02", reason) in summary_links(page)
    shown = re.search(r'<p class="field-error" id="doc_TP02_error">([^<]*)</p>', page)
    assert shown and html.unescape(shown.group(1)) == reason  # next to the file input
    assert not Dossier.objects.exists()
    assert not HeldScan.objects.exists() and not stored_files(tmp_path)


def test_an_error_keeps_what_was_typed_and_every_scan(desk, tmp_path):
    """The mistake is the ID number; both scans stay, listed by name and size, and the fixed
    form goes through with them without attaching them again."""
    response = desk.post(
        URL,
        {
            **APPLICANT,
            "id_number": "12345",
            "decision": "receive",
            "doc_TP01": scan("Tờ khai khai sinh.png", PNG),
            "doc_TP02": scan(),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Nguyễn Thị Ánh Tuyết"' in page and 'value="12 Trần Hưng Đạo"' in page
    assert 'value="Trần Gia Bảo"' in page
    assert f"Đã đính kèm: <strong>Tờ khai khai sinh.png</strong> ({len(PNG)}\xa0byte)" in page
    assert "Đã đính kèm: <strong>Giấy chứng sinh.pdf</strong> (" in page
    assert len(stored_files(tmp_path)) == 2
    # The summary is at the top, names the field and links to it; the field says so too.
    assert page.index("Có lỗi cần sửa") < page.index("<form")
    [(href, text)] = summary_links(page)
    assert (href, text) == ("id_id_number", "Số định danh cá nhân phải gồm đúng 12 chữ số.")
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_id_number"', page) or re.search(
        r'<input[^>]*id="id_id_number"[^>]*aria-invalid="true"', page
    )
    assert 'aria-describedby="id_id_number_error"' in page
    assert 'id="id_id_number_error"' in page
    assert "<title>Có lỗi cần sửa · " in page

    fixed = desk.post(URL, {**APPLICANT, "decision": "receive"})
    assert fixed.status_code == 302, fixed.content.decode()
    dossier = Dossier.objects.get()
    documents = {document.component: document for document in dossier.documents.all()}
    assert set(documents) == {"TP01", "TP02"}
    assert documents["TP02"].file.read() == PDF
    assert documents["TP01"].content_type == "image/png"
    assert [paper["received_as"] for paper in dossier.received_papers] == ["scan", "scan"]
    # The held copies are gone, rows and files: only the dossier's two remain.
    assert not HeldScan.objects.exists()
    assert len(stored_files(tmp_path)) == 2


def test_a_new_upload_replaces_the_held_one_and_a_tick_removes_it(desk, tmp_path):
    desk.post(URL, {**APPLICANT, "id_number": "1", "decision": "receive", "doc_TP02": scan()})
    page = desk.post(
        URL,
        {**APPLICANT, "id_number": "1", "decision": "receive", "doc_TP02": scan("moi.pdf")},
    ).content.decode()
    assert "Đã đính kèm: <strong>moi.pdf</strong>" in page
    assert "Giấy chứng sinh.pdf" not in page
    assert HeldScan.objects.get().name == "moi.pdf"
    assert len(stored_files(tmp_path)) == 1
    assert 'name="drop_TP02"' in page and "Bỏ tệp này" in page
    page = desk.post(
        URL, {**APPLICANT, "id_number": "1", "decision": "receive", "drop_TP02": "on"}
    ).content.decode()
    assert "Đã đính kèm" not in page
    assert not HeldScan.objects.exists() and not stored_files(tmp_path)
    # Removed and attached again in one go: the new one stays, its tick comes back empty.
    page = desk.post(
        URL,
        {
            **APPLICANT,
            "id_number": "1",
            "decision": "receive",
            "drop_TP02": "on",
            "doc_TP02": scan("lan-ba.pdf"),
        },
    ).content.decode()
    assert "Đã đính kèm: <strong>lan-ba.pdf</strong>" in page
    assert re.search(r'<input type="checkbox" name="drop_TP02" id="id_drop_TP02">', page)


def test_another_officer_neither_sees_nor_sends_the_held_scans(desk, client, staff, tmp_path):
    desk.post(URL, {**APPLICANT, "id_number": "1", "decision": "receive", "doc_TP02": scan()})
    assert HeldScan.objects.count() == 1
    colleague = staff("tiepnhan.xa2", "001.03.50.H01", "reception")
    client.force_login(colleague)
    # The same token, sent by someone else: no held scan shows, none goes on the dossier.
    page = client.post(URL, {**APPLICANT, "id_number": "1", "decision": "receive"}).content.decode()
    assert "Đã đính kèm" not in page and "Giấy chứng sinh.pdf" not in page
    response = client.post(URL, {**APPLICANT, **ORIGINALS, "decision": "receive"})
    assert response.status_code == 302
    assert not Dossier.objects.get().documents.exists()
    # The first officer's scan is untouched and still theirs.
    assert HeldScan.objects.get().officer.username == "tiepnhan.xa"
    assert len(stored_files(tmp_path)) == 1


def test_a_scan_is_held_for_its_form_only(desk):
    desk.post(URL, {**APPLICANT, "id_number": "1", "decision": "receive", "doc_TP02": scan()})
    other = {**APPLICANT, "token": "b" * 32, "id_number": "1", "decision": "receive"}
    assert "Đã đính kèm" not in desk.post(URL, other).content.decode()


def test_held_scans_are_limited(desk, monkeypatch, tmp_path):
    monkeypatch.setattr(services, "MAX_HELD_FILES", 1)
    page = desk.post(
        URL,
        {
            **APPLICANT,
            "id_number": "1",
            "decision": "receive",
            "doc_TP01": scan("a.pdf"),
            "doc_TP02": scan("b.pdf"),
        },
    ).content.decode()
    assert "Đang giữ quá nhiều tệp" in page
    assert (
        "doc_TP02",
        "Giấy chứng sinh: Đang giữ quá nhiều tệp của các phiếu chưa gửi xong. "
        "Hãy gửi phiếu hoặc bỏ bớt tệp đã đính kèm rồi đính kèm lại.",
    ) in summary_links(page)
    assert HeldScan.objects.count() == 1 and len(stored_files(tmp_path)) == 1


def test_held_scans_go_stale_after_a_day(desk, clock, tmp_path, people):
    desk.post(URL, {**APPLICANT, "id_number": "1", "decision": "receive", "doc_TP02": scan()})
    clock.now += datetime.timedelta(hours=25)
    page = desk.post(URL, {**APPLICANT, "id_number": "1", "decision": "receive"}).content.decode()
    assert "Đã đính kèm" not in page  # never shown, never sent
    call_command("expire_held_scans")
    assert not HeldScan.objects.exists() and not stored_files(tmp_path)


def test_a_hostile_file_name_is_shown_harmless(desk):
    page = desk.post(
        URL,
        {
            **APPLICANT,
            "id_number": "1",
            "decision": "receive",
            "doc_TP02": scan("..\\..\\tệp\u202egpj.pdf"),
        },
    ).content.decode()
    assert HeldScan.objects.get().name == "tệpgpj.pdf"
    assert "Đã đính kèm: <strong>tệpgpj.pdf</strong>" in page


def test_the_summary_links_every_error_to_its_input(desk):
    page = desk.post(
        URL,
        {
            **APPLICANT,
            "full_name": "",
            "email": "khong-phai-thu",
            "ward_code": "",
            "ward_name": "Không Có Xã Này",
            "f_child_gender": "khong-co",
            "decision": "receive",
        },
    ).content.decode()
    links = summary_links(page)
    assert [href for href, _ in links] == [
        "id_full_name",
        "id_email",
        "id_ward_name",
        "id_f_child_gender",
    ]
    for href, _ in links:
        assert f'id="{href}"' in page  # each link lands on its input
        assert f'aria-describedby="{href}_error' in page or f"{href}_error" in page
    texts = dict(links)
    # In words that name the field, never the framework's stock text.
    assert texts["id_full_name"] == "Cần điền họ tên (hoặc tên tổ chức)."
    assert texts["id_email"] == "Thư điện tử chưa đúng dạng (ví dụ: ten@gmail.com)."
    assert texts["id_f_child_gender"] == "Giới tính: Hãy chọn một trong danh sách."
    assert texts["id_ward_name"].startswith("Xã, phường nơi cư trú: Không có xã, phường")
    assert "Trường này là bắt buộc" not in page


def test_the_ward_is_chosen_by_name(desk):
    # Typed without accents and without the picker (no JavaScript): resolved by the server.
    desk.post(
        URL,
        {
            **APPLICANT,
            **ORIGINALS,
            "ward_code": "",
            "ward_name": "long xuyen",
            "decision": "receive",
        },
    )
    assert Dossier.objects.get().applicant_ward_code == 30307


def test_the_picker_code_wins_while_its_name_is_shown(desk):
    desk.post(
        URL,
        {
            **APPLICANT,
            **ORIGINALS,
            "ward_code": "30301",
            "ward_name": "Phường Mỹ Thới",
            "decision": "receive",
        },
    )
    assert Dossier.objects.get().applicant_ward_code == 30301


def test_a_name_typed_over_the_picked_ward_is_what_counts(desk):
    desk.post(
        URL,
        {
            **APPLICANT,
            **ORIGINALS,
            "ward_code": "30301",
            "ward_name": "Long Xuyên",
            "decision": "receive",
        },
    )
    assert Dossier.objects.get().applicant_ward_code == 30307


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("1", "", "Mã xã, phường này không thuộc tỉnh; hãy chọn theo tên."),
        ("00004", "", "Mã xã, phường này không thuộc tỉnh; hãy chọn theo tên."),  # Hà Nội's
        ("", "Ba Đình", "Không có xã, phường nào của tỉnh tên “Ba Đình”"),
        ("", "long", "xã, phường khớp với “long” (Xã Long Điền, "),
        ("99999999999999999999", "", "Mã xã, phường này không thuộc tỉnh"),
        ("30307<script>", "", "Mã xã, phường này không thuộc tỉnh"),
    ],
)
def test_a_ward_that_is_not_the_provinces_is_refused(desk, code, name, message):
    response = desk.post(
        URL, {**APPLICANT, **ORIGINALS, "ward_code": code, "ward_name": name, "decision": "receive"}
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert not Dossier.objects.exists()
    assert message in page
    assert 'id="id_ward_name_error"' in page


def test_the_ward_search_finds_the_provinces_wards_by_name(desk, client, people):
    url = reverse("desk:intake_wards")
    page = desk.get(url, {"ward_name": "LONG XUYEN"}, headers={"HX-Request": "true"})
    text = page.content.decode()
    assert "<html" not in text
    assert 'data-ward-code="30307"' in text
    assert 'data-ward-label="Phường Long Xuyên, Tỉnh An Giang"' in text
    assert "1 xã, phường khớp" in text
    by_code = desk.get(url, {"code": "30307"}).content.decode()
    assert 'data-ward-name="Phường Long Xuyên"' in by_code
    assert "data-ward-code" not in desk.get(url, {"code": "4"}).content.decode()  # Hà Nội
    assert "Không có xã, phường nào của tỉnh tên" in html.unescape(
        desk.get(url, {"ward_name": "Ba Đình"}).content.decode()
    )
    many = desk.get(url, {"ward_name": "xa"}).content.decode()
    assert many.count("data-ward-code=") == 10
    client.logout()
    assert client.get(url, {"ward_name": "long"}).status_code == 302  # to the sign-in page


def test_the_ward_search_is_for_staff(client, procedures):
    from django.contrib.auth.models import User

    citizen = User.objects.create_user("congdan", password="x")
    client.force_login(citizen)
    assert client.get(reverse("desk:intake_wards"), {"ward_name": "long"}).status_code == 403


def test_a_double_click_makes_one_dossier(desk):
    first = desk.post(URL, {**APPLICANT, **ORIGINALS, "decision": "receive"})
    second = desk.post(URL, {**APPLICANT, **ORIGINALS, "decision": "receive"})
    assert Dossier.objects.count() == 1
    assert second["Location"] == first["Location"].split("?")[0]


def test_a_form_without_its_token_still_keeps_its_scans(desk):
    page = desk.post(
        URL,
        {**APPLICANT, "token": "../x", "id_number": "1", "decision": "receive", "doc_TP02": scan()},
    ).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    assert HeldScan.objects.get().token == token


def test_an_officer_at_two_desks_chooses_one(client, procedures, people, clock, staff):
    staff("hai.noi", "001.03.50.H01", "reception")
    both = staff("hai.noi", "000.00.31.H01", "reception")
    client.force_login(both)
    form = client.get(URL).content.decode()
    assert "Bộ phận tiếp nhận" in form
    client.post(URL, {**APPLICANT, **ORIGINALS, "decision": "receive", "desk": "001.03.50.H01"})
    assert Dossier.objects.get().receiving_agency.code == "001.03.50.H01"


def test_earlier_dossiers_fill_the_applicant_at_the_same_desk_only(desk, people, client):
    desk.post(URL, {**APPLICANT, **ORIGINALS, "decision": "receive"})
    url = reverse("desk:intake_applicant")
    page = desk.post(url, {"id_number": "089301000123"}).content.decode()
    assert "Điền thông tin của Nguyễn Thị Ánh Tuyết" in page
    assert '"ward_code": "30307"' in page
    assert desk.post(url, {"id_number": "1"}).content.decode().strip() == ""
    for other in ("specialist", "auditor", "province_desk"):  # not this counter's officers
        client.force_login(people[other])
        assert client.post(url, {"id_number": "089301000123"}).content.decode().strip() == ""
