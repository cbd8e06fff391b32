"""THUE, the tax authority: financial obligations of land dossiers.

The land registration office sends the tax authority a dossier's information (phiếu chuyển
thông tin); the tax authority answers with a notice (thông báo nộp tiền) and later says
whether it was paid. One obligation per dossier; sending a dossier again with a new key
replaces an unpaid obligation (a corrected transfer) and is refused once it is paid.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sims.auth import TokenStore, issue_token, require_bearer
from sims.core import (
    Idempotency,
    Knobs,
    Request,
    Response,
    Route,
    System,
    fingerprint,
    get_str,
    idempotency_key,
    incorrect,
    invalid,
    json_response,
    not_found,
    now_vn,
    require_int,
    require_str,
    timestamp,
)

# loaiNghiaVu → (budget sub-item, what the line says, rate as numerator / denominator).
OBLIGATIONS = {
    "LPTB": ("2801", "Lệ phí trước bạ nhà, đất", 5, 1000),
    "TNCN": ("1006", "Thuế thu nhập cá nhân từ chuyển nhượng bất động sản", 2, 100),
    "TSDD": ("1600", "Thuế sử dụng đất phi nông nghiệp", 3, 10000),
}
DAYS_TO_PAY = 30
# 10 digits, or 10 digits, a hyphen and 3 digits for a branch.
TAX_CODE_RE = re.compile(r"[0-9]{10}(-[0-9]{3})?")


def amount(value: int, numerator: int, denominator: int) -> int:
    """value × rate in whole VND, rounded half up to the nearest 1,000 (integers only)."""
    unit = denominator * 1000
    return (2 * value * numerator + unit) // (2 * unit) * 1000


@dataclass
class Obligation:
    notice: dict[str, Any]  # the answer to POST /thue/api/hoso, without trangThai
    paid_at: dt.datetime | None = None
    reference: str = ""
    receipt: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**self.notice, "trangThai": "DA_NOP" if self.paid_at else "CHUA_NOP"}

    def payment(self) -> dict[str, Any]:
        return {
            "error_code": "0",
            "daNop": self.paid_at is not None,
            "soTien": self.notice["tongTien"] if self.paid_at else 0,
            "ngayNop": timestamp(self.paid_at) if self.paid_at else "",
            "maThamChieu": self.reference,
            "soChungTu": self.receipt,
        }


class Thue(System):
    name = "thue"

    def __init__(self, knobs: Knobs, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        super().__init__(knobs)

    def clear(self) -> None:
        self.tokens = TokenStore()
        self.obligations: dict[str, Obligation] = {}
        self.idempotency = Idempotency()
        self._notices: dict[int, int] = {}  # year → last notice number
        self._payments = 0

    @property
    def effects(self) -> dict[str, int]:
        return dict(self.idempotency.effects)

    def routes(self) -> list[Route]:
        return [
            Route("POST", "/thue/oauth/token", self.token, "thue", "token"),
            Route("POST", "/thue/api/hoso", self.transfer, "thue", "hoso", mutating=True),
            Route("GET", "/thue/api/nghiavu/{ma}", self.obligation, "thue", "nghiavu"),
            Route("GET", "/thue/api/nghiavu/{ma}/thanhtoan", self.payment, "thue", "thanhtoan"),
            Route("POST", "/_sim/thue/pay/{ma}", self.pay, None, "thue.pay"),
            Route("GET", "/_sim/thue/received", self.received, None, "thue.received"),
        ]

    def token(self, req: Request) -> Response:
        return issue_token(
            req, self.client_id, self.client_secret, self.tokens, self.knobs.token_ttl_s
        )

    def _find(self, ma: str) -> Obligation:
        found = self.obligations.get(ma)
        if found is None:
            raise not_found(f"Không có nghĩa vụ tài chính của hồ sơ {ma}")
        return found

    def transfer(self, req: Request) -> Response:
        require_bearer(req, self.tokens)
        key = idempotency_key(req)
        body = req.json_object()
        body_fp = fingerprint(body)
        replay = self.idempotency.replay(key, body_fp)
        if replay is not None:
            return replay
        ma = require_str(body, "maHoSo")
        tax_code = get_str(body, "maSoThue")
        if tax_code is not None and not TAX_CODE_RE.fullmatch(tax_code):
            raise invalid("maSoThue", "10 chữ số, hoặc 10 chữ số-3 chữ số")
        payer = require_str(body, "nguoiNopThue")
        kind = require_str(body, "loaiNghiaVu")
        if kind not in OBLIGATIONS:
            raise invalid("loaiNghiaVu", "TSDD, LPTB hoặc TNCN")
        value = require_int(body, "giaTriTinhThue")
        if value <= 0:
            raise incorrect("giaTriTinhThue phải lớn hơn 0")
        existing = self.obligations.get(ma)
        if existing is not None and existing.paid_at is not None:
            raise incorrect(f"Nghĩa vụ tài chính của hồ sơ {ma} đã được nộp", 409)
        today = now_vn()
        seq = self._notices.get(today.year, 0) + 1
        self._notices[today.year] = seq
        sub_item, text, numerator, denominator = OBLIGATIONS[kind]
        total = amount(value, numerator, denominator)
        notice = {
            "error_code": "0",
            "maHoSo": ma,
            "soThongBao": f"TB-{today.year}-{seq:06d}",
            "maSoThue": tax_code or "",
            "nguoiNopThue": payer,
            "loaiNghiaVu": kind,
            "giaTriTinhThue": value,
            "ngayThongBao": today.strftime("%Y%m%d"),
            "tongTien": total,
            "hanNop": (today + dt.timedelta(days=DAYS_TO_PAY)).strftime("%Y%m%d"),
            "khoanNop": [{"tieuMuc": sub_item, "noiDung": text, "soTien": total}],
        }
        self.obligations[ma] = Obligation(notice)
        answer = json_response(self.obligations[ma].to_json())
        self.idempotency.record(key, body_fp, answer)
        return answer

    def obligation(self, req: Request) -> Response:
        require_bearer(req, self.tokens)
        return json_response(self._find(req.params["ma"]).to_json())

    def payment(self, req: Request) -> Response:
        require_bearer(req, self.tokens)
        return json_response(self._find(req.params["ma"]).payment())

    def pay(self, req: Request) -> Response:
        found = self._find(req.params["ma"])
        if found.paid_at is None:  # paying twice keeps the first payment
            self._payments += 1
            found.paid_at = now_vn()
            found.reference = f"NTDT{found.paid_at:%Y%m%d}{self._payments:06d}"
            found.receipt = f"CT-{found.paid_at.year}-{self._payments:06d}"
        return json_response(found.payment())

    def received(self, req: Request) -> Response:
        return json_response(
            {
                "obligations": {ma: o.to_json() for ma, o in self.obligations.items()},
                "effects": self.effects,
                "requests": self.requests["hoso"],
            }
        )
