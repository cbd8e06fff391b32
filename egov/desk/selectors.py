"""Reads of the desk's own: the scans held for a counter intake form."""

import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from .models import HeldScan

# A held scan older than this is stale: never shown or sent, and deleted (services).
HELD_HOURS = 24


def stale_before(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(hours=HELD_HOURS)


def scans_held(
    *, actor: AbstractBaseUser | AnonymousUser, token: str, procedure_code: str
) -> dict[str, HeldScan]:
    """This officer's scans held for the form, by component; never another officer's, never
    a stale one."""
    if not actor.is_authenticated or not token:
        return {}
    scans = HeldScan.objects.filter(
        officer_id=actor.pk,
        token=token,
        procedure_code=procedure_code,
        held_at__gte=stale_before(timezone.now()),
    )
    return {scan.component: scan for scan in scans}
