"""Who may look after whose account (the admin site's user pages).

A province administrator looks after every account but a superuser's; an agency
administrator, the accounts whose every active role is an agency-level role in an agency they
administer, so nobody reaches, through someone else's password, further than their own role;
auditors read. Only a superuser looks after a superuser. An account's API tokens are its
owner's to revoke, and whoever looks after the account.
"""

from django.contrib.auth.models import AbstractBaseUser

from egov.orgs import policies as org_policies
from egov.orgs.models import PROVINCE_WIDE_ROLES, Membership, Role
from egov.orgs.selectors import memberships_of

Actor = org_policies.Actor


def can_read_accounts(actor: Actor) -> bool:
    """Whether the admin site's list of accounts opens at all for this person."""
    return org_policies.can_read_everything(actor) or administered_agency_ids(actor) != []


def administered_agency_ids(actor: Actor) -> list[int]:
    """The agencies where the actor holds the agency administrator's role."""
    return [
        membership.agency_id
        for membership in memberships_of(user=actor)
        if membership.role == Role.AGENCY_ADMIN
    ]


def can_manage_account(actor: Actor, account: AbstractBaseUser) -> bool:
    """Change the account's details, switch it off or set a new password for it."""
    if getattr(actor, "is_superuser", False):
        return True
    if getattr(account, "is_superuser", False):
        return False
    if org_policies.is_province_admin(actor):
        return True
    managed = set(administered_agency_ids(actor))
    if not managed:
        return False
    roles = list(
        Membership.objects.filter(user_id=account.pk, active=True).values_list("agency_id", "role")
    )
    return bool(roles) and all(
        agency_id in managed and role not in PROVINCE_WIDE_ROLES for agency_id, role in roles
    )


def can_create_account(actor: Actor) -> bool:
    return org_policies.is_province_admin(actor)


def can_revoke_api_tokens(actor: Actor, account: AbstractBaseUser) -> bool:
    """See and revoke the account's API tokens: its owner, or whoever manages the account."""
    if actor.is_authenticated and actor.pk == account.pk:
        return True
    return can_manage_account(actor, account)
