"""DVCQG's citizen side: the page where a citizen submits a dossier on the national portal,
the hand-over to the province's one-stop system (MotCua's inbound bus, played here by a
small fake), and the list that follows each dossier by the province's sync."""

import base64
import json
import re
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from sims.server import Config, SimServer, start_in_thread
from tests.sims.support import Answer, Client
from tests.uploads import pdf

FORM = "/dvcqg/nop-ho-so"
# Bytes a careless multipart parser would mangle: CR LF, a lone LF, NUL, high bytes.
PDF = pdf(b"%\xe2\xe3\xcf\xd3\r\n%\x00\xff" + b"x" * 3000 + b"\r\n")


@dataclass
class FakeMotcua:
    """MotCua's /lgsp/ as the portal sees it: a token for the demo account, then the
    answers queued in `answers` (default: accepted), every request kept."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    token_status: int = 200
    during_submit: Any = None  # called while a submission is being answered
    url: str = ""

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        self.requests.append({"path": path, "headers": headers, "body": body})
        if path == "/lgsp/oauth/token/":
            if self.token_status != 200:
                return self.token_status, {"error": "invalid_client", "error_code": "100"}
            return 200, {"access_token": uuid.uuid4().hex, "expires_in": 3600}
        if self.during_submit is not None:
            self.during_submit()
        if self.answers:
            return self.answers.pop(0)
        sent = json.loads(body)
        return 200, {
            "error_code": "0",
            "message": "Đã tiếp nhận",
            "SoThamChieu": "6f1c0c5e-0000-4000-8000-000000000001",
            "MaHoSoDVCQG": sent["MaHoSoDVCQG"],
            "MaHoSo": "",
            "TrangThaiHoSo": 1,
        }

    def submits(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == "/lgsp/v1/dossiers"]

    def tokens(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == "/lgsp/oauth/token/"]


@pytest.fixture(scope="module")
def motcua() -> Iterator[FakeMotcua]:
    fake = FakeMotcua()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = fake.answer(self.path, headers, body)
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def portal(motcua: FakeMotcua) -> Iterator[SimServer]:
    server = start_in_thread(host="127.0.0.1", port=0, config=Config(motcua_url=motcua.url))
    yield server
    server.stop()


@pytest.fixture
def client(portal: SimServer, motcua: FakeMotcua) -> Client:
    client = Client(portal.base_url)
    assert client.post("/_sim/reset").status == 200
    motcua.requests.clear()
    motcua.answers.clear()
    motcua.token_status = 200
    motcua.during_submit = None
    return client


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def submit(client: Client, fields: dict[str, str], file: tuple[str, bytes] | None = None) -> Answer:
    """POST the form as a browser does (multipart/form-data), without following redirects."""
    boundary = f"----sim{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    filename, content = file if file is not None else ("", b"")
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="tep"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    data = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(  # noqa: S310 - the local simulator
        client.base_url + FORM,
        data=data,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        method="POST",
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, error.headers, error.read())


def filled(**changes: str) -> dict[str, str]:
    """The form for a marital status certificate as a citizen leaves it."""
    fields = {
        "ma": "1.004873",
        "ho_ten": "Nguyễn Thị Ánh Tuyết",
        "so_dinh_danh": "089301000123",
        "ngay_sinh": "2001-05-17",
        "gioi_tinh": "0",
        "so_dien_thoai": "0912345678",
        "email": "tuyet@example.vn",
        "ma_xa": "30307",
        "dia_chi": "12 Trần Hưng Đạo",
        "vneid": "1",
        "bm_full_name": "Nguyễn Thị Ánh Tuyết",
        "bm_birth_date": "17/05/2001",
        "bm_id_number": "089301000123",
        "bm_residence": "12 Trần Hưng Đạo, phường Long Xuyên",
        "bm_marital_status": "chua_ket_hon",
        "bm_purpose": "ket_hon",
        "bm_intended_spouse_name": "",
        "bm_requester_email": "",
        "don_vi": "001.03.50.H01",
        "hinh_thuc": "3",
    }
    fields.update(changes)
    return fields


def submitted(client: Client) -> list[dict[str, Any]]:
    return client.get("/_sim/dvcqg/submitted").json()["submitted"]


def labelled(html: str) -> None:
    """Every visible control has a label pointing at it."""
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html)
    assert ids
    for control in ids:
        assert f'for="{control}"' in html, control


# ----------------------------------------------------------------------------- the pages


def test_the_citizen_chooses_a_procedure_then_gets_its_form_prefilled(client: Client) -> None:
    choose = client.get(FORM)
    assert choose.status == 200
    html = choose.text
    assert '<html lang="vi">' in html and 'name="viewport"' in html
    for code in ("1.004873", "2.000635", "1.012789"):
        assert f'value="{code}"' in html
    labelled(html)

    form = client.get(f"{FORM}?ma=1.004873")
    assert form.status == 200
    html = form.text
    assert "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân" in html
    assert 'enctype="multipart/form-data"' in html
    # What the sign-in knows is filled in, in the e-form too.
    assert 'name="so_dinh_danh" value="089301000123"' in html
    assert 'name="bm_full_name" value="Nguyễn Thị Ánh Tuyết"' in html
    assert 'name="bm_marital_status"' in html and "Chưa đăng ký kết hôn với ai" in html
    assert '<option value="001.03.50.H01" selected>' in html
    labelled(html)
    assert 'class="error-summary"' not in html

    unknown = client.get(f"{FORM}?ma=9.999999")
    assert unknown.status == 400
    assert "Chọn một thủ tục trong danh sách" in unknown.text
    assert unknown.text.startswith("<!DOCTYPE html>") and "<title>Lỗi: " in unknown.text


def test_mistakes_are_listed_on_top_linked_to_their_fields_and_nothing_is_sent(
    client: Client, motcua: FakeMotcua
) -> None:
    answer = submit(client, filled(so_dinh_danh="0893", bm_purpose="", ngay_sinh="31/02/2001"))
    assert answer.status == 400
    html = answer.text
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</div>", start)]
    assert '<a href="#so_dinh_danh">Số định danh cá nhân gồm đúng 12 chữ số</a>' in summary
    assert 'href="#bm_purpose"' in summary and 'href="#ngay_sinh"' in summary
    assert 'id="so_dinh_danh-loi"' in html
    assert re.search(r'id="so_dinh_danh"[^>]*aria-describedby="[^"]*so_dinh_danh-loi', html)
    assert "<title>Lỗi: " in html
    # What was typed stays.
    assert 'value="0893"' in html
    assert motcua.requests == [] and submitted(client) == []


def test_a_dossier_goes_to_motcua_with_its_file_and_the_national_reference(
    client: Client, motcua: FakeMotcua
) -> None:
    answer = submit(client, filled(), ("Tờ khai xác nhận.pdf", PDF))
    assert answer.status == 303
    location = answer.headers["Location"]
    reference = location.rsplit("/", 1)[1]
    assert re.fullmatch(r"G22\.99-\d{6}-\d{8}", reference)

    token, sent = motcua.tokens(), motcua.submits()
    assert len(token) == 1 and len(sent) == 1
    credentials = dict(parse_qsl(token[0]["body"].decode()))
    assert credentials == {
        "grant_type": "client_credentials",
        "client_id": "dvcqg-portal",
        "client_secret": "dvcqg-portal-demo-secret",
        "scope": "dossier.submit",
    }
    headers = sent[0]["headers"]
    assert headers["authorization"].startswith("Bearer ")
    assert headers["idempotency-key"] == reference  # a resend can never make a second dossier
    body = json.loads(sent[0]["body"])
    assert body["MaHoSoDVCQG"] == reference
    assert (body["MaTTHC"], body["MaDonViTiepNhan"]) == ("1.004873", "001.03.50.H01")
    assert body["ChuHoSo"] == {
        "LoaiDoiTuong": 1,
        "HoTen": "Nguyễn Thị Ánh Tuyết",
        "SoDinhDanh": "089301000123",
        "NgaySinh": "20010517",
        "GioiTinh": 0,
        "SoDienThoai": "0912345678",
        "Email": "tuyet@example.vn",
        "MaXa": 30307,
        "DiaChi": "12 Trần Hưng Đạo",
    }
    assert (body["TaiKhoanDuocXacThucVoiVNeID"], body["HinhThucNhanKetQua"]) == (1, 3)
    assert body["DuLieuBieuMau"] == {
        "full_name": "Nguyễn Thị Ánh Tuyết",
        "birth_date": "2001-05-17",  # typed as 17/05/2001: the e-form's dates are ISO
        "id_number": "089301000123",
        "residence": "12 Trần Hưng Đạo, phường Long Xuyên",
        "marital_status": "chua_ket_hon",
        "purpose": "ket_hon",
    }
    [paper] = body["TepDinhKem"]
    assert (paper["MaThanhPhanHoSo"], paper["TenTep"]) == ("TP01", "Tờ khai xác nhận.pdf")
    assert base64.b64decode(paper["NoiDungBase64"]) == PDF  # byte for byte

    result = client.get(location)
    assert result.status == 200
    assert "Hồ sơ đã được gửi" in result.text and reference in result.text
    assert "6f1c0c5e-0000-4000-8000-000000000001" in result.text
    [row] = submitted(client)
    assert row["MaHoSoDVCQG"] == reference and row["accepted"] is True
    assert row["answer"]["SoThamChieu"] == "6f1c0c5e-0000-4000-8000-000000000001"
    assert row["files"] == [{"MaThanhPhanHoSo": "TP01", "TenTep": "Tờ khai xác nhận.pdf"}]
    assert row["synced"] is None


def test_without_a_file_the_portal_attaches_a_sample_pdf(client: Client, motcua: FakeMotcua):
    fields = {k: v for k, v in filled(ma="2.000635").items() if not k.startswith("bm_")}
    assert submit(client, fields).status == 303
    body = json.loads(motcua.submits()[0]["body"])
    assert body["DuLieuBieuMau"] == {}
    [paper] = body["TepDinhKem"]
    assert paper["TenTep"] == f"TP01-{body['MaHoSoDVCQG']}.pdf"
    content = base64.b64decode(paper["NoiDungBase64"])
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    start = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert content[start:].startswith(b"xref")  # a PDF a reader opens


def test_a_refusal_by_motcua_shows_the_form_again_with_its_reason(
    client: Client, motcua: FakeMotcua
) -> None:
    motcua.answers.append(
        (
            400,
            {
                "error_code": "302",
                "message": "DATA_TYPE_INVALID: Tờ khai chưa đúng với thủ tục: "
                "DuLieuBieuMau.residence (cần điền “Nơi cư trú”).",
            },
        )
    )
    answer = submit(client, filled())
    assert answer.status == 400
    html = answer.text
    assert "Tờ khai chưa đúng với thủ tục: DuLieuBieuMau.residence" in html
    assert "DATA_TYPE_INVALID" not in html
    assert 'class="error-summary"' in html and 'value="089301000123"' in html
    [row] = submitted(client)
    assert row["accepted"] is False and row["http_status"] == 400


def test_when_motcua_cannot_answer_the_citizen_sends_the_same_dossier_again(
    client: Client, motcua: FakeMotcua
) -> None:
    motcua.answers.append((503, {"error_code": "999", "message": "SYSTEM_ERROR: Lỗi hệ thống"}))
    answer = submit(client, filled())
    assert answer.status == 303
    result = client.get(answer.headers["Location"])
    assert "Hồ sơ chưa được tiếp nhận" in result.text
    assert 'action="/dvcqg/nop-ho-so/gui-lai"' in result.text
    reference = submitted(client)[0]["MaHoSoDVCQG"]

    again = client.call("POST", f"{FORM}/gui-lai", form={"ma_ho_so": reference})
    assert again.status == 200 and "Hồ sơ đã được gửi" in again.text
    first, second = motcua.submits()
    assert first["body"] == second["body"]
    assert first["headers"]["idempotency-key"] == second["headers"]["idempotency-key"] == reference
    assert len(motcua.tokens()) == 1  # the token is kept while it is valid
    assert [row["accepted"] for row in submitted(client)] == [True]


def test_an_unreachable_motcua_is_told_in_vietnamese() -> None:
    unreachable = Config(motcua_url="http://127.0.0.1:9")
    with start_in_thread(host="127.0.0.1", port=0, config=unreachable) as server:
        client = Client(server.base_url)
        answer = submit(client, filled())
        assert answer.status == 303
        result = client.get(answer.headers["Location"]).text
        assert "Không kết nối được hệ thống một cửa của tỉnh" in result
        assert "Gửi lại" in result


def test_a_refused_token_and_an_expired_one(client: Client, motcua: FakeMotcua) -> None:
    motcua.token_status = 401
    answer = submit(client, filled())
    assert "không cấp được mã truy cập, lỗi 401" in client.get(answer.headers["Location"]).text
    assert motcua.submits() == []

    motcua.token_status = 200
    motcua.answers.append((401, {"error_code": "100", "message": "AUTHEN_ERROR: hết hạn"}))
    answer = submit(client, filled())
    assert "Hồ sơ đã được gửi" in client.get(answer.headers["Location"]).text
    first, second = motcua.submits()
    assert first["headers"]["authorization"] != second["headers"]["authorization"]


def test_the_portal_lets_go_of_its_lock_while_motcua_answers(
    client: Client, motcua: FakeMotcua, portal: SimServer
) -> None:
    """MotCua may call the simulators while it answers (the population database): they
    must not wait for the portal's own request."""
    seen: list[int] = []
    motcua.during_submit = lambda: seen.append(client.get("/_sim/knobs", timeout=5).status)
    answer = submit(client, filled())
    assert answer.status == 303 and seen == [200]


