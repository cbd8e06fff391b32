"""The API that connected systems call, under /lgsp/v1/ (OpenAPI at /lgsp/v1/openapi.json,
docs at /lgsp/v1/docs): a Ninja API of its own, apart from the staff API at /api/v1/, with
its own authentication (OAuth2 client credentials, `auth.LgspAuth`) and errors in the LGSP
style (`errors`). Thin: parse, call a selector or a service, shape the answer. Every call is
logged by the wrapper the URLs put around it (`views.logged`)."""

import base64
import binascii
import datetime
import logging
import re
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Header, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer
from pydantic import field_validator

from egov.core.errors import DomainError
from egov.dossiers.errors import DossierNotFoundError
from egov.dossiers.lifecycle import NATIONAL_CODE, Status
from egov.dossiers.selectors import dossier_public_get
from egov.dossiers.services.intake import Applicant

from ..adapters.dvcqg import RETURN_CODE, portal_time
from ..adapters.tax import MAX_AMOUNT
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
from .services import (
    SUBMIT_SERVICE,
    Answer,
    NationalDossier,
    NationalPaper,
    TaxPayment,
    national_dossier_receive,
    tax_payment_receive,
)

logger = logging.getLogger(__name__)

PORTAL_TIME = "%Y%m%d%H%M%S"
# A reference ends the marker that finds it again in the dossier's event (services._marker).
_REFERENCE = r"^[A-Za-z0-9._/-]+$"
_VOUCHER = r"^[A-Za-z0-9 ._/-]+$"
# The national portal's reference of a dossier (MaHoSoDVCQG), e.g. G22.99-261203-00012345.
_NATIONAL_REFERENCE = r"^[A-Za-z0-9._-]+$"
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_BASE64_SPACE = re.compile(rb"\s+")
# HinhThucNhanKetQua → how the result is returned: the sync's own table (`HinhThuc`).
RETURN_METHODS = {code: method for method, code in RETURN_CODE.items()}
MAX_FILES = 50
# The times a partner reports: from this year to a little after our own clock.
FIRST_YEAR = 2000
CLOCK_LEEWAY = datetime.timedelta(days=1)
# ChuHoSo.GioiTinh: 1 nam, 0 nữ; absent: not given.
GENDERS: dict[int | None, str] = {1: "male", 0: "female"}


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
    soTien: int = Field(
        ...,
        gt=0,
        le=MAX_AMOUNT,
        strict=True,
        description="số tiền đã nộp (đồng), tối đa 9.223.372.036.854.775.807",
    )
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
        paid_at = parse_portal_time(value)
        # A payment is reported after it was made (a day's leeway for the partners' clocks),
        # and none was made through the bus before the year 2000.
        if paid_at.year < FIRST_YEAR or paid_at > timezone.now() + CLOCK_LEEWAY:
            raise ValueError("ngayNop")
        return value


class TaxPaymentOut(Schema):
    error_code: str = Field(..., examples=["0"])
    message: str = Field(..., examples=["Đã ghi nhận"])
    MaHoSo: str
    TrangThaiHoSo: int = Field(..., description="trạng thái của hồ sơ sau khi ghi nhận")


