"""HOTICH: register a civil-status dossier, follow its status, fetch the book numbers."""

import time
from typing import Any

import pytest

from sims.server import SimServer
from tests.sims.support import HOTICH, Answer, Client, basic

AUTH = basic(*HOTICH)
BIRTH_XML = (
    "<?xml version='1.0' encoding='utf-8'?>"
    "<KhaiSinh><HoTen>Nguyễn Thị Mai</HoTen><NgaySinh>20260101</NgaySinh></KhaiSinh>"
)


def registration(**changes: Any) -> dict[str, Any]:
    body = {
        "maDonVi": 30307,
        "module": "KS",
        "maHoSo": "000.03.50.H01-260105-0001",
        "ngayTiepNhan": "20260105080000",
        "data": BIRTH_XML,
    }
    body.update(changes)
    return body


def register(client: Client, **changes: Any) -> Answer:
    return client.post("/hotich/api/dangKyHoTich", registration(**changes), headers=AUTH)


def status(client: Client, ma: str = "000.03.50.H01-260105-0001", unit: int = 30307) -> Answer:
    body = {"maDonVi": unit, "maHoSo": ma}
    return client.post("/hotich/api/traTrangThaiHoSo", body, headers=AUTH)


def result(client: Client, ma: str = "000.03.50.H01-260105-0001") -> Answer:
    body = {"maDonVi": 30307, "maHoSo": ma}
    return client.post("/hotich/api/ketQuaDangKyHS", body, headers=AUTH)


@pytest.mark.parametrize("headers", [{}, basic("angiang", "sai"), {"Authorization": "Basic !!"}])
def test_basic_auth_is_required(client: Client, headers: dict[str, str]) -> None:
    answer = client.post("/hotich/api/dangKyHoTich", registration(), headers=headers)
    assert answer.status == 401
    assert answer.json()["status"] == 0
    assert answer.json()["error_code"] == "100"


def test_register_is_idempotent_per_dossier(client: Client, sim: SimServer) -> None:
    first = register(client)
    assert first.status == 200
    assert first.json() == {"status": 1, "message": "Tiếp nhận thành công"}
    assert register(client).json() == first.json()
    assert sim.state.hotich.effects == {"000.03.50.H01-260105-0001": 1}
    conflict = register(client, module="KT")
    assert conflict.status == 409
    assert conflict.json()["status"] == 0
    assert conflict.json()["error_code"] == "500"
    received = client.get("/_sim/hotich/received").json()
    assert received["effects"] == {"000.03.50.H01-260105-0001": 1}
    assert received["requests"] == 3


@pytest.mark.parametrize("name", ["maDonVi", "module", "maHoSo", "ngayTiepNhan", "data"])
def test_missing_field(client: Client, name: str) -> None:
    body = registration()
    del body[name]
    answer = client.post("/hotich/api/dangKyHoTich", body, headers=AUTH)
    assert answer.status == 400
    assert answer.json()["status"] == 0
    assert answer.json()["error_code"] == "200"
    assert name in answer.json()["message"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"data": "<KhaiSinh><HoTen>Mai</KhaiSinh>"}, "data"),
        ({"data": "không phải XML"}, "data"),
        ({"module": "LH"}, "module"),
        ({"maDonVi": "30307"}, "maDonVi"),
        ({"ngayTiepNhan": "05/01/2026"}, "ngayTiepNhan"),
    ],
)
def test_wrong_format(client: Client, changes: dict[str, Any], field: str) -> None:
    answer = register(client, **changes)
    assert answer.status == 400
    assert answer.json()["status"] == 0
    assert answer.json()["error_code"] == "302"
    assert field in answer.json()["message"]


def test_status_moves_on_with_time_then_numbers(client: Client) -> None:
    client.knobs("hotich", processing_seconds=0.3)
    assert register(client).status == 200
    assert status(client).json() == {"status": 1, "moTa": "Đã tiếp nhận, chờ xử lý"}
    early = result(client)
    assert early.status == 409
    assert early.json() == {"status": 0, "error_code": "200", "message": "Hồ sơ chưa đăng ký xong"}
    time.sleep(0.35)
    assert status(client).json() == {"status": 3, "moTa": "Đủ điều kiện đăng ký"}
    time.sleep(0.3)
    assert status(client).json()["status"] == 4
    done = result(client)
    assert done.status == 200
    entry = done.json()
    assert entry["status"] == 1
    assert entry["so"] == "1"
    assert entry["module"] == "KS"
    assert entry["quyenSo"].startswith("01/")
    assert entry["trangSo"] == "1"
    assert len(entry["ngayDangKy"]) == 8
    assert result(client).json() == entry  # the numbers stay


def test_complete_now_and_sequential_numbers(client: Client) -> None:
    for i in (1, 2, 3):
        assert register(client, maHoSo=f"HS-{i}").status == 200
    for i in (2, 1):
        done = client.post(f"/_sim/hotich/complete/HS-{i}")
        assert done.status == 200
        assert done.json()["status"] == 4
    assert status(client, "HS-2").json()["status"] == 4
    assert result(client, "HS-2").json()["so"] == "1"
    assert result(client, "HS-1").json()["so"] == "2"
    assert result(client, "HS-3").status == 409
    other = register(client, maHoSo="HS-4", module="KT")
    assert other.status == 200
    client.post("/_sim/hotich/complete/HS-4")
    assert result(client, "HS-4").json()["so"] == "1"  # numbered per module


def test_needs_more_papers(client: Client) -> None:
    xml = "<KhaiSinh><CanBoSung>Bổ sung giấy chứng sinh</CanBoSung></KhaiSinh>"
    assert register(client, data=xml).status == 200
    assert status(client).json() == {"status": 2, "moTa": "Bổ sung giấy chứng sinh"}
    # The corrected dossier may come again under the same code.
    assert register(client).status == 200
    assert status(client).json()["status"] == 1


def test_unknown_dossier(client: Client) -> None:
    for answer in (status(client, "KHONG-CO"), result(client, "KHONG-CO")):
        assert answer.status == 404
        assert answer.json()["status"] == 0
        assert answer.json()["error_code"] == "201"
    assert register(client).status == 200
    assert status(client, unit=30316).status == 404  # registered at another unit
    assert client.post("/_sim/hotich/complete/KHONG-CO").status == 404
