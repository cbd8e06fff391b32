from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer, django_auth

from egov.core.api_support import ScopedThrottle

from .services import api_token_issue, api_token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(key=token)
        if user is not None:
            request.user = user
        return user


# How the API at /api/v1/ knows its caller (egov.api): a bearer token for clients; the
# session (with its CSRF check) for our own pages' htmx.
AUTH = [BearerToken(), django_auth]

router = Router(tags=["auth"])


class Credentials(Schema):
    username: str
    password: str
    otp: str = ""


class TokenOut(Schema):
    token: str


@router.post(
    "/token",
    response=TokenOut,
    auth=None,
    throttle=[ScopedThrottle("token", settings.MOTCUA_TOKEN_RATE)],
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
