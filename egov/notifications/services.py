"""Writes of notices.

To staff: a row in the same transaction as what caused it; the e-mail copy leaves after
commit (a convenience: the row is the record).

To citizens (`citizen_notify`): one outbox row per channel the person gets (e-mail, SMS,
Zalo), written in the caller's transaction and delivered by the bus's worker with retries;
the text is rendered when the row is written, so it tells what was true then.
"""

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from egov.core.errors import DomainError, NotAllowedError
from egov.interop.services.outbox import Outgoing, outbox_put_once

from . import policies, selectors, texts
from .addresses import email_address, mobile_number
from .channels import CHANNELS, EMAIL, SMS, ZALO, offered
from .models import NotificationPreference, StaffNotification


def staff_notify(*, recipients: list[User], title: str, body: str, link: str = "") -> int:
    StaffNotification.objects.bulk_create(
        [
            StaffNotification(recipient=user, title=title, body=body, link=link)
            for user in recipients
        ]
    )
    # E-mail is on for an officer with an address unless they turned it off on their notices
    # page (`staff_email_choice_set`): the notice on the desk is the record either way.
    declined = set(
        NotificationPreference.objects.filter(
            user__in=[user.pk for user in recipients if user.email], email=False
        ).values_list("user_id", flat=True)
    )
    mails = [
        (title, f"{body}\n\n{settings.MOTCUA_PUBLIC_URL}{link}", None, [user.email])
        for user in recipients
        if user.email and user.pk not in declined
    ]
    if mails:
        transaction.on_commit(lambda: send_mass_mail(tuple(mails), fail_silently=True))
    return len(recipients)


def staff_alert(
    *,
    recipients: list[User],
    title: str,
    body: str,
    link: str = "",
    quiet: datetime.timedelta | None = None,
) -> int:
    """A notice from the system (the bus registers it as its alert sender, see
    `egov.interop.services.alerts`): with `quiet`, nothing is sent when a notice with the same
    title went out that recently, to anyone. Returns how many people were told."""
    if quiet is not None:
        since = timezone.now() - quiet
        if StaffNotification.objects.filter(title=title, created_at__gte=since).exists():
            return 0
    return staff_notify(recipients=recipients, title=title, body=body, link=link)


def notification_mark_read(*, actor: User, notification_id: int) -> None:
    """The recipient has read it; someone else's notice is not theirs to touch."""
    StaffNotification.objects.filter(
        pk=notification_id, recipient=actor, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, actor: User) -> None:
    StaffNotification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@dataclass(frozen=True)
class Recipient:
    """Who a notice to a citizen is for, and where they can be reached."""

    name: str
    phone: str = ""
    email: str = ""
    user_id: int | None = None  # a signed-in citizen: their channel choices apply


# Room in the outbox's idempotency key (128) for the channel's suffix.
KEY_LIMIT = 100


def _row_key(key: str, channel: str) -> str:
    return f"{key}:{channel}"


def _ordering_key(channel: str, to: str) -> str:
    """One person's notices on one channel leave in the order they were written; other
    people's, and the same person's other channels, do not wait for them. The address is
    kept out of the key (it is shown to operators) by its digest."""
    return f"notify:{channel}:{hashlib.sha256(to.encode()).hexdigest()[:32]}"


