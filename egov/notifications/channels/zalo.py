"""Zalo messages through the Zalo Notification Service (ZNS) of the province's Official
Account (connected system "zalo"): `POST <MOTCUA_LGSP_SYSTEMS["zalo"]["url"]>/message/
template` with the OA's token in Zalo's `access_token` header and `{"phone": "84…",
"template_id", "template_data", "tracking_id"}`. The province's one approved template
(`MOTCUA_ZALO_TEMPLATE_ID`) takes the person's name, the subject and the text.

Zalo answers HTTP 200 with an `error` number: 0 is sent; -124 (the token is wrong or
expired: an operator renews it) and -100 (Zalo's own failure) are tried again; any other
code refuses this message for good (a number without Zalo, a template Zalo does not know).

This is the one module of the app that talks HTTP itself: the bus's client
(`egov.interop.adapters.http.call`) cannot send Zalo's own token header. Like an adapter of
the bus it sends nothing but this request, with the bus's time-out, and reads no database.
"""

import hashlib
import json
import time
from typing import Any

import httpx  # noqa: TID251 - an outside system's adapter (DESIGN "How data flows", 5)
from django.conf import settings

from egov.interop.adapters.http import Attempt
from egov.interop.models import OutboxMessage

SYSTEM = "zalo"
PATH = "/message/template"
# Zalo's limits on the template's parameters and on a tracking id.
NAME_LIMIT = 30
SUBJECT_LIMIT = 100
TRACKING_LIMIT = 48
# Tried again: the token (an operator renews it) and Zalo's own internal error.
RETRY_CODES = frozenset({-124, -100})
_TRANSIENT_STATUS = frozenset({401, 403, 408, 425, 429})


def tracking_id(key: str) -> str:
    """The outbox row's idempotency key, or its digest when Zalo would find it too long."""
    if len(key) <= TRACKING_LIMIT:
        return key
    return "h" + hashlib.sha256(key.encode()).hexdigest()[: TRACKING_LIMIT - 1]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def request_body(message: OutboxMessage) -> dict[str, Any]:
    payload = message.payload
    return {
        "phone": payload["to"],
        "template_id": settings.MOTCUA_ZALO_TEMPLATE_ID,
        "template_data": {
            "customer_name": _cut(payload.get("name") or "ông/bà", NAME_LIMIT),
            "subject": _cut(payload["subject"], SUBJECT_LIMIT),
            "content": payload["text"],
        },
        "tracking_id": tracking_id(message.idempotency_key),
    }


def send(message: OutboxMessage) -> Attempt:
    started = time.monotonic()
    config = settings.MOTCUA_LGSP_SYSTEMS.get(SYSTEM) or {}
    body = request_body(message)
    request = json.dumps(body, ensure_ascii=False).encode()
    if not config.get("url") or not settings.MOTCUA_ZALO_TEMPLATE_ID:
        error = "Chưa cấu hình địa chỉ hoặc mẫu tin Zalo (ZNS)."
        return Attempt("retry", None, "", error, 0, request, b"", from_partner=False)
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "access_token": config.get("access_token", ""),
    }
    try:
        with httpx.Client(timeout=settings.MOTCUA_LGSP_TIMEOUT_SECONDS) as client:
            response = client.post(f"{config['url']}{PATH}", content=request, headers=headers)
    except httpx.HTTPError as error:
        text = f"{type(error).__name__}: {error}"
        return Attempt("retry", None, "", text, _ms(started), request, b"")
    return _sorted(response, request, started)


def _sorted(response: httpx.Response, request: bytes, started: float) -> Attempt:
    status = response.status_code
    try:
        parsed = response.json()
    except ValueError:
        parsed = None
    answer = parsed if isinstance(parsed, dict) else {}
    if not 200 <= status < 300:
        outcome = "retry" if status >= 500 or status in _TRANSIENT_STATUS else "rejected"
        named = str(answer.get("error_code", answer.get("error", "")))
        error = f"HTTP {status} {answer.get('message', '')}".strip()
        return Attempt(outcome, status, named, error, _ms(started), request, response.content)
    code = answer.get("error")
    if code == 0:
        return Attempt("ok", status, "0", "", _ms(started), request, response.content)
    if not isinstance(code, int):
        # Not Zalo's answer (a proxy's page?): the partner may be fine in a while.
        error = "Câu trả lời không đúng dạng của Zalo"
        return Attempt("retry", status, "", error, _ms(started), request, response.content)
    outcome = "retry" if code in RETRY_CODES else "rejected"
    error = f"Zalo {code}: {answer.get('message', '')}"
    return Attempt(outcome, status, str(code), error, _ms(started), request, response.content)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
