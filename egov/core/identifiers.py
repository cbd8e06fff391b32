"""Vietnamese personal and business identifiers: checks that need no outside system.

- Personal identification number (số định danh cá nhân, on the chip ID card): 12 digits. The
  first three name the province of birth registration, the fourth the gender and century of
  birth, the fifth and sixth the last two digits of the birth year (Decree 137/2015/NĐ-CP,
  Circular 07/2016/TT-BCA). The province prefix is not checked: provinces merged in 2025
  and old numbers stay valid.
- Tax code (mã số thuế): 10 digits, or 10 digits, a hyphen and 3 digits for a branch.
- Phone: a Vietnamese number, 10 digits starting with 0 (or +84 and 9 digits).
"""

import datetime
import re

# ASCII digits only, and fullmatch: "\d" would take other scripts' digits, "$" a newline.
PERSONAL_ID_RE = re.compile(r"[0-9]{12}")
TAX_CODE_RE = re.compile(r"[0-9]{10}(-[0-9]{3})?")
PHONE_RE = re.compile(r"(0|\+84)[0-9]{9}")

# The fourth digit: even for men, odd for women; the pair says the century.
_CENTURY_BASE = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 2300}


def personal_id_problem(
    number: str, *, date_of_birth: datetime.date | None = None, gender: str = ""
) -> str | None:
    """Why this personal ID cannot be right, in Vietnamese; None when it can.

    `gender` is "male" or "female" (or empty to skip that check).
    """
    if not PERSONAL_ID_RE.fullmatch(number):
        return "Số định danh cá nhân phải gồm đúng 12 chữ số."
    code = int(number[3])
    century = _CENTURY_BASE[code - code % 2]
    if gender and gender in {"male", "female"} and (code % 2 == 1) != (gender == "female"):
        return "Chữ số thứ tư của số định danh không khớp với giới tính."
    if date_of_birth is not None:
        year = century + int(number[4:6])
        if year != date_of_birth.year:
            return "Số định danh không khớp với năm sinh (chữ số thứ 4 đến thứ 6)."
    return None


def tax_code_problem(code: str) -> str | None:
    if not TAX_CODE_RE.fullmatch(code):
        return "Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số (chi nhánh)."
    return None


def normalise_phone(phone: str) -> str:
    """Spaces, dots and dashes dropped: "0912 345 678" → "0912345678"."""
    return re.sub(r"[\s.\-()]", "", phone)


def phone_problem(phone: str) -> str | None:
    if not PHONE_RE.fullmatch(normalise_phone(phone)):
        return "Số điện thoại phải gồm 10 chữ số bắt đầu bằng 0 (hoặc +84 và 9 chữ số)."
    return None
