"""The two doors of /lgsp/ as Django sees them: the wrapper that logs every call of the API
(`logged`, put around each of its URLs by `logged_urls`), and the OAuth2 token endpoint,
django-oauth-toolkit's own, logged the same way."""

import base64
import binascii
import functools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from oauth2_provider.views import TokenView

from egov.core.input_guard import UNREADABLE, address_fields, body_fields, querydict_fields
from egov.core.ratelimit import allow, parse_rate

from ..models import ConnectionAccount
from .calls import JSON_TYPE, TOKEN_SERVICE, call_start, encode
from .errors import (
    AUTHEN_ERROR,
    DATA_TYPE_INVALID,
    PERMISSION_DENIED,
    RATE_LIMITED,
    RECORD_NOT_FOUND,
    RECORD_UNCOMPLETE,
    lgsp_message,
)
from .selectors import account_for_client
from .services import call_log

View = Callable[..., HttpResponseBase]
# Ninja's own pages: the OpenAPI document, its docs and the root. Not calls to a service.
_UNLOGGED = frozenset({"openapi-json", "openapi-view", "api-root"})


def logged(view: View) -> View:
    """Log the call once its answer is known, unless the service logged it already with its
    effect (`InboundCall.logged`). Refusals are logged too: no token, wrong scope, too many."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        call = call_start(request)
        refused = _control_characters(request)
        response = refused or view(request, *args, **kwargs)
        if response.status_code == 405 and not _is_json(response):
            response = _method_not_allowed(response)
        if not call.logged:
            content = response.content if isinstance(response, HttpResponse) else b""
            call_log(
                call=call,
                status=response.status_code,
                response=content,
                code=str(_json(content).get("error_code", "")),
            )
        return response

    return csrf_exempt(wrapper)


def logged_urls(api: NinjaAPI) -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API's URLs (for `path("v1/", ...)`), each operation's view wrapped in `logged`."""
    patterns, app_name, namespace = api.urls
    wrapped: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name not in _UNLOGGED:
            pattern = URLPattern(
                pattern.pattern, logged(pattern.callback), pattern.default_args, pattern.name
            )
        wrapped.append(pattern)
    return wrapped, app_name, namespace


def _control_characters(request: HttpRequest) -> HttpResponse | None:
    """A field carrying a control character is refused before any service (400, error_code
    302), as every input of the site is (egov.core.input_guard)."""
    try:
        fields = address_fields(request) + querydict_fields(request.GET) + body_fields(request)
    except UNREADABLE:
        return None  # the API answers these itself
    if not fields:
        return None
    text = f"Có ký tự điều khiển trong trường: {', '.join(fields)}."
    body = {"error_code": DATA_TYPE_INVALID, "message": lgsp_message(DATA_TYPE_INVALID, text)}
    return HttpResponse(encode(body), status=400, content_type=JSON_TYPE)


def _unknown_address(request: HttpRequest) -> HttpResponse:
    body = {
        "error_code": RECORD_NOT_FOUND,
        "message": lgsp_message(RECORD_NOT_FOUND, "Không có dịch vụ tại địa chỉ này."),
    }
    return HttpResponse(encode(body), status=404, content_type=JSON_TYPE)


# Any other address under /lgsp/ (the URLs put it last): the LGSP error, logged like a call.
unknown_address = logged(_unknown_address)


def _is_json(response: HttpResponseBase) -> bool:
    return str(response.get("Content-Type", "")).startswith("application/json")


def _json(content: bytes) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _method_not_allowed(original: HttpResponseBase) -> HttpResponse:
    body = {
        "error_code": RECORD_NOT_FOUND,
        "message": lgsp_message(RECORD_NOT_FOUND, "Địa chỉ này không nhận phương thức đó."),
    }
    response = HttpResponse(encode(body), status=405, content_type=JSON_TYPE)
    if original.has_header("Allow"):
        response["Allow"] = original["Allow"]
    return response


# ----------------------------------------------------------------------------- token

_token_view = TokenView.as_view()