class ApplicantIn(Schema):
    LoaiDoiTuong: int = Field(
        ...,
        ge=1,
        le=4,
        strict=True,
        description="1 công dân, 2 doanh nghiệp, 3 cơ quan nhà nước, 4 tổ chức khác",
    )
    HoTen: str = Field(..., min_length=1, max_length=255, description="họ tên / tên tổ chức")
    SoDinhDanh: str = Field(
        "", max_length=12, pattern=r"^[0-9]*$", description="số định danh cá nhân (12 chữ số)"
    )
    NgaySinh: str = Field("", description="ngày sinh, yyyyMMdd")
    GioiTinh: int | None = Field(None, ge=0, le=1, strict=True, description="1 nam, 0 nữ")
    SoDienThoai: str = Field("", max_length=15, description="số điện thoại")
    Email: str = Field("", max_length=254, description="thư điện tử")
    MaXa: int | None = Field(
        None, ge=1, le=99999, description="mã xã, phường, đặc khu nơi cư trú (mã 5 chữ số)"
    )
    DiaChi: str = Field("", max_length=255, description="địa chỉ chi tiết")
    MaSoThue: str = Field("", max_length=14, description="mã số thuế (doanh nghiệp, tổ chức)")
    NguoiDaiDien: str = Field("", max_length=255, description="người đại diện của tổ chức")

    @field_validator("NgaySinh")
    @classmethod
    def _birth_date(cls, value: str) -> str:
        if value:
            parse_portal_date(value)
        return value

    @field_validator("Email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not re.fullmatch(_EMAIL, value):
            raise ValueError("email")
        return value


class AttachmentIn(Schema):
    MaThanhPhanHoSo: str = Field(
        ..., min_length=1, max_length=20, description="mã thành phần hồ sơ của thủ tục (TP01…)"
    )
    TenTep: str = Field(..., min_length=1, max_length=255, description="tên tệp, có phần mở rộng")
    NoiDungBase64: str = Field(..., min_length=1, description="nội dung tệp, base64")


class NationalDossierIn(Schema):
    MaHoSoDVCQG: str = Field(
        ...,
        min_length=1,
        max_length=40,
        pattern=_NATIONAL_REFERENCE,
        description="mã hồ sơ trên Cổng DVCQG (chữ, số, . _ -); mỗi mã chỉ tạo một hồ sơ",
    )
    MaTTHC: str = Field(..., min_length=1, max_length=30, description="mã thủ tục hành chính")
    MaDonViTiepNhan: str = Field(
        "",
        max_length=13,
        description="mã định danh (QCVN 102) của Bộ phận Một cửa tiếp nhận; bỏ trống: Trung "
        "tâm Phục vụ hành chính công của xã nơi cư trú (thủ tục cấp xã) hoặc của tỉnh",
    )
    ChuHoSo: ApplicantIn
    TaiKhoanDuocXacThucVoiVNeID: int = Field(
        0, ge=0, le=1, strict=True, description="1: người nộp đăng nhập bằng VNeID mức 2"
    )
    HinhThucNhanKetQua: int = Field(
        ...,
        ge=1,
        le=3,
        strict=True,
        description="1 nhận trực tiếp, 2 trực tuyến (kết quả điện tử), 3 qua bưu chính công ích",
    )
    DuLieuBieuMau: dict[str, Any] = Field(
        default_factory=dict, description="dữ liệu tờ khai điện tử, theo biểu mẫu của thủ tục"
    )
    TepDinhKem: list[AttachmentIn] = Field(
        default_factory=list, max_length=MAX_FILES, description="giấy tờ đính kèm"
    )


class NationalDossierOut(Schema):
    error_code: str = Field(..., examples=["0"])
    message: str
    SoThamChieu: str = Field(..., description="số tham chiếu của hồ sơ tại hệ thống một cửa")
    MaHoSoDVCQG: str
    MaHoSo: str = Field(..., description="mã hồ sơ; rỗng cho đến khi Bộ phận Một cửa tiếp nhận")
    TrangThaiHoSo: int = Field(..., description="mã trạng thái của Cổng DVCQG; 1 mới đăng ký")


def parse_portal_date(value: str) -> datetime.date:
    if len(value) != len("yyyyMMdd") or not value.isdigit():
        raise ValueError("yyyyMMdd")
    return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))


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
    idempotency_key = _required_key(idempotency_key)
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
    return _answered(answer)


