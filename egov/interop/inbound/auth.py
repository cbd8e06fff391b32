"""Who is calling, and may they: the bearer access token (django-oauth-toolkit, client
credentials), the connection account behind it, the account's rate, and the scope of the
endpoint's service. In that order, so a call refused for its scope still counts against the
rate, and every refusal is an `InboundError` the API answers in the LGSP style."""

from typing import Any, ClassVar

from django.http import HttpRequest
from ninja.security.base import AuthBase
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_backends import get_oauthlib_core

from egov.core.ratelimit import allow_key, parse_rate

from ..models import ConnectionAccount
from .calls import call_of
from .errors import AuthenError, PermissionDeniedError, RateLimitedError
from .selectors import account_for_application, inbound_service_get

TOKEN_URL = "/lgsp/oauth/token/"  # noqa: S105 - an address, not a secret


class LgspAuth(AuthBase):
    """The check of one endpoint, which calls `service` (a registry code)."""

    openapi_type = "oauth2"
    openapi_description = (
        "OAuth2 client credentials: lấy mã truy cập tại /lgsp/oauth/token/ bằng client_id và "
        "client_secret của tài khoản kết nối, rồi gửi tiêu đề Authorization: Bearer <mã>. "
        "Mỗi dịch vụ cần một phạm vi (scope) đã được cấp cho tài khoản."
    )
    openapi_flows: ClassVar[dict[str, Any]] = {
        "clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": {}}
    }

    def __init__(self, service: str) -> None:
        self.service = service
        super().__init__()

    def __call__(self, request: HttpRequest) -> ConnectionAccount:
        call = call_of(request)
        call.service = self.service
        account, token_scopes = _authenticate(request)
        call.system = account.system.code
        call.party = account.application.client_id
        _count(account)
        _authorise(account, token_scopes, self.service)
        return account


def _authenticate(request: HttpRequest) -> tuple[ConnectionAccount, frozenset[str]]:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenError("Thiếu mã truy cập: cần tiêu đề Authorization: Bearer <access_token>.")
    # The library checks the token as it issued it: known, not expired, its client usable.
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        raise AuthenError("Mã truy cập không hợp lệ hoặc đã hết hạn.")
    access_token = oauth_request.access_token
    account = account_for_application(application_id=access_token.application_id)
    client_credentials = get_application_model().GRANT_CLIENT_CREDENTIALS
    if (
        account is None
        or not account.active
        or account.application.authorization_grant_type != client_credentials
    ):
        raise AuthenError("Tài khoản kết nối không tồn tại hoặc đã bị khóa.")
    return account, frozenset(access_token.scope.split())


def _count(account: ConnectionAccount) -> None:
    """A fixed window per account at the account's rate ("120/m"), counted where every
    process sees it (egov.core.ratelimit)."""
    limit, seconds = parse_rate(account.rate)
    if not allow_key(scope="lgsp", key=account.application.client_id, rate=account.rate):
        raise RateLimitedError(
            f"Tài khoản kết nối đã gửi quá {limit} yêu cầu trong {seconds} giây; hãy thử lại sau.",
            retry_after=seconds,
        )


def _authorise(account: ConnectionAccount, token_scopes: frozenset[str], code: str) -> None:
    """The service's scope must be granted to the account, carried by the token, and the
    service offered (active)."""
    service = inbound_service_get(code=code)
    if service is None or not service.active or not service.scope:
        raise PermissionDeniedError(f"Dịch vụ {code} đang tạm ngừng cung cấp.")
    if service.scope not in account.scope_set:
        raise PermissionDeniedError(
            f"Tài khoản kết nối chưa được cấp phạm vi {service.scope} ({service.name})."
        )
    if service.scope not in token_scopes:
        raise PermissionDeniedError(
            f"Mã truy cập không có phạm vi {service.scope}; "
            f"hãy xin mã mới với scope={service.scope}."
        )
