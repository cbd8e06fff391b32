"""Writes of notices. A notice is a row in the same transaction as what caused it; the e-mail
copy leaves after commit (a convenience: the row is the record)."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from egov.orgs.models import Role

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


def province_admins_notify(*, title: str, body: str, link: str = "") -> int:
    """Tell every active province administrator (dead letters, failing partners)."""
    admins = list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.PROVINCE_ADMIN,
            memberships__active=True,
        ).distinct()
    )
    return staff_notify(recipients=admins, title=title, body=body, link=link)


def notification_mark_read(*, actor: User, notification_id: int) -> None:
    """The recipient has read it; someone else's notice is not theirs to touch."""
    StaffNotification.objects.filter(
        pk=notification_id, recipient=actor, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, actor: User) -> None:
    StaffNotification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
