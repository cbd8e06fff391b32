from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema

from egov.core.api_support import ScopedThrottle

from .services import api_token_issue

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
