"""What every app's API router shares: authentication and the error shape.

Errors are JSON `{"error": {"code", "message", "fields"}}` with Vietnamese messages; a
domain error maps to its HTTP status by its kind (STYLE.md "Naming").
"""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth
from ninja.throttling import AnonRateThrottle

from egov.accounts.services import api_token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(key=token)
        if user is not None:
            request.user = user
        return user


# A bearer token for clients; the session (with its CSRF check) for our own pages' htmx.
AUTH = [BearerToken(), django_auth]


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class ScopedThrottle(AnonRateThrottle):
    """A per-client-address limit with its own counter, so one endpoint's visitors do not
    use up another's allowance. The address comes from REMOTE_ADDR, or from the proxy's
    X-Forwarded-For when NINJA_NUM_PROXIES (MOTCUA_TRUSTED_PROXIES) says how many to trust."""

    def __init__(self, scope: str, rate: str) -> None:
        self.scope = scope
        super().__init__(rate)
