"""The API that connected systems call, under /lgsp/v1/ (OpenAPI at /lgsp/v1/openapi.json,
docs at /lgsp/v1/docs): a Ninja API of its own, apart from the staff API at /api/v1/, with
its own authentication (OAuth2 client credentials, `auth.LgspAuth`) and errors in the LGSP
style (`errors`). Thin: parse, call a selector or a service, shape the answer. Every call is
logged by the wrapper the URLs put around it (`views.logged`)."""

import datetime
import logging
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Header, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer
from pydantic import field_validator

from egov.core.errors import DomainError
from egov.dossiers.errors import DossierNotFoundError
from egov.dossiers.lifecycle import NATIONAL_CODE, Status
from egov.dossiers.selectors import dossier_public_get

from ..adapters.dvcqg import portal_time
from .auth import LgspAuth
from .calls import JSON_TYPE, PAYMENT_SERVICE, STATUS_SERVICE, InboundRequest, call_of, encode
from .errors import (
    AUTHEN_ERROR,
    DATA_INCORRECT,
    DATA_TYPE_INVALID,
    RECORD_NOT_FOUND,
    RECORD_UNCOMPLETE,
    SYSTEM_ERROR,
    DataTypeInvalidError,
    InboundError,
    RateLimitedError,
    RecordNotFoundError,
    RecordUncompleteError,
    lgsp_message,
)
from .services import TaxPayment, tax_payment_receive

logger = logging.getLogger(__name__)

PORTAL_TIME = "%Y%m%d%H%M%S"
# A reference ends the marker that finds it again in the dossier's event (services._marker).
_REFERENCE = r"^[A-Za-z0-9._/-]+$"
_VOUCHER = r"^[A-Za-z0-9 ._/-]+$"


class LgspRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return encode(data)


DESCRIPTION = """
Dịch vụ mà các hệ thống kết nối (Cổng Dịch vụ công quốc gia, cơ quan thuế...) gọi đến hệ
thống một cửa điện tử của tỉnh qua trục liên thông (LGSP).

**Xác thực.** Mỗi hệ thống có một tài khoản kết nối (OAuth2 client credentials). Lấy mã truy
cập: `POST /lgsp/oauth/token/` với `grant_type=client_credentials`, `client_id`,
`client_secret` (và `scope` nếu chỉ cần một phần); gửi kèm mỗi yêu cầu tiêu đề
`Authorization: Bearer <access_token>`. Mỗi dịch vụ cần một phạm vi (scope) đã được cấp.

**Lặp lại an toàn.** Mọi yêu cầu POST phải có tiêu đề `Idempotency-Key` (tối đa 128 ký tự).
Gửi lại cùng khóa với cùng nội dung nhận lại đúng câu trả lời lần đầu (kèm tiêu đề
`Idempotent-Replay: true`) mà không ghi nhận lần hai; cùng khóa với nội dung khác bị từ chối
(409, mã 500).

**Giới hạn tần suất** theo từng tài khoản kết nối (ví dụ 120 yêu cầu/phút): vượt quá nhận
429, mã 429, tiêu đề `Retry-After`.

**Nhật ký.** Mọi yêu cầu, kể cả yêu cầu bị từ chối, đều được ghi vào nhật ký trao đổi
(Nghị định 47/2020/NĐ-CP, điều 45).

**Mã lỗi** (`{"error_code", "message"}`): `0` thành công; `100` AUTHEN_ERROR (401) thiếu
mã truy cập, mã sai hoặc hết hạn; `103` PERMISSION_DENIED (403) mã hoặc tài khoản không có
phạm vi của dịch vụ; `200` RECORD_UNCOMPLETE (400) thiếu trường hoặc tiêu đề bắt buộc;
`201` RECORD_NOT_FOUND (404) không tìm thấy hồ sơ hoặc dịch vụ; `302` DATA_TYPE_INVALID
(400) sai kiểu hoặc định dạng; `429` (429) vượt giới hạn tần suất; `500` DATA_INCORRECT
(409) dữ liệu mâu thuẫn với trạng thái hồ sơ, hoặc khóa lặp lại đã dùng cho nội dung khác;
`999` (500) lỗi hệ thống, hãy thử lại sau.

Thời gian theo giờ Việt Nam, dạng `yyyyMMddHHmmss`.
"""

api = NinjaAPI(
    title="Trục liên thông (LGSP) — dịch vụ cho hệ thống kết nối",
    version="1",
    description=DESCRIPTION,
    urls_namespace="lgsp",
    renderer=LgspRenderer(),
)


