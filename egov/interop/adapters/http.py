"""The one HTTP client to connected systems: sign-in by the registry's authentication kind,
time-outs, and an answer sorted into ok / retry / rejected. Only the adapters use it, and
only the adapters may import an HTTP library (ruff's banned-api enforces it).

One `httpx.Client` per system and process keeps connections open between calls; OAuth2
access tokens are kept until shortly before they expire, and fetched again when the partner
says 401.
"""

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from .. import registry_snapshot
from ..models import AuthKind

_clients: dict[str, httpx.Client] = {}
_tokens: dict[str, tuple[str, float]] = {}
_lock = threading.Lock()

# Answers worth trying again: the partner is busy, down or timed out; or our credentials were
# refused, which an operator can mend without losing the message.
_TRANSIENT = frozenset({401, 403, 408, 425, 429})


class NotConfiguredError(Exception):
    """The system has no address in this deployment's settings."""


@dataclass(frozen=True)
class Attempt:
    """What one request gave: `ok`, `retry` (transient) or `rejected` (the partner refused
    this message for good), with what the message log keeps of it. A service that refuses
    what an `ok` answer says marks it `disputed` before it is logged (the tax payment read)."""

    outcome: str
    status: int | None
    code: str
    error: str
    duration_ms: int
    request: bytes
    response: bytes
    # False when the try failed on our side before the partner was reached or asked: the
    # partner's circuit breaker does not hear of it.
    from_partner: bool = True


@dataclass(frozen=True)
class Answer:
    attempt: Attempt
    body: Any  # the JSON answer, or None


def _config(system: str) -> dict[str, str]:
    config = settings.MOTCUA_LGSP_SYSTEMS.get(system) or {}
    if not config.get("url"):
        raise NotConfiguredError(system)
    return config


def _client(system: str) -> httpx.Client:
    with _lock:
        client = _clients.get(system)
        if client is None:
            client = httpx.Client(timeout=settings.MOTCUA_LGSP_TIMEOUT_SECONDS)
            _clients[system] = client
        return client


def _token(system: str, config: dict[str, str], *, fresh: bool) -> str:
    cached = _tokens.get(system)
    if cached and not fresh and cached[1] > time.monotonic():
        return cached[0]
    answer = _client(system).post(
        f"{config['url']}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": config.get("client_id", ""),
            "client_secret": config.get("client_secret", ""),
        },
    )
    answer.raise_for_status()
    body = answer.json()
    # Ten seconds early, so a token never expires on its way.
    _tokens[system] = (body["access_token"], time.monotonic() + int(body["expires_in"]) - 10)
    return str(body["access_token"])


def _headers(system: str, kind: str, config: dict[str, str], *, fresh: bool) -> dict[str, str]:
    if kind == AuthKind.OAUTH2_CLIENT:
        return {"Authorization": f"Bearer {_token(system, config, fresh=fresh)}"}
    if kind == AuthKind.API_KEY:
        return {"X-API-Key": config.get("api_key", "")}
    return {}


def call(
    system: str,
    method: str,
    path: str,
    *,
    body: dict[str, Any] | None = None,
    idempotency_key: str = "",
) -> Answer:
    """One request to a connected system; never raises for the partner's sake."""
    started = time.monotonic()
    request = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    try:
        config = _config(system)
        kind = registry_snapshot.auth_kind(system)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        auth = (
            httpx.BasicAuth(config.get("user", ""), config.get("password", ""))
            if kind == AuthKind.BASIC
            else None
        )
        response = None
        for fresh in (False, True):
            response = _client(system).request(
                method,
                f"{config['url']}{path}",
                content=request or None,
                headers=headers | _headers(system, kind, config, fresh=fresh),
                auth=auth,
            )
            # A token the partner forgot (it restarted, say): fetch a new one, once.
            if response.status_code != 401 or kind != AuthKind.OAUTH2_CLIENT:
                break
        assert response is not None  # noqa: S101 - the loop ran at least once
    except NotConfiguredError:
        return _failed(request, started, "Chưa cấu hình địa chỉ hệ thống này.", partner=False)
    except (httpx.HTTPError, ValueError, KeyError) as error:
        return _failed(request, started, f"{type(error).__name__}: {error}")
    return _sorted(request, response, started)


def _failed(request: bytes, started: float, error: str, *, partner: bool = True) -> Answer:
    return Answer(
        Attempt(
            outcome="retry",
            status=None,
            code="",
            error=error,
            duration_ms=_ms(started),
            request=request,
            response=b"",
            from_partner=partner,
        ),
        None,
    )


def _sorted(request: bytes, response: httpx.Response, started: float) -> Answer:
    try:
        parsed = response.json()
    except ValueError:
        parsed = None
    code = str(parsed.get("error_code", "")) if isinstance(parsed, dict) else ""
    message = str(parsed.get("message", "")) if isinstance(parsed, dict) else ""
    status = response.status_code
    if 200 <= status < 300:
        outcome, error = "ok", ""
    else:
        transient = status >= 500 or status in _TRANSIENT
        outcome = "retry" if transient else "rejected"
        error = f"HTTP {status}" + (f" [{code}] {message}" if code or message else "")
    return Answer(
        Attempt(
            outcome=outcome,
            status=status,
            code=code,
            error=error,
            duration_ms=_ms(started),
            request=request,
            response=response.content,
        ),
        parsed,
    )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def reset_clients() -> None:
    """Forget open connections and tokens (tests that restart a simulator use it)."""
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
        _tokens.clear()
