"""Counter intake in one flow: find the procedure, fill, scan, decide."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.dossiers.models import Dossier

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
APPLICANT = {
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


def test_refusal_needs_a_reason_and_bad_input_changes_nothing(desk):
    response = desk.post(
        reverse("desk:intake_form", args=["1.001193"]),
        {**APPLICANT, "id_number": "123", "decision": "receive"},
    )
    assert response.status_code == 200
    assert "12 chữ số" in response.content.decode()
    assert not Dossier.objects.exists()


def test_earlier_dossiers_fill_the_applicant(desk):
    desk.post(reverse("desk:intake_form", args=["1.001193"]), {**APPLICANT, "decision": "receive"})
    html = desk.get(
        reverse("desk:intake_applicant"), {"id_number": "089301000123"}
    ).content.decode()
    assert "Điền thông tin của Nguyễn Thị Ánh Tuyết" in html
    assert (
        desk.get(reverse("desk:intake_applicant"), {"id_number": "1"}).content.decode().strip()
        == ""
    )
