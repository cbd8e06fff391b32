"""Reads of the accounts app that other apps use."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef

from egov.orgs.models import Membership

from .models import CitizenIdentity


def citizen_identity(user: AbstractBaseUser | AnonymousUser) -> CitizenIdentity | None:
    """The VNeID identity of a signed-in citizen; None for the anonymous and for staff.

    Staff never sign in with VNeID (egov.accounts.vneid refuses an account with roles), so
    only a role granted afterwards could make an account both; it then counts as staff. One
    query.
    """
    if not user.is_authenticated or getattr(user, "is_staff", False):
        return None
    if getattr(user, "is_superuser", False):
        return None
    staff = Membership.objects.filter(user_id=OuterRef("user_id"))
    return (
        CitizenIdentity.objects.filter(user_id=user.pk)
        .exclude(Exists(staff))
        .select_related("user")
        .first()
    )
