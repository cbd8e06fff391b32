"""Reads of staff notices: a person's own, and how many of them are unread."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, ExpressionWrapper, Q

from .models import StaffNotification

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
