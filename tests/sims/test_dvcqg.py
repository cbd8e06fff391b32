"""DVCQG: tokens, dossier sync with idempotency, validation, and the HTML pages."""

import threading
from typing import Any

import pytest

from sims.server import SimServer
from tests.sims.support import DVCQG, Answer, Client, basic

SYNC = "/dvcqg/api/hoso/dongbo"


def dossier(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "MaHoSo": "000.00.31.H01-260105-0001",
        "MaTTHC": "1.001612",
        "TenTTHC": "Đăng ký khai sinh",
        "KenhThucHien": 1,
        "ChuHoSo": "Nguyễn Văn An",
        "LoaiDoiTuong": 1,
        "SoGiayToChuHoSo": "089095001234",
        "NgayTiepNhan": "20260105080000",
        "NgayHenTra": "20260106170000",
        "TrangThaiHoSo": 2,
        "DanhSachLePhi": [
            {"TenPhiLePhi": "Lệ phí", "MaPhiLePhi": "LP01", "HinhThucThu": 1, "Gia": 8000}
        ],
        "QuaTrinhXuLy": [
            {
                "MaHoSo": "000.00.31.H01-260105-0001",
                "NguoiXuLy": "Trần Thị Bích",
                "ChucDanh": "Công chức một cửa",
                "ThoiDiemXuLy": "20260105080000",
                "PhongBanXuLy": "Bộ phận một cửa",
                "NoiDungXuLy": "Tiếp nhận hồ sơ",
                "TrangThai": 2,
            }
        ],
    }
    body.update(changes)
    return body


def sync(client: Client, body: dict[str, Any], key: str, token: str | None = None) -> Answer:
    headers = {"Authorization": f"Bearer {token or client.token()}", "Idempotency-Key": key}
    return client.post(SYNC, body, headers=headers)


def test_token_from_the_form_body_and_from_basic_auth(client: Client) -> None:
    form = {"grant_type": "client_credentials", "client_id": DVCQG[0], "client_secret": DVCQG[1]}
    answer = client.call("POST", "/dvcqg/oauth/token", form=form)
    assert answer.status == 200
    assert answer.json()["token_type"] == "Bearer"
    assert answer.json()["expires_in"] == 3600
    answer = client.call(
        "POST",
        "/dvcqg/oauth/token",
        form={"grant_type": "client_credentials"},
        headers=basic(*DVCQG),
    )
    assert answer.status == 200
    assert answer.json()["access_token"]


GRANT = "client_credentials"


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"grant_type": GRANT, "client_id": DVCQG[0], "client_secret": "x"}, 401, "100"),
        ({"grant_type": GRANT, "client_id": "x", "client_secret": DVCQG[1]}, 401, "100"),
        ({"client_id": DVCQG[0], "client_secret": DVCQG[1]}, 400, "200"),
        ({"grant_type": "password", "client_id": DVCQG[0], "client_secret": DVCQG[1]}, 400, "302"),
    ],
)
def test_token_refused(client: Client, form: dict[str, str], status: int, code: str) -> None:
    answer = client.call("POST", "/dvcqg/oauth/token", form=form)
    assert answer.status == status
    assert answer.json()["error_code"] == code
    assert answer.json()["message"]


def test_api_needs_a_valid_unexpired_bearer_token(client: Client, sim: SimServer) -> None:
    assert client.post(SYNC, dossier(), headers={"Idempotency-Key": "k"}).status == 401
    bad = {"Authorization": "Bearer nope", "Idempotency-Key": "k"}
    answer = client.post(SYNC, dossier(), headers=bad)
    assert answer.status == 401
    assert answer.json() == {
        "error_code": "100",
        "message": "Mã truy cập không hợp lệ hoặc đã hết hạn",
    }
    token = client.token()
    sim.state.dvcqg.tokens.expire_all()
    assert sync(client, dossier(), "k", token).json()["error_code"] == "100"
    assert sim.state.dvcqg.effects == {}


