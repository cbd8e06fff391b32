"""Who may see a dossier and who may act on it (DESIGN "Who may do what").

Staff see the dossiers of their agency: received at their desk, to be decided by their
agency, or with a process step at their agency. Province administrators and auditors see
all. Citizens see the dossiers they own. What a person may do is the lifecycle rule's actors
(`lifecycle.Actor`) met by the person's roles at the right agency.
"""

from egov.orgs.models import PROVINCE_WIDE_ROLES, Agency, Role
from egov.orgs.policies import Actor
from egov.orgs.selectors import memberships_of

from . import lifecycle
from .models import Dossier, ProcessTask


def _roles_by_agency(actor: Actor) -> tuple[dict[int, set[str]], bool]:
    roles: dict[int, set[str]] = {}
    province_wide = bool(getattr(actor, "is_superuser", False))
    for membership in memberships_of(user=actor):
        roles.setdefault(membership.agency_id, set()).add(membership.role)
        province_wide = province_wide or membership.role in PROVINCE_WIDE_ROLES
    return roles, province_wide


def is_staff(actor: Actor) -> bool:
    return memberships_of(user=actor).exists()


def is_reception_at(actor: Actor, desk: Agency) -> bool:
    return memberships_of(user=actor).filter(agency=desk, role=Role.RECEPTION).exists()


def can_view(actor: Actor, dossier: Dossier, open_task: ProcessTask | None = None) -> bool:
    if not actor.is_authenticated:
        return False
    if dossier.owner_id is not None and dossier.owner_id == actor.pk:
        return True
    roles, province_wide = _roles_by_agency(actor)
    if province_wide:
        return True
    agencies = {dossier.receiving_agency_id, dossier.competent_agency_id}
    if open_task is not None:
        agencies.add(open_task.agency_id)
    if agencies & roles.keys():
        return True
    return dossier.tasks.filter(agency_id__in=roles.keys()).exists()


def acting_as(
    actor: Actor | None, dossier: Dossier, open_task: ProcessTask | None
) -> set[lifecycle.Actor]:
    """The lifecycle actors this person is for this dossier right now.

    `None` is the system itself (a callback, a scheduled job).
    """
    if actor is None:
        return {lifecycle.Actor.SYSTEM}
    kinds: set[lifecycle.Actor] = set()
    if dossier.owner_id is not None and dossier.owner_id == actor.pk:
        kinds.add(lifecycle.Actor.APPLICANT)
    roles, _ = _roles_by_agency(actor)
    if Role.RECEPTION in roles.get(dossier.receiving_agency_id, set()):
        kinds.add(lifecycle.Actor.RECEPTION)
    # Specialists and leaders act where the dossier's current step is, else at the
    # competent agency (apologies and stops before any step opened there).
    working_agency = open_task.agency_id if open_task else dossier.competent_agency_id
    working_roles = roles.get(working_agency, set())
    # A clerk's step (stamping, issuing) is worked by the clerk as a specialist works theirs.
    clerk_step = open_task is not None and open_task.role == Role.CLERK
    if Role.SPECIALIST in working_roles or (clerk_step and Role.CLERK in working_roles):
        kinds.add(lifecycle.Actor.SPECIALIST)
    if Role.LEADER in working_roles or Role.LEADER in roles.get(dossier.competent_agency_id, set()):
        kinds.add(lifecycle.Actor.LEADER)
    return kinds


def can_read_agency_book(actor: Actor, agency: Agency) -> bool:
    """The tracking book (Mẫu 06) of a desk: its own staff, and province-wide readers."""
    roles, province_wide = _roles_by_agency(actor)
    return province_wide or agency.pk in roles