def citizen_notify(
    *, recipient: Recipient, template: str, context: dict[str, Any], key: str
) -> int:
    """Tell a citizen something by the channels they get (`selectors.notification_channels`).

    Renders the Django template `<template>.txt` as plain text (no HTML escaping): its first
    line is the subject, the rest the short text (at most 480 characters for SMS and Zalo,
    cut at a word if longer, keeping a last line that is a link; e-mail gets it whole). Writes
    one outbox row per channel in the caller's transaction (or its own): the notice leaves
    only if the caller's change commits. `key` names the cause (a dossier's event, a
    booking): the same key again writes nothing. Returns the number of rows written (0 when
    the person can be reached by no channel)."""
    key = key.strip()
    if not key or len(key) > KEY_LIMIT:
        raise ValueError(f"citizen_notify: the key must have 1 to {KEY_LIMIT} characters")
    # No savepoint: inside the caller's transaction the rows are simply part of it.
    with transaction.atomic(savepoint=False):
        deliveries = selectors.notification_channels(recipient=recipient)
        if not deliveries:
            return 0
        rendered = texts.render(template, context)
        name = texts.clean(" ".join(recipient.name.split()))[:255]
        # One statement for every channel; nothing if the key was used before.
        return outbox_put_once(
            [
                Outgoing(
                    system=channel.system,
                    topic=channel.topic,
                    ordering_key=_ordering_key(channel.code, delivery.to),
                    idempotency_key=_row_key(key, channel.code),
                    payload={
                        "channel": channel.code,
                        "to": delivery.to,
                        "name": name,
                        "subject": rendered.subject,
                        "text": rendered.short if channel.short else rendered.text,
                        "template": template,
                        "key": key,
                    },
                )
                for delivery in deliveries
                for channel in [CHANNELS[delivery.channel]]
            ]
        )


class ChannelChoiceError(DomainError):
    def __init__(self, message: str, *, fields: dict[str, str]) -> None:
        super().__init__(message, code="channel_choice", fields=fields)


@transaction.atomic(durable=True)
def staff_email_choice_set(*, actor: User, email: bool) -> NotificationPreference:
    """An officer chooses whether their notices (work handed to them, the bus's alerts,
    feedback to answer) also come by e-mail. Turning it on needs an address on the account."""
    if not policies.can_choose_staff_email(actor):
        raise NotAllowedError("Chỉ cán bộ được chọn nhận thông báo công việc qua thư điện tử.")
    if email and email_address(actor.email) is None:
        raise ChannelChoiceError(
            "Tài khoản của bạn chưa có địa chỉ thư điện tử; hãy nhờ quản trị cập nhật.",
            fields={EMAIL: "Tài khoản của bạn chưa có địa chỉ thư điện tử."},
        )
    preference, _ = NotificationPreference.objects.update_or_create(
        user_id=actor.pk, defaults={"email": email, "sms": False, "zalo": False}
    )
    return preference


@transaction.atomic(durable=True)
def notification_preference_set(
    *, actor: AbstractBaseUser | AnonymousUser, email: bool, sms: bool, zalo: bool
) -> NotificationPreference:
    """A signed-in citizen chooses how they are told. A channel that cannot reach them (SMS
    or Zalo without a mobile number in their e-identity, e-mail without an address) is
    refused, with the field that says so; choosing none is allowed (they follow their
    dossiers on the portal). A channel this deployment does not send by is stored as not
    chosen."""
    if not policies.can_choose_channels(actor):
        raise NotAllowedError("Chỉ người dân đăng nhập bằng tài khoản của mình được chọn.")
    available = offered()  # a channel the page does not offer is not chosen
    sms, zalo, email = sms and SMS in available, zalo and ZALO in available, email
    phone, address = selectors.contact_of(actor)
    problems: dict[str, str] = {}
    if (sms or zalo) and mobile_number(phone) is None:
        text = "Tài khoản của ông/bà chưa có số điện thoại di động nên không nhận được tin "
        if sms:
            problems[SMS] = text + "SMS."
        if zalo:
            problems[ZALO] = text + "Zalo."
    if email and email_address(address) is None:
        problems[EMAIL] = "Tài khoản của ông/bà chưa có địa chỉ thư điện tử."
    if problems:
        raise ChannelChoiceError(next(iter(problems.values())), fields=problems)
    preference, _ = NotificationPreference.objects.update_or_create(
        user_id=actor.pk, defaults={"email": email, "sms": sms, "zalo": zalo}
    )
    return preference
