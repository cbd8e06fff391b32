"""Who may do what with feedback (DESIGN "Who may do what", built on egov.orgs.policies).

Leaders, specialists and reception officers of the handling agency see its feedback,
classify, reject and answer it; its leaders publish (their approval of the answer); province
administrators and auditors see every agency's, and province administrators move a feedback
to another agency. Everyone else gets 404, as if it did not exist.
"""

from django.db.models import Q

from egov.orgs.models import PROVINCE_WIDE_ROLES, Agency, Role
from egov.orgs.policies import Actor, has_role, is_province_admin
from egov.orgs.selectors import memberships_of

from .lifecycle import Actor as RuleActor
from .models import Feedback

HANDLER_ROLES = (Role.LEADER, Role.SPECIALIST, Role.RECEPTION)


def handling_agency_ids(actor: Actor) -> set[int]:
    """The agencies whose feedback this person handles."""
    return {
        membership.agency_id
        for membership in memberships_of(user=actor)
        if membership.role in HANDLER_ROLES
    }


def visible_q(actor: Actor) -> Q:
    """Said once, for the queue and for the single feedback; one query."""
    if not actor.is_authenticated:
        return Q(pk__in=[])
    if getattr(actor, "is_superuser", False):
        return Q()
    memberships = list(memberships_of(user=actor))
    if any(membership.role in PROVINCE_WIDE_ROLES for membership in memberships):
        return Q()
    return Q(agency_id__in={m.agency_id for m in memberships if m.role in HANDLER_ROLES})


def can_view(actor: Actor, feedback: Feedback) -> bool:
    return Feedback.objects.filter(visible_q(actor), pk=feedback.pk).exists()


def can_handle(actor: Actor, agency: Agency) -> bool:
    return has_role(actor, agency, *HANDLER_ROLES)


def can_publish(actor: Actor, agency: Agency) -> bool:
    return has_role(actor, agency, Role.LEADER)


def can_reassign(actor: Actor) -> bool:
    return is_province_admin(actor)


def is_one_of(actor: Actor, actors: frozenset[RuleActor], agency: Agency) -> bool:
    """Whether the person is one of a lifecycle rule's actors for this handling agency."""
    return any(
        (who is RuleActor.HANDLER and can_handle(actor, agency))
        or (who is RuleActor.LEADER and can_publish(actor, agency))
        or (who is RuleActor.PROVINCE_ADMIN and can_reassign(actor))
        for who in actors
    )


def can_edit_public(actor: Actor, feedback: Feedback) -> bool:
    """The public version is edited by the handlers until it is published, then by its
    leaders only (it is on the portal)."""
    if feedback.status == "published":
        return can_publish(actor, feedback.agency)
    return feedback.status in {"received", "accepted", "answered"} and can_handle(
        actor, feedback.agency
    )
