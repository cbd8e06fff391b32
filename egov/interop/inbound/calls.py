"""One inbound call as the message log will record it: started by the view wrapper
(`views.logged`), filled in as the call is understood (the authentication names the service,
the system and the party), and logged exactly once — by the wrapper, or by the service whose
effect it belongs to, in the effect's transaction."""

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest

from ..models import ConnectionAccount

# The registry's inbound services (migration 0003) and the two the bus itself answers.
STATUS_SERVICE = "dvcqg.dossier.status"
PAYMENT_SERVICE = "thue.payment.notify"
TOKEN_SERVICE = "lgsp.oauth.token"  # noqa: S105 - a service code, not a secret
UNKNOWN_SERVICE = "lgsp.unknown"
UNKNOWN_SYSTEM = "unknown"

JSON_TYPE = "application/json; charset=utf-8"


def encode(body: Mapping[str, Any]) -> bytes:
    """The bytes of every LGSP answer: the ones sent are the ones logged and replayed."""
    return json.dumps(
        body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode()


@dataclass
class InboundCall:
    request: bytes
    started: float = field(default_factory=time.monotonic)
    system: str = UNKNOWN_SYSTEM
    service: str = UNKNOWN_SERVICE
    party: str = ""
    idempotency_key: str = ""
    # Set once the call's row is in the log (committed): the wrapper then writes none.
    logged: bool = False

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


class InboundRequest(HttpRequest):
    """A request under /lgsp/, as the wrapper leaves it (and Ninja, once authenticated)."""

    lgsp_call: InboundCall
    auth: ConnectionAccount


def call_start(request: HttpRequest, *, body: bytes | None = None) -> InboundCall:
    """Attach a new call to the request. What is logged as the request: its body, or for a
    call without one (GET) its request line, so the log says what was asked."""
    raw = request.body if body is None else body
    if not raw:
        raw = f"{request.method} {request.get_full_path()}".encode()
    call = InboundCall(
        request=raw, idempotency_key=request.headers.get("Idempotency-Key", "")[:128]
    )
    cast(InboundRequest, request).lgsp_call = call
    return call


def call_of(request: HttpRequest) -> InboundCall:
    return cast(InboundRequest, request).lgsp_call
