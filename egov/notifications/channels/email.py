"""E-mail, through Django's mail settings (`EMAIL_URL`: SMTP in production, the console in
the demo, memory in tests). The mail server is not an HTTP partner to send to side by side:
its route delivers one message at a time."""

import json
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMessage

from egov.interop.adapters.http import Attempt
from egov.interop.models import OutboxMessage

FOOTER = "Thư này được gửi tự động, xin ông/bà không trả lời thư này."


def body_of(payload: dict[str, str]) -> str:
    greeting = f"Kính gửi {payload['name']}," if payload.get("name") else "Kính gửi ông/bà,"
    return f"{greeting}\n\n{payload['text']}\n\n--\n{settings.MOTCUA_SITE_NAME}\n{FOOTER}\n"


def send(message: OutboxMessage) -> Attempt:
    started = time.monotonic()
    payload = message.payload
    request = json.dumps(
        {"to": payload["to"], "subject": payload["subject"], "key": message.idempotency_key},
        ensure_ascii=False,
    ).encode()
    mail = EmailMessage(payload["subject"], body_of(payload), to=[payload["to"]])
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as error:  # the server will never take this address
        return Attempt("rejected", 550, "", _text(error), _ms(started), request, b"")
    except OSError as error:  # the mail server is down or refused for now: try again later
        return Attempt("retry", None, "", _text(error), _ms(started), request, b"")
    return Attempt("ok", 250, "", "", _ms(started), request, b"sent")


def _text(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
