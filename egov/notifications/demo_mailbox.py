"""The demo's mail server: a Django e-mail backend that hands each message to the simulators'
mailbox (`sims/mail.py`; the page "Hộp thư demo" at `<MOTCUA_SIMS_URL>/mail/`) instead of an
SMTP server, so a demo shows what was sent on a page rather than printing it on the console.

Settings choose it in `MOTCUA_MODE=demo` when no `EMAIL_URL` is set; `MOTCUA_DEMO_MAILBOX_URL`
says where the mailbox is. Every sender of mail (the notices' e-mail channel, the staff's
password reset) goes through it unchanged.

It behaves as the SMTP backend does towards its callers: the envelope (sender, every
recipient, Bcc too) and the message as bytes go in one `POST <url>/api/send`; recipients the
mailbox refuses raise `smtplib.SMTPRecipientsRefused`, a mailbox that is down or answers an
error raises another `smtplib.SMTPException` (an `OSError`), so the e-mail channel keeps a
refused address for good and tries again later otherwise. `fail_silently` swallows both.
"""

import base64
import json
import smtplib
from collections.abc import Sequence
from email.utils import parseaddr
from http.client import (  # noqa: TID251 - the demo's own simulator on this machine, not a partner
    HTTPConnection,
    HTTPException,
    HTTPSConnection,
)
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import sanitize_address

SEND_PATH = "/api/send"


class EmailBackend(BaseEmailBackend):
    def __init__(
        self,
        fail_silently: bool = False,
        *,
        url: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.url = (url or settings.MOTCUA_DEMO_MAILBOX_URL).rstrip("/")
        self.timeout = timeout or settings.EMAIL_TIMEOUT or 15

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            try:
                sent += self._send(message)
            except smtplib.SMTPException:
                if not self.fail_silently:
                    raise
        return sent

    def _send(self, message: EmailMessage) -> bool:
        recipients = message.recipients()
        if not recipients:
            return False
        encoding = message.encoding or settings.DEFAULT_CHARSET
        envelope = {
            "mail_from": _bare(message.from_email, encoding),
            "rcpt_to": [_bare(address, encoding) for address in recipients],
            "data": base64.b64encode(message.message().as_bytes(linesep="\r\n")).decode("ascii"),
        }
        status, answer = self._post(json.dumps(envelope).encode("utf-8"))
        if status == 200:
            return True
        refused = answer.get("refused") if isinstance(answer, dict) else None
        if status == 400 and isinstance(refused, dict) and refused:
            raise smtplib.SMTPRecipientsRefused(
                {address: (550, str(reason).encode()) for address, reason in refused.items()}
            )
        text = answer.get("message", "") if isinstance(answer, dict) else ""
        # 5xx: the mailbox is down for now (451, try later); a 4xx: it refuses the message.
        code = 451 if status >= 500 else 554
        raise smtplib.SMTPResponseException(code, f"Hộp thư demo trả lời {status}: {text}")

    def _post(self, body: bytes) -> tuple[int, Any]:
        parts = urlsplit(self.url)
        kind = HTTPSConnection if parts.scheme == "https" else HTTPConnection
        connection = kind(parts.hostname or "127.0.0.1", parts.port, timeout=self.timeout)
        try:
            connection.request(
                "POST",
                f"{parts.path}{SEND_PATH}",
                body=body,
                headers={"Content-Type": "application/json"},
            )
            response = connection.getresponse()
            raw = response.read()
        except (OSError, HTTPException) as error:
            raise smtplib.SMTPServerDisconnected(
                f"Không gửi được thư đến hộp thư demo ({self.url}): {error}"
            ) from error
        finally:
            connection.close()
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        return response.status, answer


def _bare(address: str, encoding: str) -> str:
    """The address alone, as SMTP's envelope carries it (`MAIL FROM:<a@b>`); what does not
    parse as one goes as written, for the mailbox to refuse."""
    bare = parseaddr(sanitize_address(address, encoding))[1]
    return bare if "@" in bare else address
