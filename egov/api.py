"""The HTTP API under /api/v1/: the root that mounts each app's router and maps errors.

OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs (served from our own
static files).
"""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from egov.accounts.api import router as accounts_router
from egov.accounts.services import BadCredentialsError, SecondFactorError
from egov.catalog.api import router as catalog_router
from egov.catalog.errors import ProcedureNotFoundError
from egov.core.api_support import AUTH, error_body
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
