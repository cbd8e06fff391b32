import datetime

import pytest

from egov.core.identifiers import personal_id_problem, phone_problem, tax_code_problem

BORN = datetime.date(2001, 5, 17)


@pytest.mark.parametrize(
    ("number", "gender", "ok"),
    [
        ("089301000123", "female", True),  # 3: a woman born in the 2000s, 01: 2001
        ("089201000123", "female", False),  # 2: a man
        ("089301000123", "male", False),
        ("089399000123", "female", False),  # 99: not 2001
        ("089101000123", "female", False),  # 1: the 1900s
        ("08930100012", "female", False),
        ("０８９３０１０００１２３", "female", False),  # full-width digits
        ("089301000123\n", "female", False),
    ],
)
def test_personal_id_against_birth_and_gender(number, gender, ok):
    assert (personal_id_problem(number, date_of_birth=BORN, gender=gender) is None) == ok


def test_tax_codes_and_phones():
    assert tax_code_problem("0312345678") is None
    assert tax_code_problem("0312345678-001") is None
    assert tax_code_problem("031234567") is not None
    assert phone_problem("0912 345 678") is None
    assert phone_problem("+84912345678") is None
    assert phone_problem("0912345678\n") is None  # white space is dropped first
    assert phone_problem("091234567") is not None
    assert phone_problem("０９１２３４５６７８") is not None
