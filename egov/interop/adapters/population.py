"""National Population Database (CSDL quốc gia về dân cư, Ministry of Public Security): a
citizen looked up by the personal identification number, to prefill the counter's form and to
verify the applicant (reference §5.3, §8.6; DOMAIN §6).

`POST /api/congdan/tracuu` with `X-API-Key`; the body is `SoDinhDanh` (12 digits) and, to
verify, `HoVaTen` and `NgaySinh` (`yyyyMMdd`). A person whose name or birth date differs
comes back as HTTP 200 with `error_code` "500" ("không khớp") and no `CongDan`.

The adapter builds the request, calls `http.call` and reads the answer; it writes nothing.
`egov.interop.services.population` logs the exchange and keeps the breaker.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from egov.core.errors import DomainError
from egov.dossiers.models import Gender

from . import http

SYSTEM = "csdldc"
SERVICE = "csdldc.person.lookup"
PATH = "/api/congdan/tracuu"
# GioiTinh: 1 male, 2 female.
_GENDER = {"1": Gender.MALE, "2": Gender.FEMALE}
_NOT_FOUND = "201"
_MISMATCH = "500"


@dataclass(frozen=True)
class PersonRecord:
    """A citizen as the population database holds them."""

    id_number: str
    full_name: str
    birth_date: datetime.date
    gender: str  # egov.dossiers.models.Gender: "male" / "female"
    nationality: str
    ethnicity: str
    hometown: str  # quê quán, as text
    province_code: int | None
    ward_code: int | None  # the permanent residence's commune
    street: str  # the permanent residence as written (house, street, ward, province)


class PersonNotFoundError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy công dân có số định danh này trong CSDL quốc gia về dân cư.",
            code="person_not_found",
            fields={"applicant.id_number": "Không có trong CSDL quốc gia về dân cư."},
        )


class PersonMismatchError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Họ tên hoặc ngày sinh không khớp với CSDL quốc gia về dân cư.",
            code="person_mismatch",
        )


class PopulationAnswerError(DomainError):
    """The database answered something we cannot use (a refusal, or an unreadable body)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"CSDL quốc gia về dân cư không trả lời được yêu cầu tra cứu: {detail}",
            code="population_answer",
        )


def lookup_body(
    *, id_number: str, full_name: str | None, birth_date: datetime.date | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"SoDinhDanh": id_number}
    if full_name:
        body["HoVaTen"] = full_name.strip()
    if birth_date is not None:
        body["NgaySinh"] = birth_date.strftime("%Y%m%d")
    return body


def lookup(
    *, id_number: str, full_name: str | None = None, birth_date: datetime.date | None = None
) -> http.Answer:
    return http.call(
        SYSTEM,
        "POST",
        PATH,
        body=lookup_body(id_number=id_number, full_name=full_name, birth_date=birth_date),
    )


def person_from(answer: http.Answer) -> PersonRecord:
    """The person in an answer that came back (not a `retry` one); the partner's refusals as
    domain errors: not found, not matching, or unusable."""
    attempt, body = answer.attempt, answer.body
    if attempt.code == _NOT_FOUND:
        raise PersonNotFoundError
    if attempt.outcome != "ok":
        raise PopulationAnswerError(attempt.error or "câu trả lời không hợp lệ")
    if attempt.code == _MISMATCH:
        raise PersonMismatchError
    citizen = body.get("CongDan") if isinstance(body, dict) else None
    if attempt.code != "0" or not isinstance(citizen, dict):
        raise PopulationAnswerError(f"mã lỗi {attempt.code or 'không rõ'}")
    try:
        residence = citizen.get("NoiThuongTru") or {}
        return PersonRecord(
            id_number=str(citizen["SoDinhDanh"]),
            full_name=str(citizen["HoVaTen"]),
            birth_date=_date8(citizen["NgaySinh"]),
            gender=_GENDER[str(citizen["GioiTinh"])],
            nationality=str(citizen.get("QuocTich") or ""),
            ethnicity=str(citizen.get("DanToc") or ""),
            hometown=str(citizen.get("QueQuan") or ""),
            province_code=_code(residence.get("MaTinh")),
            ward_code=_code(residence.get("MaXa")),
            street=str(residence.get("ChiTiet") or "")[:255],
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PopulationAnswerError("thông tin công dân không đúng định dạng") from error


def _code(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


def _date8(value: Any) -> datetime.date:
    """A `yyyyMMdd` date; ValueError when it is not one."""
    text = str(value)
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise ValueError(text)
    return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
