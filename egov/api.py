"""The HTTP API under /api/v1/: the root that mounts each app's router and maps errors.

OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs (served from our own
static files, under the site's Content-Security-Policy: Swagger UI's online validator is off,
as its badge is a picture from validator.swagger.io that would also tell it our spec's address).
Every error, whatever raised it, answers the one JSON shape (api_support.ErrorOut), and the
OpenAPI lists, for each operation, the error statuses it can answer (ErrorDocumentedSchema).
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from egov.accounts.api import AUTH
from egov.accounts.api import router as accounts_router
from egov.accounts.services import BadCredentialsError, SecondFactorError
from egov.catalog.api import router as catalog_router
from egov.catalog.errors import ProcedureNotFoundError
from egov.core.api_support import (
    CheckedParser,
    ErrorDocumentedAPI,
    FastJSONRenderer,
    error_body,
)
from egov.core.errors import DomainError, NotAllowedError
from egov.core.input_guard import ControlCharacterError, address_fields, body_fields
from egov.dossiers.api import router as dossiers_router
from egov.dossiers.errors import DossierNotFoundError, StaleVersionError
from egov.orgs.api import router as orgs_router
from egov.orgs.errors import UnknownAgencyError

logger = logging.getLogger("django.request")

api = ErrorDocumentedAPI(
    title="MotCua API",
    version="1",
    description="Hồ sơ, thủ tục và cơ quan của hệ thống một cửa điện tử.",
    urls_namespace="api",
    auth=AUTH,
    parser=CheckedParser(),
    renderer=FastJSONRenderer(),
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("/auth", accounts_router)
api.add_router("/", catalog_router)
api.add_router("/", orgs_router)
api.add_router("/", dossiers_router)

NOT_FOUND = (DossierNotFoundError, ProcedureNotFoundError, UnknownAgencyError)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    if isinstance(error, BadCredentialsError | SecondFactorError):
        status = 401
    elif isinstance(error, NOT_FOUND):
        status = 404
    elif isinstance(error, StaleVersionError):
        status = 409
    elif isinstance(error, NotAllowedError):
        status = 403
    else:
        status = 422
    return api.create_response(
        request, error_body(error.code, error.message, error.fields), status=status
    )


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
    fields = {}
    for problem in error.errors:
        place = ".".join(str(part) for part in problem.get("loc", [])[1:]) or "body"
        fields[place] = problem.get("msg", "Giá trị không hợp lệ")
    return api.create_response(
        request,
        error_body("invalid_input", "Dữ liệu gửi lên chưa hợp lệ.", fields),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, error_body("unauthenticated", "Cần đăng nhập (Bearer token)."), status=401
    )


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, error: Throttled) -> HttpResponse:
    return api.create_response(
        request,
        error_body("throttled", "Quá nhiều yêu cầu; hãy thử lại sau ít phút."),
        status=429,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", "Không tìm thấy."), status=404)


# Ninja's own errors, in its English words, become ours.
HTTP_ERRORS = {
    400: ("bad_request", "Nội dung gửi lên không đọc được (cần JSON hợp lệ)."),
    403: ("forbidden", "Không có quyền thực hiện việc này."),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    code, message = HTTP_ERRORS.get(error.status_code, ("http_error", str(error.message)))
    return api.create_response(request, error_body(code, message), status=error.status_code)


@api.exception_handler(SuspiciousOperation)
def suspicious(request: HttpRequest, error: SuspiciousOperation) -> HttpResponse:
    """A body over MOTCUA_REQUEST_BODY_MAX_MB (413), too many fields or files (400)."""
    if isinstance(error, RequestDataTooBig):
        return api.create_response(
            request,
            error_body("too_large", "Nội dung gửi lên lớn quá mức cho phép."),
            status=413,
        )
    return api.create_response(
        request, error_body("bad_request", "Yêu cầu không hợp lệ."), status=400
    )


@api.exception_handler(BadRequest)
@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
def unreadable(request: HttpRequest, error: Exception) -> HttpResponse:
    """A body that cannot be read: a broken multipart, a client gone mid-upload."""
    return api.create_response(
        request, error_body("bad_request", "Nội dung gửi lên không đọc được."), status=400
    )


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, error_body("forbidden", "Không có quyền thực hiện việc này."), status=403
    )


@api.exception_handler(Exception)
def server_error(request: HttpRequest, error: Exception) -> HttpResponse:
    """A fault of ours: logged with its traceback where Django logs a page's, answered in
    the API's shape with nothing of the fault in it."""
    logger.error(
        "Internal Server Error: %s", request.path, exc_info=error, extra={"request": request}
    )
    response = api.create_response(
        request,
        error_body("server_error", "Lỗi hệ thống; hãy thử lại sau hoặc báo quản trị."),
        status=500,
    )
    response._has_been_logged = True  # type: ignore[attr-defined]  # once, with the traceback
    return response


# ----------------------------------------------------------------------------- addresses
# Whatever reaches /api/v1/ answers in the API's JSON error shape, never the site's HTML pages:
# an address no endpoint serves (404) and a method an endpoint does not take (405). Each view
# first refuses text with control characters (egov.core.input_guard).

View = Callable[..., HttpResponseBase]


def _unknown_address(request: HttpRequest) -> HttpResponse:
    return api.create_response(
        request, error_body("not_found", "Không có địa chỉ này trong API."), status=404
    )


def _refuse_control_characters(request: HttpRequest) -> HttpResponse | None:
    """The address and a body that is not a form; the query and a form are the parser's
    (api_support.CheckedParser), which Ninja calls after the caller has signed in, so nobody
    makes us read an upload before that."""
    try:
        fields = address_fields(request) + body_fields(request)
    except Exception as error:  # reading the body: too large, cut off; answered as Ninja would
        return api.on_exception(request, error)
    if not fields:
        return None
    return domain_error(request, ControlCharacterError(fields))


def _api_view(view: View) -> View:
    """Refuses control characters; and Ninja answers a method that an address does not take
    with an empty text 405, which becomes the JSON error."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refused = _refuse_control_characters(request)
        if refused is not None:
            return refused
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or str(response.get("Content-Type", "")).startswith(
            "application/json"
        ):
            return response
        answer = api.create_response(
            request,
            error_body("method_not_allowed", "Địa chỉ này không nhận phương thức đó."),
            status=405,
        )
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        return answer

    return csrf_exempt(wrapper) if getattr(view, "csrf_exempt", False) else wrapper


def api_urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API's URLs for `path("api/v1/", ...)`, answering JSON for what they do not serve."""
    patterns, app_name, namespace = api.urls
    wrapped: list[URLPattern | URLResolver] = [
        URLPattern(p.pattern, _api_view(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    # Last, so it takes only what no endpoint matched.
    wrapped.append(re_path(r"", csrf_exempt(_unknown_address), name="unknown-address"))
    return wrapped, app_name, namespace
