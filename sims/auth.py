"""The three ways the national systems authenticate: OAuth2 client credentials, Basic, API key."""

import base64
import binascii
import hmac
import secrets
import time
from urllib.parse import unquote

from sims.core import (
    AUTHEN_ERROR,
    DATA_TYPE_INVALID,
    ApiError,
    Request,
    Response,
    json_response,
    missing,
)


def same(given: str, expected: str) -> bool:
    # Constant time, so the sim does not teach clients habits that leak secrets.
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def refused(message: str, challenge: str) -> ApiError:
    return ApiError(401, AUTHEN_ERROR, message, {"WWW-Authenticate": challenge})


def basic_credentials(req: Request) -> tuple[str, str] | None:
    """(user, password) from an `Authorization: Basic` header, None when there is none."""
    scheme, _, value = req.header("Authorization").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


class TokenStore:
    """Bearer tokens of one system and when they expire (monotonic clock)."""

    def __init__(self) -> None:
        self.tokens: dict[str, float] = {}

    def clear(self) -> None:
        self.tokens.clear()

    def issue(self, ttl_s: int) -> str:
        now = time.monotonic()
        # Drop expired ones so a long demo does not grow without bound.
        self.tokens = {t: exp for t, exp in self.tokens.items() if exp > now}
        token = secrets.token_urlsafe(32)
        self.tokens[token] = now + ttl_s
        return token

    def valid(self, token: str) -> bool:
        expires = self.tokens.get(token)
        return expires is not None and expires > time.monotonic()

    def expire_all(self) -> None:
        """Makes every issued token expired (tests of token refresh)."""
        self.tokens = dict.fromkeys(self.tokens, 0.0)


def issue_token(
    req: Request, client_id: str, client_secret: str, store: TokenStore, ttl_s: int
) -> Response:
    """POST .../oauth/token, client credentials in the form body or HTTP Basic (RFC 6749 §2.3)."""
    form = req.form()
    grant = form.get("grant_type", "")
    if not grant:
        raise missing("grant_type")
    given_id, given_secret = form.get("client_id", ""), form.get("client_secret", "")
    basic = basic_credentials(req)
    if basic is not None:
        # RFC 6749 form-encodes the id and secret before Base64.
        given_id, given_secret = unquote(basic[0]), unquote(basic[1])
    if grant != "client_credentials":
        raise ApiError(400, DATA_TYPE_INVALID, "grant_type chỉ hỗ trợ client_credentials")
    if not (same(given_id, client_id) and same(given_secret, client_secret)):
        raise refused("Sai client_id hoặc client_secret", 'Basic realm="oauth"')
    token = store.issue(ttl_s)
    return json_response(
        {"access_token": token, "token_type": "Bearer", "expires_in": ttl_s},
        headers={"Cache-Control": "no-store"},
    )


def require_bearer(req: Request, store: TokenStore) -> None:
    scheme, _, token = req.header("Authorization").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise refused("Thiếu mã truy cập (Authorization: Bearer)", "Bearer")
    if not store.valid(token.strip()):
        raise refused("Mã truy cập không hợp lệ hoặc đã hết hạn", 'Bearer error="invalid_token"')


def require_basic(req: Request, user: str, password: str) -> None:
    given = basic_credentials(req)
    if given is None:
        raise refused("Thiếu thông tin xác thực (HTTP Basic)", 'Basic realm="hotich"')
    if not (same(given[0], user) and same(given[1], password)):
        raise refused("Sai tên đăng nhập hoặc mật khẩu", 'Basic realm="hotich"')


def require_api_key(req: Request, key: str) -> None:
    given = req.header("X-API-Key")
    if not given:
        raise refused("Thiếu khóa truy cập (X-API-Key)", "ApiKey")
    if not same(given, key):
        raise refused("Khóa truy cập không hợp lệ", "ApiKey")
