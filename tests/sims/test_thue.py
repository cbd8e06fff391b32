"""THUE: a land dossier's financial obligation, computed, then paid via the control endpoint."""

import datetime as dt
import re
from typing import Any

import pytest

from sims import tax
from sims.core import VN_TZ
from sims.server import SimServer
from tests.sims.support import THUE, Answer, Client

TRANSFER = "/thue/api/hoso"


def transfer_body(**changes: Any) -> dict[str, Any]:
    body = {
        "maHoSo": "000.00.06.H01-260105-0007",
        "maSoThue": "8012345678",
        "nguoiNopThue": "Lê Thị Hồng",
        "loaiNghiaVu": "LPTB",
        "giaTriTinhThue": 1_234_567_000,
    }
    body.update(changes)
    return body


def transfer(client: Client, key: str, token: str | None = None, **changes: Any) -> Answer:
    headers = {"Authorization": f"Bearer {token or client.token('thue')}", "Idempotency-Key": key}
    return client.post(TRANSFER, transfer_body(**changes), headers=headers)


def test_token_refused_with_the_dvcqg_secret(client: Client) -> None:
    form = {"grant_type": "client_credentials", "client_id": THUE[0], "client_secret": "x"}
    answer = client.call("POST", "/thue/oauth/token", form=form)
    assert answer.status == 401
    assert answer.json()["error_code"] == "100"
    # A DVCQG token is no good here.
    headers = {"Authorization": f"Bearer {client.token('dvcqg')}", "Idempotency-Key": "k"}
    assert client.post(TRANSFER, transfer_body(), headers=headers).status == 401


@pytest.mark.parametrize(
    ("kind", "sub_item", "total"),
    [("LPTB", "2801", 6_173_000), ("TNCN", "1006", 24_691_000), ("TSDD", "1600", 370_000)],
)
def test_obligation_is_computed(client: Client, kind: str, sub_item: str, total: int) -> None:
    answer = transfer(client, "k1", loaiNghiaVu=kind)
    assert answer.status == 200
    notice = answer.json()
    assert notice["error_code"] == "0"
    assert notice["maHoSo"] == "000.00.06.H01-260105-0007"
    today = dt.datetime.now(VN_TZ).date()
    assert re.fullmatch(rf"TB-{today.year}-\d+", notice["soThongBao"])
    assert notice["tongTien"] == total
    assert notice["khoanNop"] == [
        {"tieuMuc": sub_item, "noiDung": tax.OBLIGATIONS[kind][1], "soTien": total}
    ]
    assert notice["hanNop"] == (today + dt.timedelta(days=30)).strftime("%Y%m%d")
    assert notice["trangThai"] == "CHUA_NOP"


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (300_000, "LPTB", 2_000),  # 1,500 rounds half up
        (299_999, "LPTB", 1_000),  # 1,499.995 rounds down
        (100_000_000, "TNCN", 2_000_000),
        (1_000_000, "TSDD", 0),  # 300 rounds to nothing
    ],
)
def test_rounding_to_the_nearest_thousand(value: int, kind: str, expected: int) -> None:
    _, _, numerator, denominator = tax.OBLIGATIONS[kind]
    assert tax.amount(value, numerator, denominator) == expected


def test_notice_numbers_are_sequential(client: Client) -> None:
    token = client.token("thue")
    first = transfer(client, "a", token, maHoSo="HS-1").json()["soThongBao"]
    second = transfer(client, "b", token, maHoSo="HS-2").json()["soThongBao"]
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_idempotent_by_key(client: Client, sim: SimServer) -> None:
    token = client.token("thue")
    first = transfer(client, "same", token)
    assert transfer(client, "same", token).body == first.body
    assert sim.state.thue.effects == {"same": 1}
    conflict = transfer(client, "same", token, giaTriTinhThue=1)
    assert conflict.status == 409
    assert conflict.json()["error_code"] == "500"
    missing = client.post(TRANSFER, transfer_body(), headers={"Authorization": f"Bearer {token}"})
    assert (missing.status, missing.json()["error_code"]) == (400, "200")


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"maHoSo": ""}, 400, "200"),
        ({"nguoiNopThue": None}, 400, "200"),
        ({"loaiNghiaVu": "VAT"}, 400, "302"),
        ({"giaTriTinhThue": "1000000"}, 400, "302"),
        ({"giaTriTinhThue": 0}, 400, "500"),
        ({"maSoThue": "12345"}, 400, "302"),
    ],
)
def test_invalid_transfer(client: Client, changes: dict[str, Any], status: int, code: str) -> None:
    answer = transfer(client, "bad", **changes)
    assert (answer.status, answer.json()["error_code"]) == (status, code)


def test_payment_through_the_control_endpoint(client: Client) -> None:
    token = client.token("thue")
    headers = {"Authorization": f"Bearer {token}"}
    ma = "000.00.06.H01-260105-0007"
    assert transfer(client, "k", token).status == 200
    unpaid = client.get(f"/thue/api/nghiavu/{ma}/thanhtoan", headers=headers).json()
    assert unpaid == {
        "error_code": "0",
        "daNop": False,
        "soTien": 0,
        "ngayNop": "",
        "maThamChieu": "",
        "soChungTu": "",
    }
    paid = client.post(f"/_sim/thue/pay/{ma}")
    assert paid.status == 200
    assert paid.json()["daNop"] is True
    payment = client.get(f"/thue/api/nghiavu/{ma}/thanhtoan", headers=headers).json()
    assert payment == paid.json()
    assert payment["soTien"] == 6_173_000
    assert re.fullmatch(r"\d{14}", payment["ngayNop"])
    assert payment["maThamChieu"]
    assert payment["soChungTu"]
    assert client.post(f"/_sim/thue/pay/{ma}").json() == payment  # paying twice changes nothing
    obligation = client.get(f"/thue/api/nghiavu/{ma}", headers=headers).json()
    assert obligation["trangThai"] == "DA_NOP"
    assert obligation["tongTien"] == 6_173_000
    # Once paid, a new transfer for the dossier is refused.
    again = transfer(client, "k2", token, giaTriTinhThue=2_000_000_000)
    assert (again.status, again.json()["error_code"]) == (409, "500")


def test_unknown_dossier(client: Client) -> None:
    headers = {"Authorization": f"Bearer {client.token('thue')}"}
    for path in ("/thue/api/nghiavu/KHONG-CO", "/thue/api/nghiavu/KHONG-CO/thanhtoan"):
        answer = client.get(path, headers=headers)
        assert (answer.status, answer.json()["error_code"]) == (404, "201")
    assert client.post("/_sim/thue/pay/KHONG-CO").status == 404