def test_sync_stores_the_dossier_and_its_steps(client: Client) -> None:
    answer = sync(client, dossier(), "key-1")
    assert answer.status == 200
    assert answer.json() == {
        "error_code": "0",
        "message": "Đồng bộ thành công",
        "MaHoSo": "000.00.31.H01-260105-0001",
    }
    got = client.get("/dvcqg/api/hoso/000.00.31.H01-260105-0001", headers=client.bearer())
    assert got.status == 200
    hoso = got.json()["HoSo"]
    assert hoso["ChuHoSo"] == "Nguyễn Văn An"
    assert [s["NoiDungXuLy"] for s in hoso["QuaTrinhXuLy"]] == ["Tiếp nhận hồ sơ"]
    received = client.get("/_sim/dvcqg/received").json()
    assert received["effects"] == {"key-1": 1}
    assert received["requests"] == 1
    [delivery] = received["deliveries"]
    assert delivery["idempotency_key"] == "key-1"
    assert delivery["TrangThaiHoSo"] == 2
    assert delivery["at"].endswith("+07:00")


def test_unknown_dossier_is_not_found(client: Client) -> None:
    answer = client.get("/dvcqg/api/hoso/KHONG-CO", headers=client.bearer())
    assert answer.status == 404
    assert answer.json()["error_code"] == "201"


def test_idempotency_key_is_required(client: Client) -> None:
    answer = client.post(SYNC, dossier(), headers={"Authorization": f"Bearer {client.token()}"})
    assert answer.status == 400
    assert answer.json()["error_code"] == "200"
    assert "Idempotency-Key" in answer.json()["message"]


@pytest.mark.parametrize(
    "name", ["MaHoSo", "MaTTHC", "KenhThucHien", "ChuHoSo", "LoaiDoiTuong", "TrangThaiHoSo"]
)
def test_missing_required_field(client: Client, name: str) -> None:
    body = dossier()
    del body[name]
    answer = sync(client, body, f"missing-{name}")
    assert answer.status == 400
    assert answer.json()["error_code"] == "200"
    assert name in answer.json()["message"]
    assert client.get("/_sim/dvcqg/received").json()["effects"] == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"NgayTiepNhan": "2026-01-05 08:00"}, "NgayTiepNhan"),
        ({"NgayHenTra": "20260231080000"}, "NgayHenTra"),
        ({"NgayTra": "202601051200"}, "NgayTra"),
        ({"NgayTiepNhan": 20260105080000}, "NgayTiepNhan"),
        ({"QuaTrinhXuLy": [{"TrangThai": 2, "ThoiDiemXuLy": "x"}]}, "QuaTrinhXuLy[0].ThoiDiemXuLy"),
        ({"MaTTHC": "1.00161"}, "MaTTHC"),
        ({"KenhThucHien": 4}, "KenhThucHien"),
        ({"TrangThaiHoSo": "2"}, "TrangThaiHoSo"),
        ({"HoSoCoThanhPhanSoHoa": 2}, "HoSoCoThanhPhanSoHoa"),
        ({"TaiLieuNop": "a.pdf"}, "TaiLieuNop"),
        ({"DanhSachLePhi": [{"Gia": "tám nghìn"}]}, "DanhSachLePhi[0].Gia"),
    ],
)
def test_wrong_format_names_the_field(client: Client, changes: dict[str, Any], field: str) -> None:
    answer = sync(client, dossier(**changes), "bad")
    assert answer.status == 400
    assert answer.json()["error_code"] == "302"
    assert f"Trường {field} " in answer.json()["message"]


def test_empty_dates_are_allowed(client: Client) -> None:
    answer = sync(client, dossier(NgayTra="", NgayHenTra=None, NgayKetThucXuLy=""), "empty")
    assert answer.status == 200


def test_inconsistent_data(client: Client) -> None:
    steps = [{"MaHoSo": "KHAC", "TrangThai": 2}]
    answer = sync(client, dossier(QuaTrinhXuLy=steps), "k1")
    assert (answer.status, answer.json()["error_code"]) == (400, "500")
    answer = sync(client, dossier(NgayHenTra="20260101080000"), "k2")
    assert (answer.status, answer.json()["error_code"]) == (400, "500")


