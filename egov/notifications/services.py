"""Writes of notices. A notice is a row in the same transaction as what caused it; the e-mail
copy leaves after commit (a convenience: the row is the record)."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from .models import StaffNotification


def staff_notify(*, recipients: list[User], title: str, body: str, link: str = "") -> int:
    StaffNotification.objects.bulk_create(
        [
            StaffNotification(recipient=user, title=title, body=body, link=link)
            for user in recipients
        ]
    )
    mails = [
        (title, f"{body}\n\n{settings.MOTCUA_PUBLIC_URL}{link}", None, [user.email])
        for user in recipients
        if user.email
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
