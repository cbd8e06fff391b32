"""Reads of dossiers."""

import contextlib
import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Subquery
from django.utils import timezone

from egov.catalog.models import Procedure
from egov.catalog.selectors import procedures_by_id
from egov.core.hashchain import verify
from egov.core.templatetags.vn_format import vn_date
from egov.core.text import fold
from egov.orgs.errors import UnknownAgencyError
from egov.orgs.models import Agency, AgencyKind, Role
from egov.orgs.policies import Actor
from egov.orgs.selectors import agencies_by_id, agency_get, memberships_of

from .. import lifecycle, policies
from ..errors import DossierNotFoundError
from ..models import (
    Apology,
    Dossier,
    DossierDocument,
    DossierEvent,
    ProcessTask,
    SupplementRequest,
)
from .dashboard import Dashboard as Dashboard
from .dashboard import agency_dashboard as agency_dashboard
from .dashboard import is_overdue, overdue_q


def dossier_locate(*, key: str) -> Dossier:
    """The dossier by its code, or by its provisional reference before it has one.

    No visibility check: for services, which check the policy themselves.
    """
    by_code = Dossier.objects.filter(code=key).first()
    if by_code is not None:
        return by_code
    try:
        reference = uuid.UUID(key)
    except ValueError:
        raise DossierNotFoundError from None
    by_reference = Dossier.objects.filter(reference=reference).first()
    if by_reference is None:
        raise DossierNotFoundError
    return by_reference


def officer_label(actor: Any, *, agencies: list[int]) -> str:
    """A person as the event log, the forms and the national portal name them: the full name
    and, for an officer, the title held at the agency concerned ("Trần Văn Minh, Phó Chủ
    tịch") — never a login. The system acts as "Hệ thống"."""
    if actor is None:
        return "Hệ thống"
    # Staff accounts carry their names (create_staff asks for one); an account created
    # without one is named by its login rather than left anonymous in the log.
    name = " ".join(actor.get_full_name().split()) or actor.get_username()
    titles = {
        m.agency_id: m.title
        for m in memberships_of(user=actor)
        if m.agency_id in agencies and m.title
    }
    title = next((titles[agency] for agency in agencies if agency in titles), "")
    return f"{name}, {title}" if title else name


def open_task_of(dossier: Dossier) -> ProcessTask | None:
    """The dossier's open step, with its agency and assignee. A dossier the door has just
    moved carries it (`remember_open_task`): the door's own transaction wrote it, and
    reading it back would cost a query for what is known."""
    version, known = getattr(dossier, _OPEN_TASK, (None, None))
    if version == dossier.version:  # not once the instance is refreshed to a later state
        return known
    # At most one step is open (process_task_one_open): no order to compile or sort.
    found = list(
        dossier.tasks.filter(finished_at__isnull=True).select_related("assignee").order_by()[:1]
    )
    if not found:
        return None
    task = found[0]
    task.agency = _agency_by_id(task.agency_id)
    return task


def _agency_by_id(pk: int) -> Agency:
    """From the reference cache; one made after this request read it, from the database."""
    agency = agencies_by_id().get(pk)
    return agency if agency is not None else Agency.objects.get(pk=pk)


_OPEN_TASK = "_open_task_after_action"


def remember_children(dossier: Dossier, **children: list[Any]) -> None:
    """Child rows of a dossier created in this very transaction, every one of them, kept on
    the instance (Django's prefetch cache: `dossier.fees.all()` answers from it), so the
    handlers that describe a new dossier do not read back what was just written."""
    cache = dossier.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in children.items():
        cache.pop(name, None)
        # As prefetch_related leaves it: the relation's queryset, already evaluated.
        known = getattr(dossier, name).all()
        known._result_cache = list(rows)
        known._prefetch_done = True
        cache[name] = known