@api.post(
    "/dossiers",
    auth=LgspAuth(SUBMIT_SERVICE),
    response={200: NationalDossierOut, **ERRORS},
    summary="Nhận hồ sơ nộp trên Cổng Dịch vụ công quốc gia",
    description=(
        "Cổng DVCQG chuyển một hồ sơ công dân, tổ chức đã nộp trên Cổng (chủ hồ sơ, tờ khai "
        "điện tử, giấy tờ đính kèm dạng base64, mã hồ sơ của Cổng) vào hàng chờ tiếp nhận "
        "trực tuyến của Bộ phận Một cửa (trạng thái 1, mới đăng ký). Các bước xử lý sau đó "
        "được đồng bộ về Cổng như mọi hồ sơ khác, kèm `MaHoSoDVCQG`. Cần tiêu đề "
        "`Idempotency-Key`. Cùng một `MaHoSoDVCQG` chỉ tạo một hồ sơ, kể cả với khóa khác. "
        "Mỗi tệp tối đa theo giới hạn tải lên của tỉnh (PDF, JPEG, PNG, DOCX, XLSX, XML). "
        "`HinhThucNhanKetQua`: 1 nhận trực tiếp, 2 trực tuyến, 3 qua bưu chính công ích; "
        "`ChuHoSo.GioiTinh`: 1 nam, 0 nữ; `ChuHoSo.NgaySinh`: yyyyMMdd. Phạm vi: "
        "`dossier.submit`."
    ),
    tags=["Hồ sơ"],
)
def national_dossier(
    request: InboundRequest,
    payload: NationalDossierIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description="khóa lặp lại an toàn, tối đa 128 ký tự"
    ),
) -> HttpResponse:
    idempotency_key = _required_key(idempotency_key)
    person = payload.ChuHoSo
    answer = national_dossier_receive(
        call=call_of(request),
        account=request.auth,
        key=idempotency_key,
        submission=NationalDossier(
            national_reference=payload.MaHoSoDVCQG,
            procedure_code=payload.MaTTHC.strip(),
            agency_code=payload.MaDonViTiepNhan.strip(),
            applicant=Applicant(
                type=person.LoaiDoiTuong,
                name=person.HoTen.strip(),
                id_number=person.SoDinhDanh,
                birth_date=parse_portal_date(person.NgaySinh) if person.NgaySinh else None,
                gender=GENDERS.get(person.GioiTinh, ""),
                tax_code=person.MaSoThue.strip(),
                representative=person.NguoiDaiDien.strip(),
                phone=person.SoDienThoai.strip(),
                email=person.Email.strip(),
                ward_code=person.MaXa,
                street=person.DiaChi.strip(),
            ),
            return_method=RETURN_METHODS[payload.HinhThucNhanKetQua],
            vneid_verified=bool(payload.TaiKhoanDuocXacThucVoiVNeID),
            form_data=payload.DuLieuBieuMau,
            papers=tuple(_papers(payload.TepDinhKem)),
        ),
    )
    return _answered(answer)


def _required_key(idempotency_key: str | None) -> str:
    if not idempotency_key:
        raise RecordUncompleteError("Thiếu tiêu đề bắt buộc: Idempotency-Key.")
    if len(idempotency_key) > 128:
        raise DataTypeInvalidError("Idempotency-Key dài quá 128 ký tự.")
    return idempotency_key


def _answered(answer: Answer) -> HttpResponse:
    """The stored or new answer of a call with an idempotency key, as the caller gets it."""
    response = HttpResponse(encode(answer.body), status=answer.status, content_type=JSON_TYPE)
    if answer.replayed:
        response["Idempotent-Replay"] = "true"
    return response


def _papers(attachments: list[AttachmentIn]) -> list[NationalPaper]:
    """Each file decoded, or the call refused (302) naming it; a file larger than the
    province's upload limit is refused before it is decoded."""
    max_bytes = settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024
    papers = []
    for index, attachment in enumerate(attachments):
        place = f"TepDinhKem[{index}]"
        encoded = _BASE64_SPACE.sub(b"", attachment.NoiDungBase64.encode("ascii", "replace"))
        if len(encoded) // 4 * 3 > max_bytes + 2:
            raise DataTypeInvalidError(
                f"Tệp đính kèm không hợp lệ: {place}.NoiDungBase64 "
                f"(tệp lớn quá {settings.MOTCUA_UPLOAD_MAX_MB} MB)."
            )
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise DataTypeInvalidError(
                f"Sai kiểu hoặc định dạng dữ liệu: {place}.NoiDungBase64 (không phải base64)."
            ) from None
        papers.append(
            NationalPaper(
                component=attachment.MaThanhPhanHoSo.strip(),
                name=attachment.TenTep.strip(),
                content=content,
                place=place,
            )
        )
    return papers


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