def test_replay_gives_the_same_answer_and_no_new_effect(client: Client) -> None:
    token = client.token()
    first = sync(client, dossier(), "same", token)
    again = sync(client, dossier(), "same", token)
    assert again.status == 200
    assert again.body == first.body
    assert again.headers["Idempotent-Replayed"] == "true"
    received = client.get("/_sim/dvcqg/received").json()
    assert received["effects"] == {"same": 1}
    assert received["requests"] == 2
    assert len(received["deliveries"]) == 1


def test_same_key_with_another_body_conflicts(client: Client) -> None:
    token = client.token()
    assert sync(client, dossier(), "same", token).status == 200
    answer = sync(client, dossier(TrangThaiHoSo=4), "same", token)
    assert answer.status == 409
    assert answer.json() == {
        "error_code": "500",
        "message": "Idempotency-Key đã dùng cho nội dung khác",
    }


def test_concurrent_requests_with_one_key_have_one_effect(client: Client, sim: SimServer) -> None:
    token = client.token()
    barrier = threading.Barrier(20)
    answers: list[Answer] = []

    def send() -> None:
        barrier.wait()
        answers.append(sync(client, dossier(), "race", token))

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status for a in answers] == [200] * 20
    assert len({a.body for a in answers}) == 1
    assert sim.state.dvcqg.effects == {"race": 1}
    received = client.get("/_sim/dvcqg/received").json()
    assert received["requests"] == 20
    assert len(received["deliveries"]) == 1


def test_steps_are_appended_without_duplicates(client: Client) -> None:
    token = client.token()
    first = dossier()["QuaTrinhXuLy"][0]
    second = {**first, "ThoiDiemXuLy": "20260105100000", "NoiDungXuLy": "Chuyển xử lý"}
    second["TrangThai"] = 4
    assert sync(client, dossier(), "k1", token).status == 200
    body = dossier(TrangThaiHoSo=4, QuaTrinhXuLy=[first, second, dict(second)])
    assert sync(client, body, "k2", token).status == 200
    hoso = client.get("/dvcqg/api/hoso/000.00.31.H01-260105-0001", headers=client.bearer())
    steps = hoso.json()["HoSo"]["QuaTrinhXuLy"]
    assert [s["NoiDungXuLy"] for s in steps] == ["Tiếp nhận hồ sơ", "Chuyển xử lý"]
    assert hoso.json()["HoSo"]["TrangThaiHoSo"] == 4
    received = client.get("/_sim/dvcqg/received").json()
    assert len(received["dossiers"]["000.00.31.H01-260105-0001"]["steps"]) == 2
    assert received["effects"] == {"k1": 1, "k2": 1}


def test_html_page_lists_dossiers_escaped(client: Client) -> None:
    body = dossier(MaHoSo="HS-<b>1</b>", ChuHoSo="<script>alert('x')</script>", QuaTrinhXuLy=[])
    assert sync(client, body, "html").status == 200
    later = dossier(MaHoSo="HS-2", TrangThaiHoSo=6, QuaTrinhXuLy=[])
    assert sync(client, later, "html-2").status == 200
    page = client.get("/dvcqg/")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html
    assert "<title>Cổng Dịch vụ công quốc gia — mô phỏng</title>" in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "HS-&lt;b&gt;1&lt;/b&gt;" in html
    assert "6 — Chờ thực hiện nghĩa vụ tài chính" in html
    assert "05/01/2026 08:00" in html
    assert html.index("HS-2") < html.index("HS-&lt;b&gt;")  # newest first


def test_html_page_of_one_dossier(client: Client) -> None:
    assert sync(client, dossier(), "page").status == 200
    page = client.get("/dvcqg/hoso/000.00.31.H01-260105-0001")
    assert page.status == 200
    assert "Tiếp nhận hồ sơ" in page.text
    assert "Trần Thị Bích" in page.text
    assert client.get("/dvcqg/hoso/KHONG-CO").status == 404
