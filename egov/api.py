"""The HTTP API under /api/v1/: the root that mounts each app's router and maps errors.

OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs (served from our own
static files).
"""

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from egov.accounts.api import AUTH
from egov.accounts.api import router as accounts_router
from egov.accounts.services import BadCredentialsError, SecondFactorError
from egov.catalog.api import router as catalog_router
from egov.catalog.errors import ProcedureNotFoundError
from egov.core.api_support import error_body
from egov.core.errors import DomainError, NotAllowedError
from egov.dossiers.api import router as dossiers_router
from egov.dossiers.errors import DossierNotFoundError, StaleVersionError
from egov.orgs.api import router as orgs_router
from egov.orgs.errors import UnknownAgencyError

api = NinjaAPI(
    title="MotCua API",
    version="1",
    description="Hồ sơ, thủ tục và cơ quan của hệ thống một cửa điện tử.",
    urls_namespace="api",
    auth=AUTH,
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


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return api.create_response(
        request, error_body("http_error", str(error.message)), status=error.status_code
    )


# ----------------------------------------------------------------------------- addresses
# Whatever reaches /api/v1/ answers in the API's JSON error shape, never the site's HTML pages:
# an address no endpoint serves (404) and a method an endpoint does not take (405).

View = Callable[..., HttpResponseBase]


def _unknown_address(request: HttpRequest) -> HttpResponse:
    return api.create_response(
        request, error_body("not_found", "Không có địa chỉ này trong API."), status=404
    )


def _json_method_not_allowed(view: View) -> View:
    """Ninja answers a method that an address does not take with an empty text 405."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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
        URLPattern(p.pattern, _json_method_not_allowed(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    # Last, so it takes only what no endpoint matched.
    wrapped.append(re_path(r"", csrf_exempt(_unknown_address), name="unknown-address"))
    return wrapped, app_name, namespace
