"""The three ways a notice reaches a citizen: e-mail, SMS and Zalo (ZNS). Each is a connected
system of the bus's registry and an outbox topic; `citizen_notify` writes one outbox row per
channel a person gets, and the worker hands each row to its channel's adapter (`email.send`,
`sms.send`, `zalo.send`, registered as delivery routes in `NotificationsConfig.ready()`).

A row's payload is all its adapter needs, written with the event that caused it:
`{"channel", "to", "name", "subject", "text", "template", "key"}` — `to` is the e-mail
address or the mobile number as the gateways take it ("84912345678"); `text` is already
fitted to the channel. No adapter reads the database, so the HTTP ones go side by side.
"""

from dataclasses import dataclass

from django.conf import settings

EMAIL = "email"
SMS = "sms"
ZALO = "zalo"


@dataclass(frozen=True)
class Channel:
    code: str
    label: str  # as the citizen reads it
    system: str  # the registry's connected system
    topic: str  # the outbox topic, the system's service in the registry and the message log
    short: bool  # the text must fit SHORT_LIMIT (SMS, Zalo)
    by_phone: bool


CHANNELS: dict[str, Channel] = {
    SMS: Channel(SMS, "Tin nhắn SMS", "sms", "sms.send", short=True, by_phone=True),
    ZALO: Channel(ZALO, "Tin nhắn Zalo", "zalo", "zalo.zns", short=True, by_phone=True),
    # The e-mail keeps the topic it had when it was the applicant's only notice.
    EMAIL: Channel(EMAIL, "Thư điện tử", "notify", "notify.applicant", short=False, by_phone=False),
}


def offered() -> frozenset[str]:
    """The channels this deployment can send by: e-mail always (Django's mail settings); SMS
    and Zalo once their gateway has an address and the province its brandname or approved
    template. A province without an SMS contract writes no SMS rows to wait forever."""
    systems = settings.MOTCUA_LGSP_SYSTEMS
    ready = {
        EMAIL: True,
        SMS: bool((systems.get("sms") or {}).get("url") and settings.MOTCUA_SMS_BRANDNAME),
        ZALO: bool((systems.get("zalo") or {}).get("url") and settings.MOTCUA_ZALO_TEMPLATE_ID),
    }
    return frozenset(code for code, ok in ready.items() if ok)
