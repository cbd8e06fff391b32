from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from egov.core.api_support import ErrorOut, ScopedThrottle
from egov.core.errors import NotAllowedError

from .services import api_token_issue, api_token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(key=token)
        if user is not None:
            request.user = user
        return user


class CsrfFailedError(NotAllowedError):
    def __init__(self) -> None:
        super().__init__(
            "Phiên đăng nhập gửi yêu cầu thiếu mã CSRF hợp lệ; hãy tải lại trang rồi thử lại."
        )
        self.code = "csrf_failed"


class SignedInSession(SessionAuth):
    """The session of our own pages' htmx, with its CSRF check on writes. Ninja's own checks
    the CSRF token first, so a request with no session at all got 403 "CSRF check Failed"
    where it deserves 401: here a request that is not signed in is simply not this kind of
    caller, and the CSRF check is for those that are."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailedError()
        return request.COOKIES.get(self.param_name)


# How the API at /api/v1/ knows its caller (egov.api): a bearer token for clients; the
# session (with its CSRF check) for our own pages' htmx.
AUTH = [BearerToken(), SignedInSession()]

router = Router(tags=["auth"])


class Credentials(Schema):
    username: str
    password: str
    otp: str = ""


class TokenOut(Schema):
    token: str


@router.post(
    "/token",
    # A wrong password or code is 401 here, though the operation needs no sign-in.
    response={200: TokenOut, 401: ErrorOut},
    auth=None,
    throttle=[ScopedThrottle("token", "MOTCUA_TOKEN_RATE")],
    summary="Đổi tên đăng nhập và mật khẩu lấy mã truy cập (Bearer)",
)
def token(request: HttpRequest, credentials: Credentials) -> dict[str, str]:
    key = api_token_issue(
        request=request,
        username=credentials.username,
        password=credentials.password,
        otp=credentials.otp,
    )
    return {"token": key}