# The OAuth2 error (RFC 6749 §5.2) stays for OAuth2 clients; the LGSP pair is added to it.
_OAUTH_ERRORS = {
    "invalid_client": (AUTHEN_ERROR, "Sai client_id hoặc client_secret."),
    "invalid_grant": (AUTHEN_ERROR, "Quyền cấp mã không hợp lệ."),
    "unauthorized_client": (
        AUTHEN_ERROR,
        "Tài khoản kết nối chỉ được dùng grant_type=client_credentials.",
    ),
    "unsupported_grant_type": (
        DATA_TYPE_INVALID,
        "grant_type không được hỗ trợ; chỉ dùng client_credentials.",
    ),
    "invalid_request": (RECORD_UNCOMPLETE, "Yêu cầu cấp mã thiếu tham số hoặc sai định dạng."),
    "invalid_scope": (
        PERMISSION_DENIED,
        "Phạm vi (scope) yêu cầu chưa được cấp cho tài khoản kết nối.",
    ),
    "temporarily_unavailable": (RATE_LIMITED, "Quá nhiều yêu cầu cấp mã; hãy thử lại sau."),
}
# What never reaches the log, whatever the body storage: the secret and the tokens.
_SECRETS = ("client_secret", "access_token", "refresh_token")
_MASK = "***"


@csrf_exempt
def token(request: HttpRequest) -> HttpResponseBase:
    """django-oauth-toolkit's TokenView, for connection accounts only, rate-limited per
    client address, every request logged (service `lgsp.oauth.token`, party the client id)
    in the token's own transaction, with the secret and the token masked out."""
    call = call_start(request, body=_masked_form(request))
    call.service = TOKEN_SERVICE
    client_id = _client_id(request)
    call.party = client_id
    account = account_for_client(client_id=client_id)
    if account is not None:
        call.system = account.system.code
    try:
        with transaction.atomic():
            response = _token_answer(request, account)
            content = response.content if isinstance(response, HttpResponse) else b""
            answer = _json(content)
            call_log(
                call=call,
                status=response.status_code,
                response=_masked_json(answer) if answer else content,
                code=str(answer.get("error", "")),
            )
    except Exception:
        # Nothing was issued (the transaction rolled back); the failure is logged on its own.
        call_log(call=call, status=500, response=b"", code="")
        raise
    return response


def _token_answer(request: HttpRequest, account: ConnectionAccount | None) -> HttpResponseBase:
    if not allow(request, scope="lgsp_token", rate=settings.MOTCUA_TOKEN_RATE):
        response = _oauth_error(429, "temporarily_unavailable")
        response["Retry-After"] = str(parse_rate(settings.MOTCUA_TOKEN_RATE)[1])
        return response
    if account is None or not account.active:
        # The same answer as a wrong secret: nobody learns which clients exist.
        return _oauth_error(401, "invalid_client")
    return _with_lgsp_error(_token_view(request))


def _client_id(request: HttpRequest) -> str:
    """From the form, or from HTTP Basic (RFC 6749 §2.3.1: each part form-encoded)."""
    client_id = request.POST.get("client_id", "")
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if not client_id and scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        client_id = unquote(decoded.partition(":")[0].replace("+", " "))
    return client_id[:128]


def _oauth_error(status: int, error: str) -> HttpResponse:
    code, text = _OAUTH_ERRORS[error]
    body = {
        "error": error,
        "error_description": text,
        "error_code": code,
        "message": lgsp_message(code, text),
    }
    response = HttpResponse(encode(body), status=status, content_type=JSON_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def _with_lgsp_error(response: HttpResponseBase) -> HttpResponseBase:
    if response.status_code < 400 or not isinstance(response, HttpResponse):
        return response
    body = _json(response.content)
    error = str(body.get("error", ""))
    code, text = _OAUTH_ERRORS.get(error, (AUTHEN_ERROR, "Không cấp được mã truy cập."))
    body.setdefault("error_description", text)
    body.update({"error_code": code, "message": lgsp_message(code, text)})
    response.content = encode(body)
    response["Content-Type"] = JSON_TYPE
    return response


def _masked_form(request: HttpRequest) -> bytes:
    """The form as Django parsed it (urlencoded or multipart), the secret masked. A body in
    any other form is not kept at all (the token endpoint reads forms only): b"" makes the
    log keep the request line instead."""
    form = request.POST.copy()
    for name in _SECRETS:
        if name in form:
            form[name] = _MASK
    return form.urlencode(safe="*").encode()


def _masked_json(answer: dict[str, Any]) -> bytes:
    return encode({name: _MASK if name in _SECRETS else value for name, value in answer.items()})
