"""Reads of staff notices (a person's own, and how many of them are unread), and of the
channels a citizen's notice goes by."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, ExpressionWrapper, Q

from .addresses import email_address, mobile_number, phone_display
from .channels import CHANNELS, EMAIL, SMS, ZALO, offered
from .models import NotificationPreference, StaffNotification

if TYPE_CHECKING:
    from .services import Recipient

Actor = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class NotificationPage:
    rows: Sequence[StaffNotification]
    number: int
    has_next: bool
    unread: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def unread_count(*, actor: Actor) -> int:
    """One COUNT on the (recipient, read_at) index; 0 for anyone signed out."""
    if not actor.is_authenticated:
        return 0
    return StaffNotification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).count()


def notifications_of(*, actor: Actor, page: int = 1, per_page: int = 50) -> NotificationPage:
    """The actor's own notices, unread first, newest first within each; never anyone
    else's."""
    if not actor.is_authenticated:
        return NotificationPage(rows=[], number=1, has_next=False, unread=0)
    page = max(1, page)
    start = (page - 1) * per_page
    rows = list(
        StaffNotification.objects.filter(recipient_id=actor.pk)
        .annotate(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-unread", "-created_at", "-pk")[start : start + per_page + 1]
    )
    return NotificationPage(
        rows=rows[:per_page],
        number=page,
        has_next=len(rows) > per_page,
        unread=unread_count(actor=actor),
    )


# Without a choice of their own, a person is told by SMS and by e-mail where they have them.
DEFAULT_CHOICE = {SMS: True, ZALO: False, EMAIL: True}


@dataclass(frozen=True)
class Delivery:
    """One channel a notice goes by, and the address on it."""

    channel: str
    to: str


def _choice(preference: NotificationPreference | None) -> dict[str, bool]:
    if preference is None:
        return DEFAULT_CHOICE
    return {SMS: preference.sms, ZALO: preference.zalo, EMAIL: preference.email}


def _deliveries(choice: dict[str, bool], phone: str | None, email: str | None) -> list[Delivery]:
    found: list[Delivery] = []
    available = offered()
    for code, channel in CHANNELS.items():
        to = phone if channel.by_phone else email
        if choice[code] and to and code in available:
            found.append(Delivery(code, to))
    return found


def notification_channels(*, recipient: "Recipient") -> list[Delivery]:
    """The channels a notice to `recipient` goes by. A signed-in citizen's own choice
    applies (`NotificationPreference`); without one — or without an account — SMS when they
    have a mobile number and e-mail when they have an address; Zalo only when chosen. A
    choice that can reach nobody (SMS chosen, no mobile number) falls back to the default,
    so that a person who chose some channel is not left without word; one who chose none is
    told nothing. Unusable numbers and addresses count as none, and so do channels this
    deployment cannot send by (`channels.offered`)."""
    phone = mobile_number(recipient.phone)
    email = email_address(recipient.email)
    preference = (
        NotificationPreference.objects.filter(user_id=recipient.user_id).first()
        if recipient.user_id is not None
        else None
    )
    choice = _choice(preference)
    chosen = _deliveries(choice, phone, email)
    if chosen or not any(choice.values()):
        return chosen
    return _deliveries(DEFAULT_CHOICE, phone, email)


@dataclass(frozen=True)
class ContactChoice:
    """What the preferences page shows: the person's choice (or the default) and where each
    channel would reach them."""

    sms: bool
    zalo: bool
    email: bool
    chosen: bool  # False: nothing chosen yet, the default applies
    phone: str  # as a person reads it; "" when the identity has none
    email_address: str
    phone_usable: bool
    email_usable: bool


def contact_of(user: AbstractBaseUser | AnonymousUser) -> tuple[str, str]:
    """(phone, e-mail) of a signed-in citizen, from their e-identity (`CitizenIdentity`,
    when the accounts app has one for them), else the account's e-mail."""
    identity = getattr(user, "citizen_identity", None)
    phone = str(getattr(identity, "phone", "") or "")
    email = str(getattr(identity, "email", "") or "") or str(getattr(user, "email", "") or "")
    return phone, email


def contact_choice(*, actor: AbstractBaseUser | AnonymousUser) -> ContactChoice:
    preference = (
        NotificationPreference.objects.filter(user_id=actor.pk).first()
        if actor.pk is not None
        else None
    )
    phone, email = contact_of(actor)
    phone_usable = mobile_number(phone) is not None
    email_usable = email_address(email) is not None
    # Without a choice, what the default does for them: the channels they can be reached by.
    choice = (
        _choice(preference)
        if preference is not None
        else {
            SMS: phone_usable and SMS in offered(),
            ZALO: False,
            EMAIL: email_usable,
        }
    )
    return ContactChoice(
        sms=choice[SMS],
        zalo=choice[ZALO],
        email=choice[EMAIL],
        chosen=preference is not None,
        phone=phone_display(phone),
        email_address=email.strip(),
        phone_usable=phone_usable,
        email_usable=email_usable,
    )


def staff_email_wanted(*, actor: AbstractBaseUser) -> bool:
    """Whether an officer's notices also go to their e-mail (on unless they turned it off)."""
    return not NotificationPreference.objects.filter(user_id=actor.pk, email=False).exists()
