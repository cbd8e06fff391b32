"""Ministry of Finance tax authority (Cục Thuế): the financial obligations of land dossiers
(status 6, "chờ thực hiện nghĩa vụ tài chính"; reference §8.6).

The land office transfers a dossier's information (phiếu chuyển thông tin); the tax authority
answers with a notice (thông báo nộp tiền), and later says whether it was paid.

- `POST /api/hoso` (OAuth2 bearer, `Idempotency-Key`) `{maHoSo, maSoThue?, nguoiNopThue,
  loaiNghiaVu: LPTB|TNCN|TSDD, giaTriTinhThue: int > 0}` → the notice.
- `GET /api/nghiavu/{maHoSo}` → the notice with `trangThai` CHUA_NOP | DA_NOP.
- `GET /api/nghiavu/{maHoSo}/thanhtoan` → `{daNop, soTien, ngayNop, maThamChieu, soChungTu}`.

Payload decisions (documented in the issue note):
- `nguoiNopThue` is the applicant, with `maSoThue` their tax code when the dossier has one —
  except the personal income tax on a transfer (`TNCN`), which the transferor owes: the
  e-form's `transferor_name` when the procedure asks for it (then no tax code is sent, since
  the dossier holds only the applicant's). ⚠️ Since 1 July 2025 a citizen's personal ID
  number serves as the tax code, but the partner takes 10 or 10-3 digits only, so a 12-digit
  ID is not sent.
- `giaTriTinhThue` is given by the officer who asks for the obligation, or else read from the
  e-form's `contract_value_vnd` (the contract value of a land transfer).
"""

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings

from egov.core.errors import DomainError
from egov.dossiers.models import Dossier

from ..models import OutboxMessage
from . import http

SYSTEM = "thue"
SERVICE = "thue.dossier.transfer"
OBLIGATION_SERVICE = "thue.obligation.read"
PAYMENT_SERVICE = "thue.payment.read"
KINDS = {
    "LPTB": "Lệ phí trước bạ nhà, đất",
    "TNCN": "Thuế thu nhập cá nhân từ chuyển nhượng bất động sản",
    "TSDD": "Thuế sử dụng đất phi nông nghiệp",
}
# The e-form field that holds the value the obligation is computed on, where there is one.
TAXABLE_VALUE_FIELD = "contract_value_vnd"
# The largest value sent to be taxed: 18 digits, as the desk's page takes it.
MAX_TAXABLE_VALUE = 10**18 - 1
# The largest sum of money read from the tax authority: what a 64-bit column holds
# (`TaxNotice.total`). A larger or negative one makes the answer unreadable.
MAX_AMOUNT = 2**63 - 1
TRANSFEROR_FIELD = "transferor_name"


class TaxError(DomainError):
    """The tax authority cannot take or answer this (a refusal, no notice yet)."""


@dataclass(frozen=True)
class ObligationLine:
    sub_item: str  # tiểu mục of the state budget
    text: str
    amount: int


@dataclass(frozen=True)
class Obligation:
    """The tax authority's notice (thông báo nộp tiền) for a dossier."""

    dossier_code: str
    notice_number: str
    kind: str
    payer: str
    tax_code: str
    taxable_value: int
    notice_date: datetime.date
    total: int
    due_date: datetime.date
    lines: tuple[ObligationLine, ...]
    paid: bool


@dataclass(frozen=True)
class Payment:
    paid: bool
    amount: int  # what was paid, 0 until paid
    reference: str  # the payment's reference (mã tham chiếu)
    voucher: str  # the receipt (số chứng từ)
    paid_at: datetime.datetime | None


def transfer_payload(*, dossier: Dossier, kind: str, taxable_value: int) -> dict[str, Any]:
    """The `POST /api/hoso` body (see the module's note for who the payer is)."""
    transferor = (dossier.form_data or {}).get(TRANSFEROR_FIELD)
    body: dict[str, Any] = {"maHoSo": dossier.code, "loaiNghiaVu": kind}
    if kind == "TNCN" and isinstance(transferor, str) and transferor.strip():
        body["nguoiNopThue"] = transferor.strip()
    else:
        body["nguoiNopThue"] = dossier.applicant_name
        if dossier.applicant_tax_code:
            body["maSoThue"] = dossier.applicant_tax_code
    body["giaTriTinhThue"] = taxable_value
    return body


