"""Dossiers submitted on the National Public Service Portal reach the desk through the bus
(`POST /lgsp/v1/dossiers`, scope `dossier.submit`): into the desk's online intake queue,
once per national reference, every later step synced back carrying that reference."""

import base64
import copy
import json
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from egov.catalog.services import procedures_import
from egov.dossiers.models import Dossier, DossierDocument
from egov.dossiers.selectors import WorklistFilters, dossier_worklist
from egov.dossiers.services import dossier_create
from egov.interop.adapters.dvcqg import event_payload
from egov.interop.inbound.services import connection_account_create
from egov.interop.models import InboundReplay, MessageLog, OutboxMessage, SystemService
from egov.interop.services.delivery import deliver_due
from egov.interop.services.log import body_read, log_verify
from sims.server import Config, start_in_thread
from tests.conftest import BIRTH, CENTER, COMMUNE, COMMUNE_CENTER, CRIMINAL_RECORD, catalogue
from tests.dossiers.conftest import CITIZEN, act
from tests.sims.support import Client as SimClient
from tests.sims.test_dvcqg_citizen import filled, submit
from tests.uploads import PDF, PNG

pytestmark = pytest.mark.django_db

TOKEN_URL = "/lgsp/oauth/token/"
SUBMIT_URL = "/lgsp/v1/dossiers"
REFERENCE = "G22.99-261116-00012345"


class Portal:
    """The national portal as a connection account of the bus."""

    def __init__(self, *scopes: str) -> None:
        self.account, self.secret = connection_account_create(
            system_code="dvcqg", name="Cổng DVC quốc gia", scopes=scopes
        )
        self.http = Client()

    def token(self) -> str:
        response = self.http.post(
            TOKEN_URL,
            {
                "grant_type": "client_credentials",
                "client_id": self.account.application.client_id,
                "client_secret": self.secret,
            },
        )
        assert response.status_code == 200, response.content
        return str(response.json()["access_token"])

    def submit(self, body: dict[str, Any], *, key: str | None = "k-1", token: str = "") -> Any:
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.http.post(
            SUBMIT_URL, json.dumps(body), content_type="application/json", headers=headers
        )


@pytest.fixture
def portal(db: Any) -> Portal:
    return Portal("dossier.status", "dossier.submit")