def test_the_list_follows_each_dossier_by_the_provinces_sync(
    client: Client, motcua: FakeMotcua
) -> None:
    submit(client, filled())
    reference = submitted(client)[0]["MaHoSoDVCQG"]
    empty = client.get("/dvcqg/ho-so-da-nop")
    assert empty.status == 200 and reference in empty.text
    assert "Chưa có thông tin từ tỉnh" in empty.text

    token = client.token()
    sync = {
        "MaHoSo": "001.03.50.H01-261116-0001",
        "MaTTHC": "1.004873",
        "KenhThucHien": 2,
        "ChuHoSo": "Nguyễn Thị Ánh Tuyết",
        "LoaiDoiTuong": 1,
        "TrangThaiHoSo": 2,
        "NoiNopHoSo": 1,
        "MaHoSoDVCQG": reference,
        "QuaTrinhXuLy": [],
    }
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "sync-1"}
    assert client.post("/dvcqg/api/hoso/dongbo", sync, headers=headers).status == 200
    listed = client.get("/dvcqg/ho-so-da-nop").text
    assert "2 — Đã tiếp nhận" in listed
    assert '<a href="/dvcqg/hoso/001.03.50.H01-261116-0001">' in listed
    [row] = submitted(client)
    assert row["synced"] == {
        "MaHoSo": "001.03.50.H01-261116-0001",
        "TrangThaiHoSo": 2,
        "NoiNopHoSo": 1,
    }
    assert "2 — Đã tiếp nhận" in client.get(f"{FORM}/{reference}").text

    bad = dict(sync, MaHoSoDVCQG=12)
    headers["Idempotency-Key"] = "sync-2"
    refused = client.post("/dvcqg/api/hoso/dongbo", bad, headers=headers)
    assert refused.status == 400 and "MaHoSoDVCQG" in refused.json()["message"]


