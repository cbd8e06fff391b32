"""Reads of the accounts app that other apps use."""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet

from egov.orgs.models import Membership
from egov.orgs.policies import can_read_everything

from .models import CitizenIdentity
from .policies import administered_agency_ids


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


def accounts_visible_to(*, actor: AbstractBaseUser | AnonymousUser) -> QuerySet[User]:
    """The accounts the admin site lists for this person (egov.accounts.policies).

    Staff accounts only: an account with a role, or with a password (a new account before its
    first role). Citizens sign in with VNeID, have no password, and are nobody's to list.
    """
    staff = Membership.objects.filter(user_id=OuterRef("pk"))
    accounts = User.objects.filter(
        Exists(staff) | ~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    )
    if can_read_everything(actor):
        return accounts
    agencies = administered_agency_ids(actor)
    if not agencies:
        return accounts.none()
    served = Membership.objects.filter(user_id=OuterRef("pk"), active=True, agency_id__in=agencies)
    return accounts.filter(Exists(served))
