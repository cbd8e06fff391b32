"""Reads of the accounts app that other apps use, and the lists of API tokens."""

import datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from egov.orgs.models import Membership
from egov.orgs.policies import can_read_everything

from .models import ApiToken, CitizenIdentity
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


# How long a token that stopped working (expired, revoked) stays in the lists; its row stays.
# One whose password changed shows as ended until a week after it would have expired.
API_TOKENS_SHOWN_AFTER_END = datetime.timedelta(days=7)
API_TOKENS_SHOWN = 50


def _tokens_recent() -> QuerySet[ApiToken]:
    since = timezone.now() - API_TOKENS_SHOWN_AFTER_END
    return (
        ApiToken.objects.filter(expires_at__gt=since)
        .exclude(revoked_at__lte=since)
        .order_by("-created_at", "-pk")
    )


def api_tokens_recent() -> QuerySet[ApiToken]:
    """Tokens that still work, or stopped working less than a week ago; newest first. The
    admin site's list of an account's tokens (it filters by the account itself).

    Each comes with its account (`user`, in the same query): whether a token works depends
    on the account's current password (ApiToken.works), so a list of the account being
    viewed costs one query however many tokens it shows."""
    return _tokens_recent().select_related("user")


def api_tokens_of(*, user: User) -> list[ApiToken]:
    """The account's recent tokens for its owner's page ("Tài khoản của tôi"): at most
    API_TOKENS_SHOWN, newest first. One query: each token gets `user`, the account already
    loaded with its password hash, for ApiToken.works."""
    tokens = list(_tokens_recent().filter(user_id=user.pk)[:API_TOKENS_SHOWN])
    for token in tokens:
        token.user = user
    return tokens
