"""Counter intake in one flow: find the procedure, fill, scan, decide."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.dossiers.models import Dossier

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
APPLICANT = {
    "token": "a" * 32,
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


@pytest.fixture
def desk(client, procedures, people, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["desk"])
    return client


def test_find_the_procedure_without_accents(desk):
    html = desk.get(reverse("desk:intake"), {"q": "dang ky khai sinh"}).content.decode()
    assert reverse("desk:intake_form", args=["1.001193"]) in html
    partial = desk.get(reverse("desk:intake"), {"q": "khai sinh"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()


def test_receive_at_the_counter_with_a_scan(desk):
    response = desk.post(
        reverse("desk:intake_form", args=["1.001193"]),
        {**APPLICANT, "decision": "receive", "doc_TP02": SimpleUploadedFile("cs.pdf", PDF)},
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


def test_request_a_supplement_at_the_counter(desk):
    desk.post(
        reverse("desk:intake_form", args=["1.001193"]),
        {**APPLICANT, "decision": "request_supplement", "note": "Giấy chứng sinh\nTờ khai"},
    )
    dossier = Dossier.objects.get()
    assert dossier.status == "supplement_requested" and dossier.code is None
    assert dossier.supplements.get().items == ["Giấy chứng sinh", "Tờ khai"]


def test_bad_input_changes_nothing(desk, tmp_path):
    url = reverse("desk:intake_form", args=["1.001193"])
    response = desk.post(url, {**APPLICANT, "id_number": "123", "decision": "receive"})
    assert response.status_code == 200
    assert "12 chữ số" in response.content.decode()
    refusal = desk.post(url, {**APPLICANT, "decision": "refuse", "note": ""})
    assert "Cần ghi rõ lý do từ chối" in refusal.content.decode()
    disguised = desk.post(
        url,
        {**APPLICANT, "decision": "receive", "doc_TP02": SimpleUploadedFile("cs.pdf", b"MZ\x90")},
    )
    assert "không đúng với phần mở rộng" in disguised.content.decode()
    assert not Dossier.objects.exists()
    assert not list(tmp_path.rglob("*"))


def test_a_double_click_makes_one_dossier(desk):
    url = reverse("desk:intake_form", args=["1.001193"])
    first = desk.post(url, {**APPLICANT, "decision": "receive"})
    second = desk.post(url, {**APPLICANT, "decision": "receive"})
    assert Dossier.objects.count() == 1
    assert second["Location"] == first["Location"].split("?")[0]


def test_an_officer_at_two_desks_chooses_one(client, procedures, people, clock, staff):
    staff("hai.noi", "001.03.50.H01", "reception")
    both = staff("hai.noi", "000.00.31.H01", "reception")
    client.force_login(both)
    form = client.get(reverse("desk:intake_form", args=["1.001193"])).content.decode()
    assert "Bộ phận tiếp nhận" in form
    client.post(
        reverse("desk:intake_form", args=["1.001193"]),
        {**APPLICANT, "decision": "receive", "desk": "001.03.50.H01"},
    )
    assert Dossier.objects.get().receiving_agency.code == "001.03.50.H01"


def test_earlier_dossiers_fill_the_applicant_at_the_same_desk_only(desk, people, client):
    desk.post(reverse("desk:intake_form", args=["1.001193"]), {**APPLICANT, "decision": "receive"})
    url = reverse("desk:intake_applicant")
    html = desk.post(url, {"id_number": "089301000123"}).content.decode()
    assert "Điền thông tin của Nguyễn Thị Ánh Tuyết" in html
    assert desk.post(url, {"id_number": "1"}).content.decode().strip() == ""
    for other in ("specialist", "auditor", "province_desk"):  # not this counter's officers
        client.force_login(people[other])
        assert client.post(url, {"id_number": "089301000123"}).content.decode().strip() == ""
