"""Who may do what with agencies, staff and the calendar (DESIGN "Who may do what").

Roles belong to a membership (user × agency). `province_admin` and `auditor` reach the whole
province; the others reach their own agency. Later apps extend this module's predicates with
their own `can_<verb>(actor, obj)` in their `policies.py`, built on `has_role`.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import PROVINCE_WIDE_ROLES, Agency, Role
from .selectors import memberships_of

Actor = AbstractBaseUser | AnonymousUser


def roles_in(actor: Actor, agency: Agency) -> set[str]:
    """The roles the actor holds that act on this agency."""
    roles: set[str] = set()
    for membership in memberships_of(user=actor):
        if membership.agency_id == agency.pk or membership.role in PROVINCE_WIDE_ROLES:
            roles.add(membership.role)
    return roles


def has_role(actor: Actor, agency: Agency, *roles: str) -> bool:
    return bool(roles_in(actor, agency) & set(roles))


def is_province_admin(actor: Actor) -> bool:
    if getattr(actor, "is_superuser", False):
        return True
    return any(m.role == Role.PROVINCE_ADMIN for m in memberships_of(user=actor))


def is_staff_member(actor: Actor) -> bool:
    """Anyone with an active role in some agency: the staff pages' front door."""
    return bool(memberships_of(user=actor))


def can_read_everything(actor: Actor) -> bool:
    """Province administrators and auditors read every agency's records."""
    if getattr(actor, "is_superuser", False):
        return True
    return any(m.role in PROVINCE_WIDE_ROLES for m in memberships_of(user=actor))


def can_manage_agency(actor: Actor, agency: Agency) -> bool:
    """Agency administrators manage their own agency's staff; province admins every agency."""
    return is_province_admin(actor) or has_role(actor, agency, Role.AGENCY_ADMIN)


def can_grant_role(actor: Actor, agency: Agency, role: str) -> bool:
    """Province administrators give any role; an agency administrator gives the agency-level
    roles in their own agency, never a province-wide one (that would lift them above it)."""
    if is_province_admin(actor):
        return True
    return role not in PROVINCE_WIDE_ROLES and has_role(actor, agency, Role.AGENCY_ADMIN)


def can_manage_catalog(actor: Actor) -> bool:
    return is_province_admin(actor)


def can_manage_calendar(actor: Actor) -> bool:
    return is_province_admin(actor)