def _accepted(answer: http.Answer) -> http.Attempt:
    attempt = answer.attempt
    if attempt.outcome == "ok" and attempt.code != "0":
        return dataclasses.replace(
            attempt, outcome="rejected", error=f"HTTP {attempt.status} [{attempt.code}]"
        )
    return attempt


def send(message: OutboxMessage) -> http.Attempt:
    """Deliver a `thue.dossier.transfer` outbox message."""
    return _accepted(
        http.call(
            SYSTEM,
            "POST",
            "/api/hoso",
            body=message.payload,
            idempotency_key=message.idempotency_key,
        )
    )


def obligation(*, dossier_code: str) -> http.Answer:
    return http.call(SYSTEM, "GET", f"/api/nghiavu/{quote(dossier_code, safe='')}")


def payment(*, dossier_code: str) -> http.Answer:
    return http.call(SYSTEM, "GET", f"/api/nghiavu/{quote(dossier_code, safe='')}/thanhtoan")


def _refusal(answer: http.Answer) -> TaxError:
    attempt = answer.attempt
    if attempt.status == 404:
        return TaxError(
            "Cơ quan thuế chưa có thông báo nghĩa vụ tài chính của hồ sơ này.",
            code="tax_not_found",
        )
    return TaxError(
        f"Cơ quan thuế không trả lời được yêu cầu: {attempt.error or 'không rõ lỗi'}",
        code="tax_answer",
    )


def _unreadable() -> TaxError:
    return TaxError("Cơ quan thuế trả lời không đúng định dạng.", code="tax_answer")


def _day(value: Any) -> datetime.date:
    """A `yyyyMMdd` date; ValueError when it is not one."""
    text = str(value)
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise ValueError(text)
    return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def _amount(value: Any) -> int:
    """A sum in đồng, from 0 to MAX_AMOUNT; ValueError when it is not one (an infinite
    number included: JSON as Python reads it may carry one)."""
    try:
        amount = int(value)
    except OverflowError:
        raise ValueError(value) from None
    if not 0 <= amount <= MAX_AMOUNT:
        raise ValueError(value)
    return amount


def _moment(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    # The partner's times are local (Vietnam) time, without an offset.
    return datetime.datetime.strptime(str(value), "%Y%m%d%H%M%S").replace(
        tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def _body(answer: http.Answer) -> dict[str, Any]:
    if answer.attempt.outcome != "ok":
        raise _refusal(answer)
    body = answer.body
    if not isinstance(body, dict) or str(body.get("error_code", "")) != "0":
        raise _unreadable()
    return body


def obligation_from(answer: http.Answer) -> Obligation:
    body = _body(answer)
    try:
        return Obligation(
            dossier_code=str(body["maHoSo"]),
            notice_number=str(body["soThongBao"]),
            kind=str(body["loaiNghiaVu"]),
            payer=str(body.get("nguoiNopThue") or ""),
            tax_code=str(body.get("maSoThue") or ""),
            taxable_value=_amount(body["giaTriTinhThue"]),
            notice_date=_day(body["ngayThongBao"]),
            total=_amount(body["tongTien"]),
            due_date=_day(body["hanNop"]),
            lines=tuple(
                ObligationLine(
                    sub_item=str(line["tieuMuc"]),
                    text=str(line["noiDung"]),
                    amount=_amount(line["soTien"]),
                )
                for line in body.get("khoanNop") or []
            ),
            paid=body.get("trangThai") == "DA_NOP",
        )
    except (KeyError, TypeError, ValueError) as error:
        raise _unreadable() from error


def payment_from(answer: http.Answer) -> Payment:
    body = _body(answer)
    try:
        return Payment(
            paid=body["daNop"] is True,
            amount=_amount(body.get("soTien") or 0),
            reference=str(body.get("maThamChieu") or ""),
            voucher=str(body.get("soChungTu") or ""),
            paid_at=_moment(body.get("ngayNop")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise _unreadable() from error