# ----------------------------------------------------------------------------- schemas


class ErrorOut(Schema):
    error_code: str = Field(..., description="mã lỗi LGSP; 0 là thành công")
    message: str = Field(..., description="mô tả, bắt đầu bằng tên mã lỗi")


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    429: ErrorOut,
}


class DossierStatusOut(Schema):
    error_code: str = Field(..., examples=["0"])
    message: str = Field(..., examples=["Thành công"])
    MaHoSo: str = Field(..., description="mã hồ sơ")
    TrangThaiHoSo: int = Field(..., ge=1, le=10, description="mã trạng thái của Cổng DVCQG")
    TenTrangThai: str = Field(..., description="tên trạng thái")
    NgayTiepNhan: str = Field(..., description="ngày tiếp nhận, yyyyMMddHHmmss; rỗng nếu chưa")
    NgayHenTra: str = Field(..., description="ngày hẹn trả, yyyyMMddHHmmss; rỗng nếu chưa")
    NgayTra: str = Field(..., description="ngày trả kết quả, yyyyMMddHHmmss; rỗng nếu chưa")


class TaxPaymentIn(Schema):
    maHoSo: str = Field(..., min_length=1, max_length=64, description="mã hồ sơ")
    soTien: int = Field(..., gt=0, strict=True, description="số tiền đã nộp (đồng)")
    maThamChieu: str = Field(
        ...,
        min_length=1,
        max_length=64,
        pattern=_REFERENCE,
        description="mã tham chiếu của khoản nộp (chữ, số, . _ / -)",
    )
    soChungTu: str = Field(
        ..., min_length=1, max_length=64, pattern=_VOUCHER, description="số chứng từ nộp"
    )
    ngayNop: str = Field(..., description="thời điểm nộp, yyyyMMddHHmmss giờ Việt Nam")

    @field_validator("ngayNop")
    @classmethod
    def _portal_time(cls, value: str) -> str:
        parse_portal_time(value)
        return value


class TaxPaymentOut(Schema):
    error_code: str = Field(..., examples=["0"])
    message: str = Field(..., examples=["Đã ghi nhận"])
    MaHoSo: str
    TrangThaiHoSo: int = Field(..., description="trạng thái của hồ sơ sau khi ghi nhận")


def parse_portal_time(value: str) -> datetime.datetime:
    if len(value) != len("yyyyMMddHHmmss") or not value.isdigit():
        raise ValueError("yyyyMMddHHmmss")
    return datetime.datetime.strptime(value, PORTAL_TIME).replace(
        tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


# ----------------------------------------------------------------------------- endpoints


@api.get(
    "/dossiers/{code}/status",
    auth=LgspAuth(STATUS_SERVICE),
    response={200: DossierStatusOut, **ERRORS},
    summary="Tra cứu trạng thái hồ sơ",
    description=(
        "Trạng thái hiện tại của một hồ sơ theo mã hồ sơ, với ngày tiếp nhận, hẹn trả và "
        "trả kết quả. Không có thông tin cá nhân. Phạm vi: `dossier.status`."
    ),
    tags=["Hồ sơ"],
)
def dossier_status(request: InboundRequest, code: str) -> dict[str, Any]:
    dossier = dossier_public_get(code=code)
    status = Status(dossier.status)
    return {
        "error_code": "0",
        "message": "Thành công",
        "MaHoSo": dossier.code,
        "TrangThaiHoSo": NATIONAL_CODE[status],
        "TenTrangThai": status.label,
        "NgayTiepNhan": portal_time(dossier.received_at),
        "NgayHenTra": portal_time(dossier.due_at),
        "NgayTra": portal_time(dossier.returned_at),
    }


@api.post(
    "/tax/payments",
    auth=LgspAuth(PAYMENT_SERVICE),
    response={200: TaxPaymentOut, **ERRORS},
    summary="Nhận thông báo đã nộp nghĩa vụ tài chính",
    description=(
        "Cơ quan thuế báo một hồ sơ đang chờ thực hiện nghĩa vụ tài chính đã được nộp: hồ sơ "
        "được xử lý tiếp (hoặc chuyển sang đã có kết quả nếu kết quả đã ký trước). Cần tiêu "
        "đề `Idempotency-Key`. Cùng một mã tham chiếu chỉ được ghi nhận một lần. "
        "Phạm vi: `tax.payment`."
    ),
    tags=["Thuế"],
)
def tax_payment(
    request: InboundRequest,
    payload: TaxPaymentIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description="khóa lặp lại an toàn, tối đa 128 ký tự"
    ),
) -> HttpResponse:
    if not idempotency_key:
        raise RecordUncompleteError("Thiếu tiêu đề bắt buộc: Idempotency-Key.")
    if len(idempotency_key) > 128:
        raise DataTypeInvalidError("Idempotency-Key dài quá 128 ký tự.")
    answer = tax_payment_receive(
        call=call_of(request),
        account=request.auth,
        key=idempotency_key,
        payment=TaxPayment(
            dossier_code=payload.maHoSo,
            amount=payload.soTien,
            reference=payload.maThamChieu,
            voucher=payload.soChungTu,
            paid_at=parse_portal_time(payload.ngayNop),
        ),
    )
    response = HttpResponse(encode(answer.body), status=answer.status, content_type=JSON_TYPE)
    if answer.replayed:
        response["Idempotent-Replay"] = "true"
    return response


ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@api.api_operation(ANY_METHOD, "/", include_in_schema=False)
def root(request: HttpRequest) -> NoReturn:
    raise RecordNotFoundError("Không có dịch vụ tại địa chỉ này.")


