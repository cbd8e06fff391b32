"""What every app's API router shares: the error shape and the throttle. (Who the caller is,
a bearer token or the session, is the accounts app's: `egov.accounts.api.AUTH`.)

Errors are JSON `{"error": {"code", "message", "fields"}}` with Vietnamese messages; a
domain error maps to its HTTP status by its kind (STYLE.md "Naming").
"""

from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.throttling import BaseThrottle
from pydantic import Field

from .input_guard import ControlCharacterError, querydict_fields
from .ratelimit import allow, parse_rate


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class ErrorDetail(Schema):
    code: str = Field(description="mã lỗi cố định cho chương trình đọc, ví dụ invalid_input")
    message: str = Field(description="lời giải thích bằng tiếng Việt cho người đọc")
    fields: dict[str, str] = Field(description="ô nào sai và vì sao (có thể rỗng)")


class ErrorOut(Schema):
    """The body of every error answer."""

    error: ErrorDetail


# What each error status means, in the OpenAPI's words.
ERROR_STATUSES = {
    400: "Yêu cầu không đọc được (JSON hỏng, quá nhiều trường)",
    401: "Chưa đăng nhập, hoặc mã truy cập sai, hết hạn hay đã thu hồi",
    403: "Không có quyền, hoặc phiên đăng nhập thiếu mã CSRF",
    404: "Không tìm thấy, hoặc không được xem",
    409: "Hồ sơ đã đổi từ lúc đọc (phiên bản cũ)",
    413: "Nội dung gửi lên lớn quá mức cho phép",
    422: "Dữ liệu không hợp lệ, hoặc trái quy tắc nghiệp vụ",
    429: "Quá nhiều yêu cầu; xem Retry-After",
    500: "Lỗi hệ thống",
}
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def error_statuses(operation: Operation) -> list[int]:
    """The error statuses one operation can answer: every one may be unknown (404), refused
    as invalid (422) or fail (500); a write may also meet a stale version (409), an
    unreadable or too-large body (400, 413); a signed-in one a missing or refused sign-in
    (401, 403); a throttled one the limit (429)."""
    statuses = {404, 422, 500}
    if _WRITES & set(operation.methods):
        statuses |= {400, 409, 413}
    if operation.auth_callbacks:
        statuses |= {401, 403}
    if operation.throttle_objects:
        statuses.add(429)
    return sorted(statuses)


class ErrorDocumentedSchema(OpenAPISchema):
    """Ninja's OpenAPI, with each operation's error statuses and the error body's schema."""

    def responses(self, operation: Operation) -> dict[int, Any]:
        result = super().responses(operation)
        schema, _ = self._create_schema_from_model(
            ErrorOut,  # type: ignore[type-var]  # a Schema is a pydantic model, as Ninja's own
            remove_level=False,
        )
        self.schemas.setdefault("ErrorOut", schema)
        reference = {"$ref": "#/components/schemas/ErrorOut"}
        for status in error_statuses(operation):
            result.setdefault(
                status,
                {
                    "description": ERROR_STATUSES[status],
                    "content": {"application/json": {"schema": reference}},
                },
            )
        return result


class ErrorDocumentedAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ErrorDocumentedSchema(self, path_prefix)


class ScopedThrottle(BaseThrottle):
    """A per-client-address limit in a named scope, counted by egov.core.ratelimit: shared by
    every web process, and by a page that counts in the same scope (the public look-up's page
    and endpoint spend one budget). The rate is read from the named setting at each request,
    as the pages read theirs. The address comes from REMOTE_ADDR, or from the proxy's
    X-Forwarded-For when NINJA_NUM_PROXIES (MOTCUA_TRUSTED_PROXIES) says how many to trust."""

    def __init__(self, scope: str, rate_setting: str) -> None:
        self.scope = scope
        self.rate_setting = rate_setting

    @property
    def rate(self) -> str:
        return str(getattr(settings, self.rate_setting))

    def allow_request(self, request: HttpRequest) -> bool:
        return allow(request, scope=self.scope, rate=self.rate)

    def wait(self) -> float:
        """At most the window's length (Retry-After)."""
        return float(parse_rate(self.rate)[1])


class CheckedParser(Parser):
    """Ninja's parser, refusing a query or a form with a control character (422
    control_characters; egov.core.input_guard). Ninja reads them after the caller signed in."""

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        fields = querydict_fields(data)
        if fields:
            raise ControlCharacterError(fields)
        return super().parse_querydict(data, list_fields, request)


class FastJSONRenderer(BaseRenderer):
    """The API's answers written by orjson, several times faster than the standard library
    on a worklist page. Dates, times and whatever orjson does not know (Decimal, pydantic
    models, lazy texts) go to Ninja's own encoder, so every value reads exactly as before
    (a datetime to the millisecond, UTC as "Z"); text is UTF-8 rather than \\u escapes."""

    media_type = "application/json"
    _fallback = NinjaJSONEncoder()
    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return orjson.dumps(data, default=self._fallback.default, option=self._options)
