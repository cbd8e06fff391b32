"""CSDLDC: a person derived deterministically from the ID number; not-found and mismatch."""

import unicodedata

import pytest

from sims import population
from tests.sims.support import CSDLDC_KEY, Answer, Client

LOOKUP = "/csdldc/api/congdan/tracuu"
KEY = {"X-API-Key": CSDLDC_KEY}


def lookup(client: Client, **body: str) -> Answer:
    return client.post(LOOKUP, body, headers=KEY)


def test_api_key_is_required(client: Client) -> None:
    for headers in ({}, {"X-API-Key": "sai"}):
        answer = client.post(LOOKUP, {"SoDinhDanh": "089095001234"}, headers=headers)
        assert answer.status == 401
        assert answer.json()["error_code"] == "100"


def test_same_number_gives_the_same_person(client: Client) -> None:
    first = lookup(client, SoDinhDanh="089095001234")
    assert first.status == 200
    assert first.json()["error_code"] == "0"
    assert first.json()["message"] == "Thành công"
    assert lookup(client, SoDinhDanh="089095001234").json() == first.json()
    # Computed, not remembered: a fresh server (or the bare function) gives the same person.
    assert client.post("/_sim/reset").status == 200
    assert lookup(client, SoDinhDanh="089095001234").json() == first.json()
    assert population.person("089095001234") == first.json()["CongDan"]
    assert lookup(client, SoDinhDanh="089095001235").json() != first.json()


def test_person_has_every_field(client: Client) -> None:
    citizen = lookup(client, SoDinhDanh="091205004321").json()["CongDan"]
    assert citizen["SoDinhDanh"] == "091205004321"
    assert citizen["QuocTich"] == "VN"
    assert citizen["DanToc"] == "Kinh"
    assert citizen["QueQuan"]
    home = citizen["NoiThuongTru"]
    assert home["MaTinh"] == population.PROVINCE_CODE
    assert int(home["MaXa"]) in {code for code, _, _ in population.WARDS}
    assert home["ChiTiet"].startswith("Số ")
    assert home["ChiTiet"].endswith(", tỉnh An Giang")
    assert len(citizen["HoVaTen"].split()) == 3


@pytest.mark.parametrize(
    ("fourth", "gender", "century"),
    [("0", "1", 1900), ("1", "2", 1900), ("2", "1", 2000), ("3", "2", 2000)],
)
def test_fourth_digit_gives_gender_and_century(
    client: Client, fourth: str, gender: str, century: int
) -> None:
    number = f"089{fourth}05123456"
    citizen = lookup(client, SoDinhDanh=number).json()["CongDan"]
    assert citizen["GioiTinh"] == gender
    assert citizen["NgaySinh"][:4] == str(century + 5)
    middle = citizen["HoVaTen"].split()[1]
    assert middle in population.MIDDLE_NAMES[gender]


def test_many_numbers_are_consistent() -> None:
    for i in range(300):
        number = f"0890{i % 100:02d}{i:06d}"
        citizen = population.person(number)
        assert citizen is not None
        assert citizen == population.person(number)
        assert citizen["GioiTinh"] == "1"
        assert citizen["NgaySinh"].startswith(f"19{i % 100:02d}")
        assert unicodedata.is_normalized("NFC", citizen["HoVaTen"])


@pytest.mark.parametrize("number", ["089495001234", "089995001234", "089095999999"])
def test_not_found(client: Client, number: str) -> None:
    answer = lookup(client, SoDinhDanh=number)
    assert answer.status == 404
    assert answer.json()["error_code"] == "201"


def test_born_in_the_future_is_not_found(client: Client) -> None:
    assert lookup(client, SoDinhDanh="089399001234").status == 404


@pytest.mark.parametrize("number", ["08909500123", "0890950012345", "08909500123A", "０８９"])
def test_number_must_be_twelve_digits(client: Client, number: str) -> None:
    answer = lookup(client, SoDinhDanh=number)
    assert answer.status == 400
    assert answer.json()["error_code"] == "302"


def test_number_is_required(client: Client) -> None:
    answer = client.post(LOOKUP, {"HoVaTen": "Nguyễn Văn An"}, headers=KEY)
    assert answer.status == 400
    assert answer.json()["error_code"] == "200"


def test_name_and_birth_date_match_loosely(client: Client) -> None:
    citizen = lookup(client, SoDinhDanh="089095001234").json()["CongDan"]
    name = unicodedata.normalize("NFD", citizen["HoVaTen"].upper())
    answer = lookup(
        client, SoDinhDanh="089095001234", HoVaTen=f"  {name} ", NgaySinh=citizen["NgaySinh"]
    )
    assert answer.json()["error_code"] == "0"
    assert answer.json()["CongDan"] == citizen


@pytest.mark.parametrize(
    ("field", "value"), [("HoVaTen", "Người Khác Hẳn"), ("NgaySinh", "18000101")]
)
def test_mismatch(client: Client, field: str, value: str) -> None:
    answer = lookup(client, SoDinhDanh="089095001234", **{field: value})
    assert answer.status == 200
    assert answer.json() == {
        "error_code": "500",
        "message": "Thông tin không khớp với CSDL quốc gia về dân cư",
    }


def test_birth_date_format(client: Client) -> None:
    answer = lookup(client, SoDinhDanh="089095001234", NgaySinh="1995-01-01")
    assert answer.status == 400
    assert answer.json()["error_code"] == "302"
    assert "NgaySinh" in answer.json()["message"]