@api.api_operation(ANY_METHOD, "/{path:rest}", include_in_schema=False)
def unknown(request: HttpRequest, rest: str) -> NoReturn:
    raise RecordNotFoundError("Không có dịch vụ tại địa chỉ này.")


# ----------------------------------------------------------------------------- errors


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(request, {"error_code": code, "message": message}, status=status)


@api.exception_handler(InboundError)
def refused(request: HttpRequest, error: InboundError) -> HttpResponse:
    response = _error(request, error.status, error.code, error.message)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="lgsp", error="invalid_token"'
    if isinstance(error, RateLimitedError):
        response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, 401, AUTHEN_ERROR, lgsp_message(AUTHEN_ERROR, "Cần mã truy cập."))


@api.exception_handler(DossierNotFoundError)
def dossier_not_found(request: HttpRequest, error: DossierNotFoundError) -> HttpResponse:
    message = lgsp_message(RECORD_NOT_FOUND, "Không tìm thấy hồ sơ.")
    return _error(request, 404, RECORD_NOT_FOUND, message)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    message = lgsp_message(RECORD_NOT_FOUND, "Không tìm thấy.")
    return _error(request, 404, RECORD_NOT_FOUND, message)


@api.exception_handler(HttpError)
def unreadable(request: HttpRequest, error: HttpError) -> HttpResponse:
    """Ninja's own refusals; in practice a body that is not JSON."""
    message = lgsp_message(DATA_TYPE_INVALID, "Nội dung yêu cầu không phải JSON hợp lệ.")
    return _error(request, error.status_code, DATA_TYPE_INVALID, message)


@api.exception_handler(DomainError)
def rule_broken(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A rule of the one-stop shop refused the change: the data contradicts the state."""
    return _error(request, 409, DATA_INCORRECT, lgsp_message(DATA_INCORRECT, error.message))


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """An absent (or empty) required field → 200; a field of the wrong type or form → 302."""
    missing: list[str] = []
    invalid: list[str] = []
    for problem in error.errors:
        place = _field(problem.get("loc", ()))
        kind = problem.get("type", "")
        empty = kind == "string_too_short" and problem.get("ctx", {}).get("min_length") == 1
        if kind == "missing" or empty:
            missing.append(place)
        else:
            invalid.append(place)
    if missing:
        text = f"Thiếu trường bắt buộc: {', '.join(dict.fromkeys(missing))}."
        return _error(request, 400, RECORD_UNCOMPLETE, lgsp_message(RECORD_UNCOMPLETE, text))
    text = f"Sai kiểu hoặc định dạng dữ liệu: {', '.join(dict.fromkeys(invalid))}."
    return _error(request, 400, DATA_TYPE_INVALID, lgsp_message(DATA_TYPE_INVALID, text))


def _field(loc: Any) -> str:
    """("body", "payload", "soTien") → "soTien"; the body as a whole → "body"."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["body"]:
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(Exception)
def failed(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("LGSP inbound call failed: %s", request.path)
    message = lgsp_message(SYSTEM_ERROR, "Lỗi hệ thống; hãy thử lại sau ít phút.")
    return _error(request, 500, SYSTEM_ERROR, message)
