"""What every app's API router shares: the error shape and the throttle. (Who the caller is,
a bearer token or the session, is the accounts app's: `egov.accounts.api.AUTH`.)

Errors are JSON `{"error": {"code", "message", "fields"}}` with Vietnamese messages; a
domain error maps to its HTTP status by its kind (STYLE.md "Naming").
"""

from typing import Any

from ninja.throttling import AnonRateThrottle


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class ScopedThrottle(AnonRateThrottle):
    """A per-client-address limit with its own counter, so one endpoint's visitors do not
    use up another's allowance. The address comes from REMOTE_ADDR, or from the proxy's
    X-Forwarded-For when NINJA_NUM_PROXIES (MOTCUA_TRUSTED_PROXIES) says how many to trust."""

    def __init__(self, scope: str, rate: str) -> None:
        self.scope = scope
        super().__init__(rate)
