"""How the outbox worker delivers notices to citizens: one route per channel, each sending
the row's payload through its adapter (`channels/`), registered with the bus in
`NotificationsConfig.ready()`.

Rows written before the channels existed (topic "notify.applicant", payload `{"dossier",
"event", "action"}`: an e-mail to be worded at sending) are worded now, with today's
templates, and go as e-mail as they would have."""

from typing import Any

from egov.dossiers.models import Dossier
from egov.interop.adapters.http import Attempt
from egov.interop.models import OutboxMessage
from egov.interop.services import delivery

from . import texts
from .addresses import email_address
from .channels import CHANNELS, EMAIL, SMS, ZALO, email, sms, zalo
from .handlers import TEMPLATES, notice_context, notice_for


def applicant_notice_send(message: OutboxMessage) -> Attempt:
    """An e-mail notice; a row from before the channels is worded first."""
    if "channel" in message.payload:
        return email.send(message)
    payload = _legacy_payload(message.payload)
    if payload is None:
        answer = "Không gửi: hồ sơ không có thư điện tử."
        return Attempt("ok", None, "no_channel", answer, 0, b"", answer.encode())
    message.payload = payload  # this try only: the row is not saved with it
    return email.send(message)


def _legacy_payload(old: dict[str, Any]) -> dict[str, str] | None:
    dossier = (
        Dossier.objects.select_related("procedure", "receiving_agency")
        .filter(pk=old.get("dossier"))
        .first()
    )
    to = email_address(dossier.applicant_email) if dossier is not None else None
    event = dossier.events.filter(seq=old.get("event")).first() if dossier is not None else None
    if dossier is None or event is None or to is None:
        return None
    notice = notice_for(event, dossier)
    if notice is None:
        return None
    rendered = texts.render(f"{TEMPLATES}/{notice}", notice_context(event, dossier))
    return {
        "channel": EMAIL,
        "to": to,
        "name": dossier.applicant_name,
        "subject": rendered.subject,
        "text": rendered.text,
        "template": f"{TEMPLATES}/{notice}",
        "key": f"notify:{dossier.pk}:{event.seq}",
    }


ROUTES = {
    # The mail server is not an HTTP partner to send to side by side.
    EMAIL: delivery.Route(send=applicant_notice_send, concurrent=False),
    # HTTP only, no database: side by side.
    SMS: delivery.Route(send=sms.send),
    ZALO: delivery.Route(send=zalo.send),
}


def routes_register() -> None:
    """Idempotent: `ready()` may run more than once."""
    for code, route in ROUTES.items():
        delivery.route_register(CHANNELS[code].topic, route)
