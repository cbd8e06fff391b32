"""Who may see a dossier and who may act on it (DESIGN "Who may do what").

Staff see the dossiers of their agency: received at their desk, to be decided by their
agency, or with a process step at their agency. Province administrators and auditors see
all. Citizens see the dossiers they own. `visible_q` says it once, for a list and for one.
What a person may do is the lifecycle rule's actors (`lifecycle.Actor`) met by the person's
roles at the right agency.
"""

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet

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
    return bool(memberships_of(user=actor))


def is_reception_at(actor: Actor, desk: Agency) -> bool:
    return any(
        m.agency_id == desk.pk and m.role == Role.RECEPTION for m in memberships_of(user=actor)
    )


def applicant_q(actor: Actor) -> Q:
    """The dossiers whose applicant this person is: those they own (submitted online), and,
    once their national e-identity is verified at level 2, those received anywhere (a desk,
    the post, the national portal) for their personal ID number, or for the tax code of the
    organisation they represent. A level-1 sign-in proves no identity: own dossiers only."""
    own = Q(owner_id=actor.pk)
    identity = getattr(actor, "citizen_identity", None)
    if identity is None or identity.level < 2:
        return own
    if identity.kind == "organisation":
        return own | Q(applicant_tax_code=identity.org_tax_code, applicant_type__in=[2, 3, 4])
    return own | Q(applicant_id_number=identity.id_number, applicant_type=1)


def is_applicant(actor: Actor, dossier: Dossier) -> bool:
    if dossier.owner_id is not None and dossier.owner_id == actor.pk:
        return True
    if not actor.is_authenticated:
        return False
    return Dossier.objects.filter(applicant_q(actor), pk=dossier.pk).exists()


def visible_q(actor: Actor) -> Q:
    """The dossiers this person may see, as a condition on Dossier: the one source for both
    the worklists and the single-dossier check (DESIGN: authorisation in the query).

    Province-wide roles (and superusers) see all; staff see what was received at, is decided
    by, or has (had) a step at one of their agencies; everyone sees the dossiers they own.
    A person with no active membership is a citizen: the dossiers they are the applicant of
    (`applicant_q`)."""
    if not actor.is_authenticated:
        return Q(pk__in=[])
    roles, province_wide = _roles_by_agency(actor)
    if province_wide:
        return Q()
    if not roles:
        return applicant_q(actor)
    own = Q(owner_id=actor.pk)
    agencies = list(roles)
    # A step at the receiving desk or the competent body adds nothing to the first two.
    partner_steps = ProcessTask.objects.filter(agency_id__in=agencies, elsewhere=True)
    return (
        own
        | Q(receiving_agency_id__in=agencies)
        | Q(competent_agency_id__in=agencies)
        | Q(pk__in=partner_steps.values("dossier_id"))
    )


def visible_ids_among(actor: Actor, statuses: Sequence[str]) -> QuerySet[Any] | None:
    """`visible_q` among the dossiers of these statuses, as one list of ids that each index
    finds on its own (by agency and status, by owner, the partner steps): for counting the
    few open dossiers of a desk among a million, where `visible_q`'s OR of a subquery makes
    the database read every open dossier of the province. The partner steps' dossiers come
    whatever their status: the caller filters by status too. None where no such list
    narrows anything: province-wide roles, citizens, the signed out."""
    if not actor.is_authenticated:
        return None
    roles, province_wide = _roles_by_agency(actor)
    if province_wide or not roles:
        return None
    agencies = list(roles)
    among = Dossier.objects.filter(status__in=statuses).order_by()
    return (
        among.filter(owner_id=actor.pk)
        .values("pk")
        .union(
            among.filter(receiving_agency_id__in=agencies).values("pk"),
            among.filter(competent_agency_id__in=agencies).values("pk"),
            # Read from the index alone: the caller filters by status.
            ProcessTask.objects.filter(agency_id__in=agencies, elsewhere=True)
            .order_by()
            .values("dossier_id"),
        )
    )


def can_view(actor: Actor, dossier: Dossier) -> bool:
    return Dossier.objects.filter(visible_q(actor), pk=dossier.pk).exists()


def acting_as(
    actor: Actor | None, dossier: Dossier, open_task: ProcessTask | None
) -> set[lifecycle.Actor]:
    """The lifecycle actors this person is for this dossier right now.

    `None` is the system itself (a callback, a scheduled job). A step is done only by its
    role at its agency (`STEP`); only the competent agency's leaders are `LEADER`.
    """
    if actor is None:
        return {lifecycle.Actor.SYSTEM}
    kinds: set[lifecycle.Actor] = set()
    roles, _ = _roles_by_agency(actor)
    if (dossier.owner_id is not None and dossier.owner_id == actor.pk) or (
        not roles and is_applicant(actor, dossier)
    ):
        kinds.add(lifecycle.Actor.APPLICANT)
    if Role.RECEPTION in roles.get(dossier.receiving_agency_id, set()):
        kinds.add(lifecycle.Actor.RECEPTION)
    if open_task is not None:
        step_roles = roles.get(open_task.agency_id, set())
        # A partner agency's leader answers for their agency's inter-agency step: they send
        # it forward or back. At the competent agency each step is its role's alone.
        partner_leader = (
            open_task.agency_id != dossier.competent_agency_id and Role.LEADER in step_roles
        )
        if open_task.role in step_roles or partner_leader:
            kinds.add(lifecycle.Actor.STEP)
    # Specialists act where the dossier's current step is, else at the competent agency.
    working_agency = open_task.agency_id if open_task else dossier.competent_agency_id
    if Role.SPECIALIST in roles.get(working_agency, set()):
        kinds.add(lifecycle.Actor.SPECIALIST)
    if Role.LEADER in roles.get(dossier.competent_agency_id, set()):
        kinds.add(lifecycle.Actor.LEADER)
    return kinds


def can_assign(actor: Actor, dossier: Dossier, task: ProcessTask) -> bool:
    """Who gives an open step to an officer: a leader of the step's agency, or of the
    competent agency."""
    roles, _ = _roles_by_agency(actor)
    return Role.LEADER in roles.get(task.agency_id, set()) or Role.LEADER in roles.get(
        dossier.competent_agency_id, set()
    )


def can_read_agency_book(actor: Actor, agency: Agency) -> bool:
    """The tracking book (Mẫu 06) of a desk: its own staff, and province-wide readers."""
    roles, province_wide = _roles_by_agency(actor)
    return province_wide or agency.pk in roles
