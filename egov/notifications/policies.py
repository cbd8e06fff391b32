"""Who may do what with notifications."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from egov.orgs.policies import is_staff_member

Actor = AbstractBaseUser | AnonymousUser


def can_choose_channels(actor: Actor) -> bool:
    """A signed-in citizen chooses how they are told; staff accounts are not citizens'."""
    if not actor.is_authenticated:
        return False
    if getattr(actor, "is_staff", False) or getattr(actor, "is_superuser", False):
        return False
    return not is_staff_member(actor)


def can_choose_staff_email(actor: Actor) -> bool:
    """An officer chooses whether their desk notices also come by e-mail."""
    return actor.is_authenticated and is_staff_member(actor)