def encoded(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def body(**changes: Any) -> dict[str, Any]:
    """A birth registration submitted on the national portal for the Long Xuyên desk."""
    submission: dict[str, Any] = {
        "MaHoSoDVCQG": REFERENCE,
        "MaTTHC": "1.001193",
        "MaDonViTiepNhan": COMMUNE_CENTER,
        "ChuHoSo": {
            "LoaiDoiTuong": 1,
            "HoTen": "Nguyễn Thị Ánh Tuyết",
            "SoDinhDanh": "089301000123",
            "NgaySinh": "20010517",
            "GioiTinh": 0,
            "SoDienThoai": "0912345678",
            "Email": "tuyet@example.vn",
            "MaXa": 30307,
            "DiaChi": "12 Trần Hưng Đạo",
        },
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        "HinhThucNhanKetQua": 3,
        "DuLieuBieuMau": {"child_full_name": "Trần Gia Bảo", "child_gender": "male"},
        "TepDinhKem": [
            {"MaThanhPhanHoSo": "TP01", "TenTep": "To khai.pdf", "NoiDungBase64": encoded(PDF)},
            {
                "MaThanhPhanHoSo": "TP02",
                "TenTep": "giay-chung-sinh.png",
                "NoiDungBase64": encoded(PNG),
            },
        ],
    }
    submission.update(changes)
    return submission


def applicant(**changes: Any) -> dict[str, Any]:
    return {**body()["ChuHoSo"], **changes}


def stored_files() -> list[str]:
    try:
        return [
            f"{folder}/{name}"
            for folder in default_storage.listdir("")[0]
            for name in default_storage.listdir(folder)[1]
        ]
    except FileNotFoundError:
        return []


def intake_queue(officer: Any) -> list[Dossier]:
    return dossier_worklist(
        actor=officer, filters=WorklistFilters(tab="intake"), after=None, limit=50
    )


def sync_payloads(dossier: Dossier) -> list[dict[str, Any]]:
    messages = OutboxMessage.objects.filter(
        topic="dvcqg.dossier.sync", ordering_key=f"dossier:{dossier.pk}"
    ).order_by("id")
    return [message.payload for message in messages]


def calls() -> list[MessageLog]:
    return list(
        MessageLog.objects.filter(direction="in", service="dvcqg.dossier.submit").order_by("seq")
    )


# ----------------------------------------------------------------------------- receiving


def test_a_dossier_from_the_portal_waits_in_the_desks_online_intake_queue(
    portal, procedures, people, clock
):
    response = portal.submit(body())
    assert response.status_code == 200, response.content
    dossier = Dossier.objects.get()
    assert response.json() == {
        "error_code": "0",
        "message": "Đã tiếp nhận hồ sơ vào hàng chờ tiếp nhận trực tuyến",
        "SoThamChieu": str(dossier.reference),
        "MaHoSoDVCQG": REFERENCE,
        "MaHoSo": "",
        "TrangThaiHoSo": 1,
    }
    assert (dossier.status, dossier.channel, dossier.code) == ("submitted", "online", None)
    assert dossier.national_reference == REFERENCE
    assert dossier.receiving_agency.code == COMMUNE_CENTER
    assert dossier.competent_agency.code == COMMUNE
    assert dossier.vneid_verified is True
    assert dossier.return_method == "postal"  # HinhThucNhanKetQua 3
    assert dossier.owner is None and dossier.created_by is None  # the portal, as a system
    assert (dossier.applicant_name, dossier.applicant_id_number) == (
        "Nguyễn Thị Ánh Tuyết",
        "089301000123",
    )
    assert str(dossier.applicant_birth_date) == "2001-05-17"
    assert (dossier.applicant_gender, dossier.applicant_ward_code) == ("female", 30307)
    assert dossier.form_data == {"child_full_name": "Trần Gia Bảo", "child_gender": "male"}

    documents = {d.component: d for d in DossierDocument.objects.filter(dossier=dossier)}
    assert set(documents) == {"TP01", "TP02"}
    with documents["TP01"].file.open("rb") as stored:
        assert stored.read() == PDF
    assert documents["TP02"].content_type == "image/png"
    assert all(d.uploaded_by is None and d.reused_from is None for d in documents.values())

    # The desk sees it in its online intake queue; the province's desk does not.
    assert intake_queue(people["desk"]) == [dossier]
    assert intake_queue(people["province_desk"]) == []

    [row] = calls()
    assert (row.system, row.party, row.response_status, row.outcome) == (
        "dvcqg",
        portal.account.application.client_id,
        200,
        "ok",
    )
    # A dossier carries personal data: the log keeps the request's digest, not the files.
    assert row.body_storage == "digest" and body_read(row) == ""
    count, problem = log_verify()
    assert problem is None and count == MessageLog.objects.count()


def test_the_sync_carries_the_national_reference_after_receipt(
    portal, procedures, people, clock, sim
):
    portal.submit(body())
    dossier = Dossier.objects.get()
    # The portal knows dossiers by their code: the submission goes with the receipt.
    assert sync_payloads(dossier) == []

    act(dossier, "receive", people["desk"])
    dossier.refresh_from_db()
    [received] = sync_payloads(dossier)
    assert received["MaHoSo"] == dossier.code
    assert (received["MaHoSoDVCQG"], received["NoiNopHoSo"]) == (REFERENCE, 1)
    assert (received["KenhThucHien"], received["TrangThaiHoSo"]) == (2, 2)
    assert received["TaiKhoanDuocXacThucVoiVNeID"] == 1
    assert received["HinhThuc"] == 3  # the same table both ways
    # The steps before the code go with it: the submission (status 1), then the receipt.
    steps = received["QuaTrinhXuLy"]
    assert (steps[0]["TrangThai"], steps[-1]["TrangThai"]) == (1, 2)
    assert sorted((p["MaThanhPhanHoSo"], p["DuocTaiSuDung"]) for p in received["TaiLieuNop"]) == [
        ("TP01", 0),
        ("TP02", 0),
    ]

    # Delivered, the portal finds the dossier its citizen submitted by its own reference.
    while deliver_due(worker="w", batch=50, max_seconds=10, clock=lambda: clock.now):
        pass  # until nothing is left
    on_portal = sim.received()["dossiers"][dossier.code]
    assert (on_portal["MaHoSoDVCQG"], on_portal["NoiNopHoSo"]) == (REFERENCE, 1)
    assert on_portal["TrangThaiHoSo"] == 2


def test_a_dossier_of_the_province_says_so_and_a_reused_paper_is_marked(procedures, people, clock):
    counter = dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    event = counter.events.order_by("-seq").first()
    payload = event_payload(event, since_seq=0)
    assert (payload["MaHoSoDVCQG"], payload["NoiNopHoSo"]) == ("", 2)


def test_without_a_desk_the_dossier_goes_to_the_commune_or_the_province_center(
    portal, procedures, people, clock
):
    birth = portal.submit(body(MaDonViTiepNhan=""), key="xa")
    assert birth.status_code == 200, birth.content
    criminal = portal.submit(
        body(
            MaHoSoDVCQG="G22.99-261116-00000002",
            MaTTHC=CRIMINAL_RECORD["national_code"],
            MaDonViTiepNhan="",
            DuLieuBieuMau={},
            TepDinhKem=[],
        ),
        key="tinh",
    )
    assert criminal.status_code == 200, criminal.content
    desks = dict(Dossier.objects.values_list("national_reference", "receiving_agency__code"))
    assert desks == {REFERENCE: COMMUNE_CENTER, "G22.99-261116-00000002": CENTER}


# ----------------------------------------------------------------------------- idempotency


def test_the_same_key_and_body_get_the_same_answer_and_one_dossier(portal, procedures, clock):
    first = portal.submit(body(), key="lan-1")
    again = portal.submit(body(), key="lan-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replay"] == "true"
    assert Dossier.objects.count() == 1 and DossierDocument.objects.count() == 2


def test_the_same_key_with_another_body_is_a_conflict(portal, procedures, clock):
    portal.submit(body(), key="lan-1")
    other = portal.submit(body(HinhThucNhanKetQua=1), key="lan-1")
    assert other.status_code == 409
    assert other.json()["error_code"] == "500"
    assert "Idempotency-Key đã dùng cho nội dung khác" in other.json()["message"]
    assert Dossier.objects.count() == 1


def test_the_same_national_reference_under_another_key_is_the_same_dossier(
    portal, procedures, clock
):
    first = portal.submit(body(), key="lan-1")
    # The portal lost the answer and sends the dossier again under a new key, even changed.
    again = portal.submit(body(HinhThucNhanKetQua=1), key="lan-2")
    assert again.status_code == 200
    assert again.json()["SoThamChieu"] == first.json()["SoThamChieu"]
    assert Dossier.objects.count() == 1 and DossierDocument.objects.count() == 2
    assert Dossier.objects.get().return_method == "postal"  # the first one, unchanged
    assert InboundReplay.objects.count() == 2


def test_a_submission_needs_an_idempotency_key(portal, procedures, clock):
    response = portal.submit(body(), key=None)
    assert response.status_code == 400
    assert response.json()["error_code"] == "200"
    assert "Idempotency-Key" in response.json()["message"]
    assert Dossier.objects.count() == 0


# ----------------------------------------------------------------------------- refusals


def test_a_submission_needs_a_token_with_the_scope(procedures, clock):
    anonymous = Client().post(SUBMIT_URL, json.dumps(body()), content_type="application/json")
    assert anonymous.status_code == 401 and anonymous.json()["error_code"] == "100"
    reader = Portal("dossier.status")
    refused = reader.submit(body())
    assert refused.status_code == 403 and refused.json()["error_code"] == "103"
    assert "dossier.submit" in refused.json()["message"]
    assert Dossier.objects.count() == 0
    assert [(r.response_status, r.outcome) for r in calls()] == [
        (401, "refused"),
        (403, "refused"),
    ]


NOT_ONLINE = {**copy.deepcopy(BIRTH), "national_code": "1.000001", "online_level": "none"}


@pytest.mark.parametrize(
    ("changes", "status", "code", "named"),
    [
        (
            {"TepDinhKem": [{"MaThanhPhanHoSo": "TP01", "TenTep": "a.pdf", "NoiDungBase64": "%%"}]},
            400,
            "302",
            "TepDinhKem[0].NoiDungBase64",
        ),
        (
            {
                "TepDinhKem": [
                    {"MaThanhPhanHoSo": "TP01", "TenTep": "a.pdf", "NoiDungBase64": encoded(PDF)},
                    {"MaThanhPhanHoSo": "TP02", "TenTep": "b.pdf", "NoiDungBase64": encoded(PNG)},
                ]
            },
            400,
            "302",
            "TepDinhKem[1]",
        ),
        ({"ChuHoSo": applicant(SoDinhDanh="089201000123")}, 400, "302", "ChuHoSo.SoDinhDanh"),
        ({"ChuHoSo": applicant(NgaySinh="20011317")}, 400, "302", "ChuHoSo.NgaySinh"),
        ({"ChuHoSo": applicant(Email="tuyet@")}, 400, "302", "ChuHoSo.Email"),
        ({"ChuHoSo": applicant(HoTen="")}, 400, "200", "ChuHoSo.HoTen"),
        ({"DuLieuBieuMau": {"ten_la": "x"}}, 400, "302", "DuLieuBieuMau.ten_la"),
        ({"DuLieuBieuMau": {"child_gender": "khac"}}, 400, "302", "DuLieuBieuMau.child_gender"),
        ({"HinhThucNhanKetQua": 4}, 400, "302", "HinhThucNhanKetQua"),
        ({"MaHoSoDVCQG": "G22 99"}, 400, "302", "MaHoSoDVCQG"),
        ({"MaTTHC": "9.999999"}, 409, "500", "MaTTHC"),
        ({"MaTTHC": "1.000001"}, 409, "500", "chưa nhận hồ sơ trực tuyến"),
        ({"MaDonViTiepNhan": COMMUNE}, 409, "500", "không phải Bộ phận Một cửa"),
        ({"MaDonViTiepNhan": "000.99.99.H01"}, 409, "500", "MaDonViTiepNhan"),
    ],
)
def test_a_bad_submission_is_refused_with_the_field_and_nothing_is_written(
    portal, procedures, clock, changes, status, code, named
):
    procedures_import(data=catalogue(NOT_ONLINE))
    before = stored_files()
    response = portal.submit(body(**changes))
    assert response.status_code == status, response.content
    assert response.json()["error_code"] == code
    assert named in response.json()["message"]
    assert Dossier.objects.count() == 0 and DossierDocument.objects.count() == 0
    assert InboundReplay.objects.count() == 0
    assert stored_files() == before
    [row] = calls()
    assert (row.response_status, row.outcome, row.response_code) == (status, "refused", code)
    # Refused, the same key may be sent again once the data is right.
    assert portal.submit(body()).status_code == 200


def test_a_file_over_the_upload_limit_is_refused_before_it_is_decoded(
    portal, procedures, clock, settings
):
    settings.MOTCUA_UPLOAD_MAX_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    response = portal.submit(
        body(
            TepDinhKem=[
                {"MaThanhPhanHoSo": "TP01", "TenTep": "a.pdf", "NoiDungBase64": encoded(big)}
            ]
        )
    )
    assert response.status_code == 400 and response.json()["error_code"] == "302"
    assert "TepDinhKem[0].NoiDungBase64 (tệp lớn quá 1 MB)" in response.json()["message"]
    assert Dossier.objects.count() == 0


def test_the_service_is_in_the_registry_and_the_openapi_document(client):
    service = SystemService.objects.get(code="dvcqg.dossier.submit")
    assert (service.direction, service.scope, service.personal_data) == (
        "in",
        "dossier.submit",
        True,
    )
    document = client.get("/lgsp/v1/openapi.json").json()
    assert "post" in document["paths"]["/lgsp/v1/dossiers"]


# ----------------------------------------------------------------------------- the simulator


DEMO = "egov/demo/procedures.json"


def demo_procedure(code: str) -> dict[str, Any]:
    with open(DEMO, encoding="utf-8") as file:
        found = [p for p in json.load(file)["procedures"] if p["national_code"] == code]
    return found[0]


@pytest.mark.django_db(transaction=True)
def test_a_citizen_submits_on_the_portal_simulator_and_the_desk_has_it(
    live_server, agencies, people
):
    """The demo's path: the national portal's citizen page → MotCua's bus → the desk's
    online intake queue; the portal lists the dossier with what MotCua answered."""
    procedures_import(data=catalogue(demo_procedure("1.004873")))
    connection_account_create(
        system_code="dvcqg",
        name="Cổng DVC quốc gia (mô phỏng)",
        scopes=["dossier.status", "dossier.submit"],
        client_id="dvcqg-portal",
        client_secret="dvcqg-portal-demo-secret",
    )
    config = Config(motcua_url=live_server.url)
    with start_in_thread(host="127.0.0.1", port=0, config=config) as server:
        sim = SimClient(server.base_url)
        answer = submit(sim, filled(), ("to-khai.pdf", PDF))
        assert answer.status == 303, answer.text
        result = sim.get(answer.headers["Location"])
        assert "Hồ sơ đã được gửi" in result.text, result.text
        [row] = sim.get("/_sim/dvcqg/submitted").json()["submitted"]

    assert row["accepted"] is True
    dossier = Dossier.objects.get()
    assert row["answer"]["SoThamChieu"] == str(dossier.reference)
    assert dossier.national_reference == row["MaHoSoDVCQG"]
    assert (dossier.status, dossier.channel) == ("submitted", "online")
    assert dossier.procedure.national_code == "1.004873"
    assert dossier.form_data["birth_date"] == "2001-05-17"
    [document] = dossier.documents.all()
    assert (document.component, document.size) == ("TP01", len(PDF))
    assert intake_queue(people["desk"]) == [dossier]
