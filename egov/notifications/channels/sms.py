"""SMS through the province's brandname gateway (connected system "sms"), by the bus's HTTP
client: `POST <MOTCUA_LGSP_SYSTEMS["sms"]["url"]>/api/send` with the `X-API-Key` header (the
registry's kind for the system, `api_key`) and `{"brandname", "phone", "message",
"request_id"}`; the gateway answers `{"message_id", "segments"}`. `request_id` is the outbox
row's idempotency key: a try repeated after a lost answer sends nothing twice. A refusal (4xx:
a number the networks do not know, a text too long) is for good; 5xx, time-outs and a refused
key are tried again."""

from django.conf import settings

from egov.interop.adapters import http
from egov.interop.adapters.http import Attempt
from egov.interop.models import OutboxMessage

SYSTEM = "sms"
PATH = "/api/send"


def request_body(message: OutboxMessage) -> dict[str, str]:
    payload = message.payload
    return {
        "brandname": settings.MOTCUA_SMS_BRANDNAME,
        "phone": payload["to"],
        "message": payload["text"],
        "request_id": message.idempotency_key,
    }


def send(message: OutboxMessage) -> Attempt:
    if not settings.MOTCUA_SMS_BRANDNAME:
        error = "Chưa cấu hình tên thương hiệu SMS (MOTCUA_SMS_BRANDNAME)."
        return Attempt("retry", None, "", error, 0, b"", b"", from_partner=False)
    answer = http.call(
        SYSTEM,
        "POST",
        PATH,
        body=request_body(message),
        idempotency_key=message.idempotency_key,
    )
    return answer.attempt
