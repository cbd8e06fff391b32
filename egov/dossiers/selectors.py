"""Reads of dossiers."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from egov.core.hashchain import verify
from egov.orgs.models import PROVINCE_WIDE_ROLES
from egov.orgs.policies import Actor
from egov.orgs.selectors import memberships_of

from . import policies
from .errors import DossierNotFoundError
from .models import Dossier, DossierDocument, DossierEvent, ProcessTask


def dossier_locate(*, key: str) -> Dossier:
    """The dossier by its code, or by its provisional reference before it has one.

    No visibility check: for services, which check the policy themselves.
    """
    try:
        return Dossier.objects.get(code=key)
    except Dossier.DoesNotExist:
        pass
    try:
        reference = uuid.UUID(key)
    except ValueError:
        raise DossierNotFoundError from None
    try:
        return Dossier.objects.get(reference=reference)
    except Dossier.DoesNotExist:
        raise DossierNotFoundError from None


def open_task_of(dossier: Dossier) -> ProcessTask | None:
    return dossier.tasks.filter(finished_at__isnull=True).select_related("agency").first()


def dossier_get(*, actor: Actor, key: str) -> Dossier:
    """The dossier if this person may see it; DossierNotFoundError otherwise, so nobody
    learns whether a code exists."""
    dossier = dossier_locate(key=key)
    if not policies.can_view(actor, dossier, open_task_of(dossier)):
        raise DossierNotFoundError
    return dossier


def event_chain_breaks(*, batch: int = 500) -> Iterator[tuple[str, int | None, str]]:
    """For every dossier: (its code or reference, the first broken event's index or None,
    why). Reads the events in dossier order, a batch of dossiers at a time."""
    dossiers = Dossier.objects.order_by("pk").only("pk", "code", "reference")
    for dossier in dossiers.iterator(chunk_size=batch):
        events = DossierEvent.objects.filter(dossier=dossier).order_by("seq")
        found = verify((e.prev_hash, e.hash, e.chained_content()) for e in events.iterator())
        label = dossier.code or str(dossier.reference)
        yield (label, found.position, found.reason) if found else (label, None, "")


def _visible_to(actor: Actor) -> QuerySet[Dossier]:
    """Dossiers this person may see, as one query (DESIGN: authorisation in the query)."""
    dossiers = Dossier.objects.all()
    if getattr(actor, "is_superuser", False):
        return dossiers
    memberships = list(memberships_of(user=actor))
    if any(m.role in PROVINCE_WIDE_ROLES for m in memberships):
        return dossiers
    agencies = {m.agency_id for m in memberships}
    if not agencies:
        return dossiers.filter(owner_id=actor.pk)
    return dossiers.filter(
        Q(receiving_agency_id__in=agencies)
        | Q(competent_agency_id__in=agencies)
        | Q(pk__in=ProcessTask.objects.filter(agency_id__in=agencies).values("dossier_id"))
    )


@dataclass(frozen=True)
class WorklistFilters:
    status: str = ""
    overdue: bool | None = None
    due_soon: bool | None = None
    procedure: str = ""
    search: str = ""


def dossier_worklist(
    *, actor: Actor, filters: WorklistFilters, after_id: int | None, limit: int
) -> list[Dossier]:
    """A page of the dossiers this person may see, newest first, from after a cursor."""
    dossiers = _visible_to(actor)
    if filters.status:
        dossiers = dossiers.filter(status=filters.status)
    if filters.overdue is not None:
        dossiers = dossiers.filter(overdue=filters.overdue)
    if filters.due_soon is not None:
        dossiers = dossiers.filter(due_soon=filters.due_soon)
    if filters.procedure:
        dossiers = dossiers.filter(procedure__national_code=filters.procedure)
    if term := filters.search.strip():
        dossiers = dossiers.filter(
            Q(code=term) | Q(applicant_id_number=term) | Q(applicant_name__icontains=term)
        )
    if after_id is not None:
        dossiers = dossiers.filter(pk__lt=after_id)
    return list(
        dossiers.select_related("procedure", "receiving_agency", "competent_agency").order_by(
            "-pk"
        )[:limit]
    )


def dossier_events(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.order_by("seq")


def document_get(*, actor: Actor, key: str, document_uuid: str) -> DossierDocument:
    """A file of a dossier this person may see; DossierNotFoundError otherwise."""
    dossier = dossier_get(actor=actor, key=key)
    try:
        return dossier.documents.get(uuid=uuid.UUID(document_uuid))
    except (ValueError, DossierDocument.DoesNotExist):
        raise DossierNotFoundError from None