def test_values_are_escaped_and_unknown_references_are_not_found(client: Client) -> None:
    answer = submit(client, filled(ho_ten="<script>alert(1)</script>"))
    assert answer.status == 303
    listed = client.get("/dvcqg/ho-so-da-nop").text
    assert "<script>" not in listed and "&lt;script&gt;" in listed
    assert client.get(f"{FORM}/G22.99-000000-00000000").status == 404
    resend = client.call("POST", f"{FORM}/gui-lai", form={"ma_ho_so": "khong-co"})
    assert resend.status == 404
    assert client.call("POST", FORM, form={"ma": "9.999999"}).status == 400
    urlencoded = client.call("POST", FORM, form=filled(ma_xa="1"))
    assert urlencoded.status == 400 and 'href="#ma_xa"' in urlencoded.text


def test_the_motcua_settings_come_from_the_environment() -> None:
    config = Config.from_env(
        {
            "SIMS_MOTCUA_URL": "http://motcua.example:8000",
            "SIMS_MOTCUA_CLIENT_ID": "cong-quoc-gia",
            "SIMS_MOTCUA_CLIENT_SECRET": "bi-mat",
        }
    )
    assert (config.motcua_url, config.motcua_client_id, config.motcua_client_secret) == (
        "http://motcua.example:8000",
        "cong-quoc-gia",
        "bi-mat",
    )
    assert Config().motcua_url == "http://127.0.0.1:8000"