def known_children(dossier: Dossier, name: str, query: QuerySet[Any]) -> list[Any]:
    """The dossier's `name` rows as `remember_children` kept them (in the related model's
    order), else as `query` reads them."""
    cache = getattr(dossier, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else list(query)


def remember_open_task(dossier: Dossier, task: ProcessTask | None) -> None:
    """What the door left open on this instance of the dossier (see `open_task_of`)."""
    setattr(dossier, _OPEN_TASK, (dossier.version, task))  # as of this version


# A procedure whose limit is this many working hours or fewer gives its result at the desk
# (giải quyết ngay): a decision of ours, documented in docs/ARCHITECTURE.md.
IMMEDIATE_RESULT_HOURS = Decimal(4)


def process_steps(dossier: Dossier) -> list[dict[str, Any]]:
    """The process as it stood when the dossier was received (its procedure revision)."""
    steps: list[dict[str, Any]] = dossier.procedure_revision.content["steps"]
    return steps


def is_immediate_result(content: dict[str, Any]) -> bool:
    limit = content["time_limit"]
    return limit["unit"] == "hours" and Decimal(str(limit["value"])) <= IMMEDIATE_RESULT_HOURS


def step_applies(step: dict[str, Any], form_data: dict[str, Any]) -> bool:
    """A conditional step (`when`: an e-form field) runs only when that field is ticked or
    filled: permanent-residence registration only when the applicant asked for it."""
    field = step.get("when")
    return not field or bool(form_data.get(field))


def applicable_positions(dossier: Dossier) -> list[int]:
    """The positions (from 1) of the steps this dossier goes through."""
    return [
        position
        for position, step in enumerate(process_steps(dossier), start=1)
        if step_applies(step, dossier.form_data)
    ]


def signing_position(dossier: Dossier, positions: list[int] | None = None) -> int:
    """Where the result is signed: the last leader's step, or the last step when none is."""
    steps = process_steps(dossier)
    positions = positions if positions is not None else applicable_positions(dossier)
    leaders = [position for position in positions if steps[position - 1]["role"] == "leader"]
    return leaders[-1] if leaders else positions[-1]


def reopenable_before(
    dossier: Dossier, position: int, positions: list[int] | None = None
) -> list[int]:
    """The steps before `position` that a send-back may reopen: never the desk's (step 1),
    and once the result is signed never the signing step or any before it."""
    positions = positions if positions is not None else applicable_positions(dossier)
    floor = signing_position(dossier, positions) if dossier.result_signed else 1
    return [earlier for earlier in positions if floor < earlier < position]


def open_supplement_of(dossier: Dossier) -> SupplementRequest | None:
    """The supplement request the applicant has yet to satisfy, if any."""
    return (
        dossier.supplements.filter(completed_at__isnull=True, superseded=False)
        .order_by("requested_at", "pk")
        .last()
    )


def dossier_facts(dossier: Dossier, open_task: ProcessTask | None) -> lifecycle.Facts:
    """What the lifecycle's guards need to know of a dossier now."""
    positions = applicable_positions(dossier)
    position = open_task.position if open_task else 0
    supplement = (
        open_supplement_of(dossier)
        if dossier.status == lifecycle.Status.SUPPLEMENT_REQUESTED
        else None
    )
    return lifecycle.Facts(
        supplement_at_intake=bool(supplement and supplement.at_intake),
        immediate_result=is_immediate_result(dossier.procedure_revision.content),
        has_next_step=any(later > position for later in positions),
        has_previous_step=bool(reopenable_before(dossier, position, positions)),
        at_signing_step=open_task is not None and position == signing_position(dossier, positions),
        step_open=open_task is not None,
        result_signed=dossier.result_signed,
        # Handed in: the officer decides on it, the deadline no longer runs against it.
        supplement_lapsed=bool(
            supplement
            and supplement.answered_at is None
            and supplement.deadline
            and supplement.deadline <= timezone.now()
        ),
    )


def actions_available(*, actor: Actor, dossier: Dossier) -> list[lifecycle.Rule]:
    """Exactly the actions this person may take on this dossier now: the lifecycle's rules from
    its status whose guard holds and whose actors the person is. The door checks the same."""
    open_task = open_task_of(dossier)
    facts = dossier_facts(dossier, open_task)
    kinds = policies.acting_as(actor, dossier, open_task)
    available = []
    for rule in lifecycle.rules_from(lifecycle.Status(dossier.status)):
        if rule.guard is not None and not rule.guard(facts):
            continue
        if rule.actors & kinds:
            available.append(rule)
    return available


def step_agency(dossier: Dossier, step: dict[str, Any], position: int) -> Agency:
    """The agency that holds a process step of this dossier: the desk that received it for
    the intake step (step 1) and for a commune service centre's step, the agency the
    catalogue names, else the competent agency."""
    if position == 1:
        return dossier.receiving_agency
    if step.get("agency"):
        return agency_get(code=step["agency"])
    if step["agency_kind"] == AgencyKind.COMMUNE_SERVICE_CENTER:
        return dossier.receiving_agency
    return dossier.competent_agency


@dataclass(frozen=True)
class Handover:
    """Where an action sends a dossier: the step it opens and the agency that holds it.
    `position` 0 is no step: the result is ready and waits at the desk that returns it."""

    position: int
    step: str
    agency: Agency


def handover_of(
    *, dossier: Dossier, rule: lifecycle.Rule, open_task: ProcessTask | None
) -> Handover | None:
    """Where taking this rule (one `actions_available` offers) would send the dossier, for
    the desk to name it on the button: the next step for a transfer, a forward or a signing
    with steps after it, the step reopened by a send-back, the receiving desk for an action
    that makes the result ready. None for an action that leaves the dossier where it is.
    Read-only; the effects open the same step when the action is taken."""
    if rule.target == lifecycle.Status.RESULT_READY:
        return Handover(position=0, step="Trả kết quả", agency=dossier.receiving_agency)
    position = open_task.position if open_task else 1
    if rule.action == lifecycle.Action.TRANSFER:
        # The desk's step hands over to the first step after it, as `_transfer` does.
        later = [p for p in applicable_positions(dossier) if p > 1]
        target = later[0] if later else None
    elif rule.action in (lifecycle.Action.FORWARD, lifecycle.Action.APPROVE):
        if rule.target != lifecycle.Status.PROCESSING:
            return None
        later = [p for p in applicable_positions(dossier) if p > position]
        target = later[0] if later else None
    elif rule.action == lifecycle.Action.SEND_BACK:
        earlier = reopenable_before(dossier, position)
        target = earlier[-1] if earlier else None
    else:
        return None
    if target is None:
        return None
    step = process_steps(dossier)[target - 1]
    return Handover(position=target, step=step["name"], agency=step_agency(dossier, step, target))


def dossier_get(*, actor: Actor, key: str) -> Dossier:
    """The dossier if this person may see it, with its procedure (and sector) and agencies
    from the reference cache; DossierNotFoundError otherwise, so nobody learns whether a code
    exists. One query: the visibility is a condition of it, found by its code, else its
    provisional reference."""
    by_key = Q(code=key)
    with contextlib.suppress(ValueError):
        by_key |= Q(reference=uuid.UUID(key))
    # A code or a reference names one dossier: no order to compile or sort.
    found = list(_visible_to(actor).filter(by_key).order_by()[:1])
    if not found:
        raise DossierNotFoundError
    return _with_reference(found)[0]


def event_chain_breaks(*, batch: int = 500) -> Iterator[tuple[str, int | None, str]]:
    """For every dossier: (its code or reference, the first broken event's index or None,
    why). A chain must verify link by link and end at the head the dossier keeps, so a log
    cut short is found as surely as a log changed."""
    dossiers = Dossier.objects.order_by("pk").only(
        "pk", "code", "reference", "event_seq", "event_head"
    )
    for dossier in dossiers.iterator(chunk_size=batch):
        events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
        label = dossier.code or str(dossier.reference)
        found = verify((e.prev_hash, e.hash, e.chained_content()) for e in events)
        if found:
            yield label, found.position, found.reason
        elif len(events) != dossier.event_seq or (events and events[-1].hash != dossier.event_head):
            yield label, len(events), "nhật ký bị cắt ngắn hoặc thiếu sự kiện cuối"
        else:
            yield label, None, ""


def _visible_to(actor: Actor) -> QuerySet[Dossier]:
    return Dossier.objects.filter(policies.visible_q(actor))


@dataclass(frozen=True)
class WorklistFilters:
    status: str = ""
    overdue: bool | None = None
    due_soon: bool | None = None
    procedure: str = ""
    search: str = ""
    tab: str = ""
    channel: str = ""
    sector: str = ""
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    agency_id: int | None = None


# The desk's worklist tabs, in the order they are shown, with their labels.
TABS = {
    "mine": "Việc của tôi",
    "agency": "Việc của cơ quan",
    "unassigned": "Chưa giao",
    "intake": "Chờ tiếp nhận trực tuyến",
    "due_soon": "Sắp đến hạn",
    "overdue": "Quá hạn",
    "supplement": "Chờ bổ sung",
    "obligation": "Chờ nghĩa vụ tài chính",
    "to_return": "Chờ trả kết quả",
    "all": "Tất cả",
}


def _tab_conditions(actor: Actor, agency_id: int | None = None) -> dict[str, Q]:
    """Each tab as a condition on the dossiers the person sees (one place for list and count).
    With `agency_id` (the agency a person with several has chosen), "my agency's" tabs are
    that agency's only."""
    memberships = list(memberships_of(user=actor))
    agencies = [m.agency_id for m in memberships]
    if agency_id in agencies:
        agencies = [agency_id]
    # A leader's step nobody was given (several leaders share the agency) waits for any of
    # them to sign: it is each one's own work, not a "to assign" item.
    leading = [
        m.agency_id for m in memberships if m.role == Role.LEADER and m.agency_id in agencies
    ]
    now = timezone.now()
    open_tasks = ProcessTask.objects.filter(finished_at__isnull=True)
    at_my_agencies = open_tasks.filter(agency_id__in=agencies)
    to_sign = Q(assignee__isnull=True, role=Role.LEADER, agency_id__in=leading)
    # A supplement the applicant handed in waits for the officer who asked (DOMAIN §3).
    answered = SupplementRequest.objects.filter(
        requested_by_id=actor.pk,
        answered_at__isnull=False,
        completed_at__isnull=True,
        superseded=False,
    )
    return {
        # Steps given to me on dossiers that wait for us, not for the applicant or a payment.
        # One list of ids, so the few rows are found first, not filtered out of all of them.
        "mine": Q(
            pk__in=open_tasks.filter(
                Q(assignee_id=actor.pk) | to_sign,
                dossier__status__in=[lifecycle.Status.RECEIVED, lifecycle.Status.PROCESSING],
            )
            .order_by()  # a part of a UNION has no order of its own (SQLite refuses one)
            .values("dossier_id")
            .union(
                answered.filter(dossier__status=lifecycle.Status.SUPPLEMENT_REQUESTED)
                .order_by()
                .values("dossier_id")
            )
        ),
        "agency": Q(pk__in=at_my_agencies.values("dossier_id")),
        # A leader's signing step is already under "mine" for every leader of the agency.
        "unassigned": Q(
            pk__in=at_my_agencies.filter(assignee__isnull=True)
            .exclude(to_sign)
            .values("dossier_id")
        ),
        "intake": Q(status=lifecycle.Status.SUBMITTED, channel="online"),
        # Never both "due soon" and "overdue", whatever the stored flag has not caught up on.
        "due_soon": Q(due_soon=True) & ~overdue_q(now),
        # The dashboard's "Quá hạn" counts the same (selectors.dashboard).
        "overdue": overdue_q(now),
        "supplement": Q(status=lifecycle.Status.SUPPLEMENT_REQUESTED),
        "obligation": Q(status=lifecycle.Status.AWAITING_OBLIGATION),
        "to_return": Q(status=lifecycle.Status.RESULT_READY),
        "all": Q(),
    }


# Every tab but "Tất cả" holds work still to do: dossiers that have not ended.
_OPEN = [status for status in lifecycle.Status if status not in lifecycle.FINAL]


def worklist_counts(*, actor: Actor, agency_id: int | None = None) -> dict[str, int | None]:
    """How many dossiers each tab holds: one query, whatever the number of tabs, over the
    dossiers still open (the indexes by agency and status find them among a million). "Tất
    cả" (every dossier the person may see, over the years) is not counted: it is no work to
    do, and counting it would read every one of them on every page (None: no number)."""
    conditions = _tab_conditions(actor, agency_id)
    del conditions["all"]
    ids = policies.visible_ids_among(actor, _OPEN)
    dossiers = _visible_to(actor) if ids is None else Dossier.objects.filter(pk__in=ids)
    counts = dossiers.filter(status__in=_OPEN).aggregate(
        **{tab: Count("pk", filter=condition) for tab, condition in conditions.items()}
    )
    return {tab: (counts[tab] or 0) if tab in counts else None for tab in TABS}


_NOT_LISTED = ("form_data", "received_papers", "search_text")


def _with_reference(rows: list[Dossier]) -> list[Dossier]:
    """Each row's procedure and agencies from the process's reference cache, not joined in
    the query: a list reads the dossier table alone (its plan then never depends on how well
    the database guesses a join's size), and no row carries the same agency again. One
    made after this request read the cache is read from the database."""
    procedures, agencies = procedures_by_id(), agencies_by_id()
    missing = {row.procedure_id for row in rows} - procedures.keys()
    if missing:
        procedures = {**procedures, **Procedure.objects.select_related("sector").in_bulk(missing)}
    wanted = {row.receiving_agency_id for row in rows} | {row.competent_agency_id for row in rows}
    if wanted - agencies.keys():
        agencies = {**agencies, **Agency.objects.in_bulk(wanted - agencies.keys())}
    for row in rows:
        row.procedure = procedures[row.procedure_id]
        row.receiving_agency = agencies[row.receiving_agency_id]
        row.competent_agency = agencies[row.competent_agency_id]
    return rows


def dossier_worklist(
    *, actor: Actor, filters: WorklistFilters, after: str | None, limit: int
) -> list[Dossier]:
    """A page of the dossiers this person may see, from after a cursor (the reference of the
    last row of the page before): newest first, but the online intake queue oldest first and
    the overdue ones (tab or filter) the longest overdue first."""
    dossiers = _visible_to(actor)
    if filters.tab in TABS:
        dossiers = dossiers.filter(_tab_conditions(actor, filters.agency_id)[filters.tab])
    if filters.channel:
        dossiers = dossiers.filter(channel=filters.channel)
    if filters.sector:
        dossiers = dossiers.filter(procedure__sector__code=filters.sector)
    if filters.received_from:
        dossiers = dossiers.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        dossiers = dossiers.filter(received_at__date__lte=filters.received_to)
    if filters.status:
        dossiers = dossiers.filter(status=filters.status)
    now = timezone.now()
    if filters.overdue is not None:
        late = overdue_q(now)
        dossiers = dossiers.filter(late) if filters.overdue else dossiers.exclude(late)
    if filters.due_soon is not None:
        dossiers = dossiers.filter(due_soon=filters.due_soon)
    if filters.procedure:
        dossiers = dossiers.filter(procedure__national_code=filters.procedure)
    # Every word, accents or not, as the start of a word of the code, name or ID number.
    for word in fold(filters.search).split()[:8]:
        dossiers = dossiers.filter(search_text__contains=f" {word}")
    # Newest first; the online intake queue oldest first, as it is served; the overdue ones
    # the longest overdue first (and so read from the index of running clocks by due time,
    # not found by walking a million dossiers newest first).
    oldest_first = filters.tab == "intake"
    late_first = filters.tab == "overdue" or filters.overdue is True
    if after:
        # The page after a dossier named by its reference; an unknown one pages past the end.
        try:
            reference = uuid.UUID(after)
        except ValueError:
            return []
        if late_first:
            last = Dossier.objects.filter(reference=reference).values("due_at", "pk").first()
            if last is None or last["due_at"] is None:
                return []
            dossiers = dossiers.filter(
                Q(due_at__gt=last["due_at"]) | Q(due_at=last["due_at"], pk__gt=last["pk"])
            )
        else:
            pk = Subquery(Dossier.objects.filter(reference=reference).values("pk")[:1])
            dossiers = dossiers.filter(pk__gt=pk) if oldest_first else dossiers.filter(pk__lt=pk)
    order = ("due_at", "pk") if late_first else ("pk",) if oldest_first else ("-pk",)
    # A list shows none of the long texts and documents: never read them.
    rows = _with_reference(list(dossiers.defer(*_NOT_LISTED).order_by(*order)[:limit]))
    # The rows say "Quá hạn" exactly when the tab and the dashboard count them (overdue_q),
    # not as the last run of `deadlines_flag` left the stored flag.
    for row in rows:
        row.overdue = is_overdue(row, now)
    return rows


def intake_deadlines(*, dossiers: list[Dossier]) -> dict[int, datetime.datetime]:
    """When each online dossier waiting at the desk should have been checked: its submission
    plus the province's intake allowance in working hours (MOTCUA_ONLINE_INTAKE_SLA_HOURS)."""
    from django.conf import settings

    from egov.orgs.selectors import working_calendar

    calendar = working_calendar()
    minutes = settings.MOTCUA_ONLINE_INTAKE_SLA_HOURS * 60
    return {
        dossier.pk: calendar.add_working_time(dossier.submitted_at, minutes)
        for dossier in dossiers
        if dossier.status == lifecycle.Status.SUBMITTED
    }


def dossier_events(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.order_by("seq")


def document_get(*, actor: Actor, key: str, document_uuid: str) -> DossierDocument:
    """A file of a dossier this person may see; DossierNotFoundError otherwise."""
    dossier = dossier_get(actor=actor, key=key)
    try:
        return dossier.documents.get(uuid=uuid.UUID(document_uuid))
    except (ValueError, DossierDocument.DoesNotExist):
        raise DossierNotFoundError from None


def dossier_public_get(*, code: str) -> Dossier:
    """What anyone holding a dossier's code may look up. By its code only: the provisional
    reference of an online dossier is its owner's, not the public's. In any letter case, as
    people type it ("h01" for "H01")."""
    # Codes are unique: no order to compile or sort; the procedure and agencies come from the
    # reference cache.
    found = list(Dossier.objects.filter(code=code.strip().upper()).order_by()[:1])
    if not found:
        raise DossierNotFoundError
    return _with_reference(found)[0]


def agency_book_get(*, actor: Actor, code: str) -> Agency:
    """The desk whose tracking book (Mẫu 06) this person may print; UnknownAgencyError for any
    other, as if it did not exist."""
    agency = agency_get(code=code)
    if not policies.can_read_agency_book(actor, agency):
        raise UnknownAgencyError(code)
    return agency


def assignable_officers(*, task: ProcessTask) -> list[Any]:
    """The people a leader may give this step to: its agency's holders of its role."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            memberships__agency_id=task.agency_id,
            memberships__role=task.role,
            memberships__active=True,
        )
        .order_by("username")
        .distinct()
    )


def dossier_page_parts(*, dossier: Dossier) -> dict[str, Any]:
    """Everything the dossier page shows besides the dossier, each in one query."""
    content = dossier.procedure_revision.content
    names = {document["code"]: document["name"] for document in content["documents"]}
    answers = []
    for field in content.get("form_schema", {}).get("fields", []):
        value = dossier.form_data.get(field["name"])
        if value in (None, ""):
            continue
        if field.get("type") == "select":
            value = dict(field.get("choices", [])).get(value, value)
        elif field.get("type") == "checkbox":
            value = "Có" if value else "Không"
        elif field.get("type") == "date":
            value = vn_date(value)  # kept as ISO text, shown as 16/11/2026
        answers.append((field.get("label", field["name"]), value))
    documents = list(dossier.documents.order_by("uploaded_at", "pk"))
    for document in documents:
        document.component_name = names.get(document.component, "Giấy tờ khác")  # type: ignore[attr-defined]
    events = list(dossier.events.order_by("seq"))
    for event in events:
        event.label = lifecycle.EVENT_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
    return {
        "form_answers": answers,
        "events": events,
        "tasks": list(
            dossier.tasks.select_related("agency", "assignee").order_by("started_at", "pk")
        ),
        "documents": documents,
        "fees": list(dossier.fees.order_by("pk")),
        "supplements": list(dossier.supplements.order_by("requested_at")),
        "apology": Apology.objects.filter(dossier=dossier).first(),
    }


def applicant_from_earlier(*, actor: Actor, id_number: str) -> Dossier | None:
    """The latest dossier received at one of this officer's own desks from the applicant with
    this personal ID: what the counter fills the intake form from. Reception officers only,
    and only their desks' dossiers: the applicant stood at that counter before."""
    if not id_number.isascii() or not id_number.isdigit() or len(id_number) != 12:
        return None
    desks = [m.agency_id for m in memberships_of(user=actor) if m.role == "reception"]
    return (
        Dossier.objects.filter(receiving_agency_id__in=desks, applicant_id_number=id_number)
        .order_by("-pk")
        .first()
    )


def procedures_for_desk(*, actor: Actor, query: str, limit: int = 30) -> list[Any]:
    """The counter's procedure search: accents or not, those this officer's desks received
    most in the last 90 days first."""
    from egov.catalog.selectors import procedure_search

    desks = [m.agency_id for m in memberships_of(user=actor) if m.role == "reception"]
    since = timezone.now() - datetime.timedelta(days=90)
    used = Count(
        "dossiers",
        filter=Q(dossiers__receiving_agency_id__in=desks, dossiers__submitted_at__gte=since),
    )
    return list(procedure_search(query=query).annotate(used=used).order_by("-used", "name")[:limit])
