"""The one door: `dossier_perform` is the only way a dossier's status changes."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from egov.core.errors import NotAllowedError
from egov.core.hashchain import GENESIS, entry_hash
from egov.orgs.selectors import working_calendar

from .. import handlers, lifecycle, policies
from ..errors import (
    DossierNotFoundError,
    StaleVersionError,
)
from ..lifecycle import Action, Status
from ..models import (
    Dossier,
    DossierEvent,
    ProcessTask,
)
from ..selectors import (
    dossier_facts,
    dossier_locate,
    known_children,
    officer_label,
    open_task_of,
    remember_children,
    remember_open_task,
)
from .effects import EFFECTS, ActionContext


@transaction.atomic(durable=True)
def dossier_perform(
    *,
    key: str,
    action: Action | str,
    actor: User | None,
    version: int,
    note: str = "",
    **params: Any,
) -> Dossier:
    """Take an action on a dossier, known by its code (or its reference before it has one).

    `actor=None` is the system (a signed callback, a scheduled job). Raises
    DossierNotFoundError (not visible), StaleVersionError, IllegalActionError,
    NotAllowedError, DossierRuleError.
    """
    found = dossier_locate(key=key)
    dossier = Dossier.objects.select_for_update().get(pk=found.pk)
    if actor is not None and not policies.can_view(actor, dossier):
        raise DossierNotFoundError
    if dossier.version != version:
        raise StaleVersionError(dossier.version)
    return _perform_locked(dossier, action=action, actor=actor, note=note, params=params)


def _perform_locked(
    dossier: Dossier,
    *,
    action: Action | str,
    actor: User | None,
    note: str,
    params: dict[str, Any],
    fresh: bool = False,
    unwritten: Sequence[DossierEvent] = (),
) -> Dossier:
    """`fresh`: the dossier was created in this very transaction, so it has no task,
    supplement or earlier step to read back (the intake's receipt saves those reads).
    `unwritten`: the events before this one in the chain that the caller left unwritten
    (the intake's submission), written with it in one statement."""
    open_task = None if fresh else open_task_of(dossier)
    source = Status(dossier.status)
    rule = lifecycle.rule_for(source, action, dossier_facts(dossier, open_task))
    if not rule.actors & policies.acting_as(actor, dossier, open_task):
        raise NotAllowedError("Bạn không có quyền thực hiện thao tác này với hồ sơ này.")
    context = ActionContext(
        dossier=dossier,
        actor=actor,
        now=timezone.now(),
        calendar=working_calendar(),
        open_task=open_task,
        note=note.strip(),
        params=params,
        target=rule.target,
        fresh=fresh,
    )
    EFFECTS[rule.action](context)
    dossier.status = rule.target
    dossier.version += 1
    event = _write_event(
        dossier,
        step=open_task,
        actor=actor,
        action=rule.action.value,
        source=source,
        target=rule.target,
        at=context.now,
        note=context.note,
        payload=context.payload,
        write=not unwritten,
    )
    if unwritten:
        DossierEvent.objects.bulk_create([*unwritten, event])
    # The whole row, which this transaction holds locked: the effects touch many fields.
    dossier.save()
    remember_open_task(dossier, context.open_task)
    if fresh:  # every task and event it has are these (see `remember_children`)
        earlier = known_children(dossier, "events", dossier.events.all())
        remember_children(
            dossier,
            tasks=[context.open_task] if context.open_task else [],
            events=[*earlier, event],
        )
    handlers.dispatch(event)
    return dossier


def _write_event(
    dossier: Dossier,
    *,
    step: ProcessTask | None,
    actor: User | None,
    action: str,
    source: str,
    target: str,
    at: datetime.datetime,
    note: str,
    payload: dict[str, Any],
    write: bool = True,
) -> DossierEvent:
    """Append one event to the dossier's chain. The dossier keeps the chain's head (number
    and hash); the caller saves the dossier, whose row it holds locked. `write=False`: the
    caller writes the event itself, later in the same transaction (`_perform_locked`'s
    `unwritten`); nothing reads an event back before its transaction ends."""
    event = DossierEvent(
        dossier=dossier,
        seq=dossier.event_seq + 1,
        action=action,
        from_status=source,
        to_status=target,
        actor=actor,
        actor_label=officer_label(actor, agencies=_agencies_of(dossier, step)),
        at=at,
        note=note,
        payload=payload,
        prev_hash=dossier.event_head or GENESIS,
    )
    event.hash = entry_hash(event.prev_hash, event.chained_content())
    if write:
        event.save()
    dossier.event_seq, dossier.event_head = event.seq, event.hash
    return event


def _agencies_of(dossier: Dossier, step: ProcessTask | None) -> list[int]:
    """Where a person acting on the dossier works, most specific first: the agency of the
    step they acted at, the competent agency, the receiving desk."""
    agencies = [step.agency_id] if step else []
    return [*agencies, dossier.competent_agency_id, dossier.receiving_agency_id]
