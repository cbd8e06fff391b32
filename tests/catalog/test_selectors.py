import datetime

import pytest

from egov.catalog.selectors import procedure_search
from egov.core.text import fold

pytestmark = pytest.mark.django_db


def names(queryset) -> list[str]:
    return [procedure.national_code for procedure in queryset]


def test_fold_strips_vietnamese_diacritics():
    assert fold("  Đăng KÝ   khai sinh ") == "dang ky khai sinh"
    assert fold("Lý lịch tư pháp") == "ly lich tu phap"
    assert fold("Bản sao (địa phương), 1.001193") == "ban sao dia phuong 1 001193"


@pytest.mark.parametrize(
    "query",
    ["dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh", "1.001193"],
)
def test_search_is_accent_and_case_insensitive(procedures, query):
    assert names(procedure_search(query=query)) == ["1.001193"]


def test_search_matches_every_word_and_filters(procedures):
    assert names(procedure_search(query="ly lich tu phap")) == ["2.001417"]
    assert names(procedure_search(query="khai sinh tu phap")) == []
    assert names(procedure_search(level="province")) == ["2.001417"]
    assert names(procedure_search(sector_code="HT")) == ["1.001193"]


def test_search_shows_only_procedures_in_force(procedures):
    assert names(procedure_search(on=datetime.date(2025, 6, 30))) == []
    assert len(names(procedure_search(on=datetime.date(2026, 11, 26)))) == 2


def test_words_match_the_start_of_words(procedures):
    # "sinh" starts a word in "khai sinh"; "inh" starts none.
    assert names(procedure_search(query="sinh")) == ["1.001193"]
    assert names(procedure_search(query="inh")) == []
    assert names(procedure_search(query="1.0011")) == ["1.001193"]
    assert names(procedure_search(query="001193")) == ["1.001193"]
    # Words after punctuation are words too: "(liên thông)" in a step is not searched, but
    # the sector "Lý lịch tư pháp" is, after a name.
    assert names(procedure_search(query="viet nam ly lich")) == ["2.001417"]


def test_phrase_matches_come_before_scattered_words(agencies):
    from egov.catalog.services import procedures_import
    from tests.conftest import BIRTH, catalogue

    scattered = {**BIRTH, "national_code": "1.000001", "name": "An ký hiệu tư pháp khai sinh"}
    phrase = {**BIRTH, "national_code": "1.000002", "name": "Đăng ký khai sinh lưu động"}
    procedures_import(data=catalogue(scattered, phrase))
    assert names(procedure_search(query="ky khai")) == ["1.000002", "1.000001"]
