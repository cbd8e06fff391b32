"""What each lifecycle action does to a dossier besides its status: the clock, the process
tasks, the code, supplements, obligations, apologies. One function per action, in EFFECTS."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from egov.catalog.models import CopyKind
from egov.catalog.selectors import revision_of, version_in_force
from egov.core import workcal
from egov.core.errors import NotAllowedError
from egov.core.text import fold
from egov.orgs.models import Agency, AgencyKind, Membership
from egov.orgs.selectors import agency_get, memberships_of

from .. import lifecycle, policies
from ..errors import (
    DossierCodeExhaustedError,
    DossierRuleError,
)
from ..lifecycle import Action, Status
from ..models import (
    Apology,
    BookCounter,
    Channel,
    ClockState,
    DailyCounter,
    Dossier,
    DossierFee,
    Outcome,
    ProcessTask,
    ReturnMethod,
    SupplementRequest,
)
from ..selectors import (
    applicable_positions,
    open_supplement_of,
    process_steps,
    remember_children,
    reopenable_before,
    signing_position,
)

MAX_DAILY_SEQUENCE = 9999
# A supplement during processing may be asked within 3 working days of receipt (art. 19).
SUPPLEMENT_WINDOW_MINUTES = 3 * workcal.WORKING_DAY_HOURS * 60
# An apology is due at least one working day before the due time (Mẫu 04).
APOLOGY_NOTICE_MINUTES = workcal.WORKING_DAY_HOURS * 60
# How far an apology may put the due time off: a year. The law sets no limit; a later date is
# a mistyped year, and one past the calendar's end cannot even be read in the province's time.
MAX_APOLOGY_DELAY = datetime.timedelta(days=366)
# How long the applicant has to supply what Mẫu 02 asks, when the procedure sets no limit of
# its own (`supplement_time_limit` in the catalogue). The law sets none in general; 15
# working days (three weeks) is our choice, printed on Mẫu 02 so the applicant knows it.
DEFAULT_SUPPLEMENT_LIMIT = {"value": 15, "unit": "working_days"}
MAX_PAPER_QUANTITY = 99


@dataclass
class ActionContext:
    """What one action works with."""

    dossier: Dossier
    actor: User | None
    now: datetime.datetime
    calendar: workcal.WorkingCalendar
    open_task: ProcessTask | None
    note: str
    params: dict[str, Any]
    target: Status  # where the rule leads (an action may lead to two places)
    payload: dict[str, Any] = field(default_factory=dict)
    fresh: bool = False  # created in this transaction: no tasks yet (door._perform_locked)


def _step_agency(dossier: Dossier, step: dict[str, Any], position: int) -> Agency:
    if position == 1:
        return dossier.receiving_agency  # the desk that received it does the intake step
    if step.get("agency"):
        return agency_get(code=step["agency"])
    if step["agency_kind"] == AgencyKind.COMMUNE_SERVICE_CENTER:
        return dossier.receiving_agency
    return dossier.competent_agency


def _spent_minutes(context: ActionContext, position: int) -> int:
    """Working time already spent on this step in earlier rounds (before a send-back)."""
    if context.fresh:
        return 0
    return sum(
        context.calendar.working_minutes_between(task.started_at, task.finished_at)
        for task in context.dossier.tasks.filter(position=position, finished_at__isnull=False)
        if task.finished_at is not None
    )


def _assignee_for(
    dossier: Dossier, position: int, agency: Agency, role: str, actor: User | None
) -> User | None:
    """Who the step waits for: whoever held it before (a step sent back returns to them),
    else the one officer of its role at its agency, else nobody (the agency's unassigned
    queue). The desk's step is the receiving officer's."""
    holders = Membership.objects.filter(agency=agency, role=role, active=True)
    if position == 1:  # opened once, at receipt: never sent back to
        if actor is not None and any(
            m.agency_id == agency.pk and m.role == role for m in memberships_of(user=actor)
        ):
            return actor
    else:
        earlier = (
            dossier.tasks.filter(position=position, assignee__isnull=False)
            .order_by("-started_at", "-pk")
            .first()
        )
        held = earlier.assignee if earlier is not None else None
        if held is not None and holders.filter(user_id=held.pk).exists():
            return held
    only = list(holders.select_related("user")[:2])
    return only[0].user if len(only) == 1 else None


def _open_step(
    context: ActionContext, position: int, *, after: datetime.datetime | None = None
) -> ProcessTask:
    """Open the step at `position`. Its share of the time is what is left of it (a step sent
    back and reopened does not get a fresh share); it counts from the previous step's due
    time when that step finished early (`after`), so each step falls due after the one
    before it."""
    dossier = context.dossier
    step = process_steps(dossier)[position - 1]
    hours = Decimal(str(step["hours"]))
    share = max(workcal.hours_to_minutes(hours) - _spent_minutes(context, position), 0)
    start = max(after, context.now) if after is not None else context.now
    agency = _step_agency(dossier, step, position)
    task = ProcessTask.objects.create(
        dossier=dossier,
        position=position,
        name=step["name"],
        agency=agency,
        role=step["role"],
        assignee=_assignee_for(dossier, position, agency, step["role"], context.actor),
        hours=hours,
        started_at=context.now,
        due_at=context.calendar.add_working_time(start, share),
        elsewhere=agency.pk not in (dossier.receiving_agency_id, dossier.competent_agency_id),
    )
    context.payload["task"] = {
        "position": position,
        "agency": task.agency.code,
        "due_at": task.due_at.isoformat(),
        "assignee": task.assignee.get_username() if task.assignee else "",
    }
    return task


def _next_position(dossier: Dossier, position: int) -> int:
    later = [p for p in applicable_positions(dossier) if p > position]
    if not later:  # the guards let no action here without a next step
        raise DossierRuleError("Hồ sơ không còn bước tiếp theo.", code="no_next_step")
    return later[0]


def _previous_position(dossier: Dossier, position: int) -> int:
    earlier = reopenable_before(dossier, position)
    if not earlier:
        raise DossierRuleError("Hồ sơ không có bước trước để trả lại.", code="no_previous_step")
    return earlier[-1]


def _close_step(context: ActionContext) -> datetime.datetime | None:
    """Close the open step; its due time, for the next step to count from."""
    task = context.open_task
    if task is None:
        return None
    task.finished_at = context.now
    task.outcome = _outcome(task.finished_at, task.due_at)
    task.save(update_fields=["finished_at", "outcome"])
    context.payload["finished_task"] = {"position": task.position, "outcome": task.outcome}
    context.open_task = None
    return task.due_at


def _outcome(finished: datetime.datetime, due: datetime.datetime) -> str:
    if finished > due:
        return Outcome.LATE
    if timezone.localtime(finished).date() < timezone.localtime(due).date():
        return Outcome.EARLY
    return Outcome.ON_TIME


# ------------------------------------------------------------------------------ effects


def _limit(dossier: Dossier) -> tuple[Decimal, str]:
    content = dossier.procedure_revision.content
    limit = content["time_limit"]
    if dossier.channel == Channel.ONLINE and content.get("online_time_limit"):
        limit = content["online_time_limit"]
    return Decimal(str(limit["value"])), limit["unit"]


def _due(dossier: Dossier) -> datetime.datetime:
    """The due time of a received dossier (one that was never received has none)."""
    if dossier.due_at is None:
        raise DossierRuleError(
            "Hồ sơ chưa được tiếp nhận, chưa có hạn giải quyết.", code="not_received"
        )
    return dossier.due_at


def _start_clock(context: ActionContext, start: datetime.datetime) -> None:
    dossier = context.dossier
    value, unit = _limit(dossier)
    dossier.due_at = context.calendar.due_time(start, value, unit)
    dossier.original_due_at = dossier.due_at
    dossier.clock_state = ClockState.RUNNING
    dossier.clock_remaining_minutes = None
    dossier.paused_at = None
    context.payload["due_at"] = dossier.due_at.isoformat()


def _receipt_numbers(agency: Agency, day: datetime.date) -> tuple[str, int]:
    """The dossier's code, `<agency>-<YYMMDD>-<NNNN>`, and its row in the desk's tracking book
    for the year (Mẫu 06; Mẫu 01's "Số thứ tự": continuous from 1, one book per desk per
    year). Both gap-free, since the counters move in the receipt's own transaction; unique
    under concurrency, since the counter rows stay locked until it ends."""
    if connection.vendor == "postgresql":
        last, book_number = _count_both_up(agency=agency, day=day)
    else:
        last = _count_up(DailyCounter, agency=agency, period_field="day", period=day)
        book_number = _count_up(BookCounter, agency=agency, period_field="year", period=day.year)
    if last > MAX_DAILY_SEQUENCE:  # the transaction this runs in ends, taking both back
        raise DossierCodeExhaustedError(agency.code)
    return f"{agency.code}-{day:%y%m%d}-{last:04d}", book_number


def _count_both_up(*, agency: Agency, day: datetime.date) -> tuple[int, int]:
    """`_count_up` of the day's and the year's counters in one statement (PostgreSQL runs
    data-modifying WITH parts; SQLite does not). Every receipt moves them with this same
    statement, hence in the same order: two receipts never each hold the row the other waits
    for."""
    daily = connection.ops.quote_name(DailyCounter._meta.db_table)
    book = connection.ops.quote_name(BookCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH d AS (INSERT INTO {daily} (agency_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 - names are ours
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {daily}.last + 1 RETURNING last), "
            f"b AS (INSERT INTO {book} (agency_id, year, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (agency_id, year) DO UPDATE SET last = {book}.last + 1 RETURNING last) "
            "SELECT d.last, b.last FROM d, b",
            [agency.pk, day, agency.pk, day.year],
        )
        row = cursor.fetchone()
    return int(row[0]), int(row[1])


def _count_up(
    model: type[DailyCounter] | type[BookCounter],
    *,
    agency: Agency,
    period_field: str,
    period: datetime.date | int,
) -> int:
    """The counter's next number, in one statement: the row is made or moved on and stays
    locked by this transaction until it ends, so two receipts never get one number and a
    receipt rolled back gives its number back (gap-free)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, {period_field}, last) VALUES (%s, %s, 1) "  # noqa: S608 - names are ours
            f"ON CONFLICT (agency_id, {period_field}) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [agency.pk, period],
        )
        row = cursor.fetchone()
    return int(row[0])


def _files_by_component(
    dossier: Dossier, submitted: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The files on the dossier, by component, as papers received. A component the version
    in force no longer has keeps the name it had when the files were submitted."""
    documents = {d["code"]: d for d in dossier.procedure_revision.content["documents"]}
    counts: dict[str, int] = {}
    for component in dossier.documents.filter(is_result=False).values_list("component", flat=True):
        counts[component] = counts.get(component, 0) + 1
    papers = []
    for code, count in counts.items():
        known = documents.get(code) or submitted.get(code) or {}
        papers.append(
            {
                "component": code if code in documents else "",
                "name": known.get("name", "Giấy tờ khác"),
                "copy_kind": known.get("copy_kind", CopyKind.COPY),
                "quantity": min(count, MAX_PAPER_QUANTITY),
            }
        )
    return papers


def _received_papers(
    context: ActionContext, submitted: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """What the desk took in, for Mẫu 01: the papers the officer lists (`papers`: component,
    copy kind, quantity, checked against the version in force), else the files on the
    dossier by component."""
    dossier = context.dossier
    documents = {d["code"]: d for d in dossier.procedure_revision.content["documents"]}
    listed = context.params.get("papers")
    if listed is None:
        return _files_by_component(dossier, submitted)
    papers = []
    for paper in listed if isinstance(listed, list) else [None]:
        if not isinstance(paper, dict):
            raise DossierRuleError("Danh sách giấy tờ đã nhận không hợp lệ.", code="bad_papers")
        code = str(paper.get("component") or "")
        if code and code not in documents:
            raise DossierRuleError(
                f"Thủ tục không có thành phần hồ sơ mã {code}.", code="unknown_component"
            )
        required = documents.get(code, {})
        copy_kind = str(paper.get("copy_kind") or required.get("copy_kind") or CopyKind.COPY)
        quantity = paper.get("quantity", 1)
        if copy_kind not in CopyKind.values or not (
            isinstance(quantity, int) and 1 <= quantity <= MAX_PAPER_QUANTITY
        ):
            raise DossierRuleError(
                f"Giấy tờ {required.get('name', code) or 'khác'}: loại bản hoặc số lượng "
                f"không hợp lệ (1–{MAX_PAPER_QUANTITY}).",
                code="bad_papers",
            )
        papers.append(
            {
                "component": code,
                "name": required.get("name", "Giấy tờ khác"),
                "copy_kind": copy_kind,
                "quantity": quantity,
            }
        )
    return papers


def _receive(context: ActionContext) -> None:
    dossier = context.dossier
    # The procedure as it stands at receipt governs the limit and the fees (DOMAIN: a
    # dossier keeps the version in force when it was received, not when it was submitted).
    version = version_in_force(procedure_id=dossier.procedure_id)
    submitted = {d["code"]: d for d in dossier.procedure_revision.content["documents"]}
    if dossier.procedure_revision.version != version:
        dossier.procedure_revision = revision_of(procedure_id=dossier.procedure_id, version=version)
    dossier.received_at = context.now
    dossier.received_papers = _received_papers(context, submitted)
    _start_clock(context, context.now)
    fees = DossierFee.objects.bulk_create(
        DossierFee(
            dossier=dossier,
            code=fee["code"],
            name=fee["name"],
            kind=fee["kind"],
            amount=fee["amount"],
        )
        for fee in dossier.procedure_revision.content["fees"]
    )
    if context.fresh:
        remember_children(dossier, fees=fees)
    context.open_task = _open_step(context, 1)
    # The numbers last: the desk's counters stay locked from here until the receipt commits,
    # and every other receipt at the desk waits for them (they are gap-free).
    local_day = timezone.localtime(context.now).date()
    dossier.code, dossier.book_number = _receipt_numbers(dossier.receiving_agency, local_day)
    # The code whole (one word, for a pasted code) and in its parts (for "0007" or "261116").
    dossier.search_text += f" {dossier.code.lower()} {fold(dossier.code)}"
    context.payload["code"] = dossier.code
    context.payload["book_number"] = dossier.book_number
    context.payload["procedure_version"] = version


def _refuse(context: ActionContext) -> None:
    _require_note(context, "Cần ghi rõ lý do từ chối tiếp nhận (Mẫu 03).")
    _close_supplement(context)
    context.dossier.completed_at = context.now
    context.dossier.clock_state = ClockState.STOPPED


def _close_supplement(context: ActionContext) -> None:
    """A dossier that ends while a supplement is awaited (refused or stopped after its
    deadline, withdrawn) leaves no request open."""
    supplement = open_supplement_of(context.dossier)
    if supplement is not None:
        supplement.superseded = True
        supplement.save(update_fields=["superseded"])


def _supplement_deadline(context: ActionContext) -> datetime.datetime:
    content = context.dossier.procedure_revision.content
    limit: dict[str, Any] = content.get("supplement_time_limit") or DEFAULT_SUPPLEMENT_LIMIT
    return context.calendar.due_time(context.now, Decimal(str(limit["value"])), str(limit["unit"]))


def _require_requester(context: ActionContext, supplement: SupplementRequest) -> None:
    """In processing, what the applicant supplies goes back to the officer who asked; they
    (or a leader of the competent agency) decide on it. At intake, any officer of the desk."""
    if supplement.at_intake or context.actor is None:
        return
    kinds = policies.acting_as(context.actor, context.dossier, context.open_task)
    if supplement.requested_by_id != context.actor.pk and lifecycle.Actor.LEADER not in kinds:
        asker = supplement.requested_by
        name = (asker.get_full_name() or asker.get_username()) if asker else "cán bộ đã yêu cầu"
        raise NotAllowedError(f"Yêu cầu bổ sung này do {name} xử lý.")


def _request_supplement(context: ActionContext) -> None:
    dossier = context.dossier
    reason = _require_note(context, "Cần ghi rõ giấy tờ phải bổ sung và lý do (Mẫu 02).")
    earlier = open_supplement_of(dossier)
    at_intake = earlier.at_intake if earlier else dossier.status == Status.SUBMITTED
    if earlier is not None:
        # Asked again: what was handed in is not what was asked.
        _require_requester(context, earlier)
        earlier.superseded = True
        earlier.save(update_fields=["superseded"])
    elif not at_intake:
        received_at = dossier.received_at or context.now
        spent = context.calendar.working_minutes_between(received_at, context.now)
        if spent > SUPPLEMENT_WINDOW_MINUTES:
            raise DossierRuleError(
                "Đã quá 03 ngày làm việc kể từ ngày tiếp nhận; không được yêu cầu bổ sung hồ sơ.",
                code="supplement_too_late",
            )
        dossier.clock_state = ClockState.PAUSED
        dossier.paused_at = context.now
    deadline = _supplement_deadline(context)
    SupplementRequest.objects.create(
        dossier=dossier,
        at_intake=at_intake,
        reason=reason,
        items=list(context.params.get("items") or []),
        requested_at=context.now,
        requested_by=context.actor,
        deadline=deadline,
    )
    if not at_intake:
        # Counted for QĐ 766 ("more than one supplement request is late"): requests made
        # while processing, not the desk's intake check.
        dossier.supplement_count += 1
    context.payload["at_intake"] = at_intake
    context.payload["deadline"] = deadline.isoformat()


def _submit_supplement(context: ActionContext) -> None:
    """The applicant hands in what was asked. The clock stays stopped: the officer who asked
    decides whether it is complete (`complete_supplement`) or asks again."""
    supplement = _open_supplement(context)
    if supplement.answered_at is not None:
        raise DossierRuleError(
            "Đã gửi bổ sung; vui lòng chờ cán bộ kiểm tra.", code="supplement_answered"
        )
    supplement.answered_at = context.now
    supplement.save(update_fields=["answered_at"])
    context.payload["requested_by"] = (
        supplement.requested_by.get_username() if supplement.requested_by else ""
    )


def _open_supplement(context: ActionContext) -> SupplementRequest:
    supplement = open_supplement_of(context.dossier)
    if supplement is None:  # the status says one is open; a broken record must not pass
        raise DossierRuleError("Hồ sơ không có yêu cầu bổ sung đang mở.", code="no_supplement")
    return supplement


def _complete_supplement(context: ActionContext) -> None:
    dossier = context.dossier
    supplement = _open_supplement(context)
    _require_requester(context, supplement)
    supplement.completed_at = context.now
    supplement.save(update_fields=["completed_at"])
    if supplement.at_intake:
        _receive(context)
        return
    # The complete dossier restarts the limit from zero (art. 19(4)).
    if dossier.paused_at is not None:
        dossier.supplement_minutes += context.calendar.working_minutes_between(
            dossier.paused_at, context.now
        )
    _start_clock(context, context.now)
    if context.open_task is not None:
        task = context.open_task
        task.due_at = context.calendar.add_working_time(
            context.now, workcal.hours_to_minutes(task.hours)
        )
        task.save(update_fields=["due_at"])


def _transfer(context: ActionContext) -> None:
    # The desk hands the dossier to the competent body's first step (wherever it was
    # received: intake regardless of administrative boundary).
    after = _close_step(context)
    context.open_task = _open_step(context, _next_position(context.dossier, 1), after=after)


def _forward(context: ActionContext) -> None:
    if context.target == Status.RESULT_READY:  # the last step, after the signing
        _complete(context)
        return
    position = context.open_task.position if context.open_task else 1
    after = _close_step(context)
    context.open_task = _open_step(context, _next_position(context.dossier, position), after=after)


def _send_back(context: ActionContext) -> None:
    _require_note(context, "Cần ghi rõ lý do trả lại bước trước.")
    position = context.open_task.position if context.open_task else 2
    _close_step(context)
    context.open_task = _open_step(context, _previous_position(context.dossier, position))


def _request_obligation(context: ActionContext) -> None:
    dossier = context.dossier
    _require_note(context, "Cần ghi rõ nghĩa vụ tài chính phải thực hiện.")
    dossier.clock_remaining_minutes = context.calendar.remaining_at(_due(dossier), context.now)
    dossier.clock_state = ClockState.PAUSED
    dossier.paused_at = context.now
    # The leader who signs, at the signing step when no step follows it, may sign first:
    # paying then releases the result.
    if context.params.get("result_signed"):
        task = context.open_task
        positions = applicable_positions(dossier)
        last_signing = (
            task is not None
            and task.position == signing_position(dossier, positions)
            and task.position == positions[-1]
        )
        if not last_signing:
            raise DossierRuleError(
                "Chỉ ký kết quả trước khi thu nghĩa vụ tài chính ở bước ký duyệt cuối cùng.",
                code="not_signing_step",
            )
        if lifecycle.Actor.STEP not in policies.acting_as(context.actor, dossier, task):
            raise NotAllowedError("Chỉ lãnh đạo ký duyệt ở bước này được ký kết quả.")
        dossier.result_signed = True
        _close_step(context)
    context.payload["remaining_minutes"] = dossier.clock_remaining_minutes
    # A land dossier's obligation is set by the tax authority: the handlers send it the
    # dossier (egov.interop.services.tax), with the kind and value named here.
    if kind := str(context.params.get("tax_kind") or ""):
        context.payload["tax"] = {
            "kind": kind,
            "taxable_value": context.params.get("taxable_value"),
        }


def _shifted(
    context: ActionContext, due: datetime.datetime, paused_at: datetime.datetime
) -> datetime.datetime:
    """A due time moved by the working time a pause took: what was left then is left now.
    A due time already past when the pause began stays where it was: the lateness stands."""
    calendar = context.calendar
    left = calendar.remaining_at(due, paused_at)
    if left <= 0:
        return due
    return calendar.resume(context.now, left)


def _confirm_obligation(context: ActionContext) -> None:
    dossier = context.dossier
    # The tax authority's transaction reference, when it reported the payment: its notice and
    # the poll both look for it, so one payment confirms once.
    if reference := str(context.params.get("payment_reference") or ""):
        context.payload["payment_reference"] = reference
    paused_at = dossier.paused_at or context.now
    # The time waiting for the applicant to pay is not the agency's: the original due time
    # (what on-time figures use) and the current step's due time move with the due time.
    if dossier.original_due_at is not None:
        dossier.original_due_at = _shifted(context, dossier.original_due_at, paused_at)
    if context.open_task is not None:
        task = context.open_task
        task.due_at = _shifted(context, task.due_at, paused_at)
        task.save(update_fields=["due_at"])
    remaining = dossier.clock_remaining_minutes or 0
    if remaining > 0:
        dossier.due_at = context.calendar.resume(context.now, remaining)
    # else: the dossier was already late when the clock stopped; its due time stays.
    dossier.clock_state = ClockState.RUNNING
    dossier.clock_remaining_minutes = None
    dossier.paused_at = None
    context.payload["due_at"] = _due(dossier).isoformat()
    if context.target == Status.RESULT_READY:
        _complete(context)


def _complete(context: ActionContext) -> None:
    """The dossier is decided: on time or not against the original due time (DOMAIN §10)."""
    dossier = context.dossier
    _close_step(context)
    dossier.completed_at = context.now
    # Stopped while the clock was paused (a supplement never came): the agency's time ended
    # when the clock stopped; the waiting was the applicant's (QĐ 766).
    measured_at = (
        dossier.paused_at
        if dossier.clock_state == ClockState.PAUSED and dossier.paused_at
        else context.now
    )
    dossier.clock_state = ClockState.STOPPED
    if dossier.original_due_at is not None:
        outcome = _outcome(measured_at, dossier.original_due_at)
        # More than one supplement request counts late (QĐ 766).
        dossier.outcome = Outcome.LATE if dossier.supplement_count > 1 else outcome
    context.payload["outcome"] = dossier.outcome


def _approve(context: ActionContext) -> None:
    """The leader signs the result. Steps after the signing (inter-agency registrations)
    run on; the result is ready once the last of them is done."""
    context.dossier.result_signed = True
    if context.target == Status.PROCESSING:
        position = context.open_task.position if context.open_task else 1
        after = _close_step(context)
        context.open_task = _open_step(
            context, _next_position(context.dossier, position), after=after
        )
        return
    _complete(context)


def _stop(context: ActionContext) -> None:
    _require_note(context, "Cần ghi rõ lý do dừng giải quyết (thông báo dừng).")
    _close_supplement(context)
    _complete(context)


def _withdraw(context: ActionContext) -> None:
    dossier = context.dossier
    _close_step(context)
    _close_supplement(context)
    dossier.clock_state = ClockState.STOPPED


def _apologize(context: ActionContext) -> None:
    dossier = context.dossier
    reason = _require_note(context, "Cần ghi rõ lý do chậm trễ (Mẫu 04).")
    if Apology.objects.filter(dossier=dossier).exists():
        raise DossierRuleError("Mỗi hồ sơ chỉ được hẹn lại một lần.", code="apology_once")
    new_due = context.params.get("new_due_at")
    if not isinstance(new_due, datetime.datetime) or timezone.is_naive(new_due):
        raise DossierRuleError("Cần ngày giờ hẹn trả mới.", code="new_due_required")
    if new_due <= _due(dossier):
        raise DossierRuleError("Ngày hẹn mới phải sau ngày hẹn hiện tại.", code="new_due_early")
    # Compared as a difference, which any two aware times have: 31/12/9999 at UTC-12 is no
    # time the province's clock can show (it is in the year 10000 there).
    if new_due - _due(dossier) > MAX_APOLOGY_DELAY:
        raise DossierRuleError(
            "Ngày hẹn mới không được quá một năm sau ngày hẹn hiện tại.", code="new_due_late"
        )
    if not context.calendar.is_working_time(new_due):
        raise DossierRuleError("Ngày hẹn mới phải trong giờ làm việc.", code="new_due_closed")
    notice = context.calendar.working_minutes_between(context.now, _due(dossier))
    if context.actor is None:
        raise NotAllowedError("Thư xin lỗi phải do lãnh đạo ký.")
    Apology.objects.create(
        dossier=dossier,
        reason=reason,
        at=context.now,
        by=context.actor,
        original_due_at=_due(dossier),
        new_due_at=new_due,
        late_notice=notice < APOLOGY_NOTICE_MINUTES,
    )
    dossier.due_at = new_due
    if dossier.clock_state == ClockState.PAUSED:
        dossier.clock_remaining_minutes = context.calendar.remaining_at(new_due, context.now)
    context.payload["new_due_at"] = new_due.isoformat()
    context.payload["late_notice"] = notice < APOLOGY_NOTICE_MINUTES


def _return_result(context: ActionContext) -> None:
    dossier = context.dossier
    kinds = policies.acting_as(context.actor, dossier, context.open_task)
    if kinds == {lifecycle.Actor.APPLICANT} and dossier.return_method != ReturnMethod.ONLINE:
        # Only an electronic result is "returned" by the applicant's download; a paper one is
        # handed over at the desk or delivered by the post.
        raise NotAllowedError("Kết quả bản giấy do Bộ phận Một cửa hoặc bưu điện trả.")
    if lifecycle.Actor.RECEPTION in kinds and dossier.return_method == ReturnMethod.COUNTER:
        # Handed over at the counter: who took it, and with which ID, goes on record.
        recipient = str(context.params.get("recipient_name") or "").strip()
        recipient_id = str(context.params.get("recipient_id_number") or "").strip()
        if not recipient or not recipient_id:
            raise DossierRuleError(
                "Cần ghi họ tên và số giấy tờ tùy thân của người nhận kết quả.",
                code="recipient_required",
            )
        context.payload["recipient"] = {"name": recipient[:255], "id_number": recipient_id[:20]}
    dossier.returned_at = context.now


def _require_note(context: ActionContext, message: str) -> str:
    """The reason the action's form must carry (a refusal, a supplement, a delay...)."""
    if not context.note:
        raise DossierRuleError(message, code="reason_required")
    return context.note


EFFECTS: dict[Action, Callable[[ActionContext], None]] = {
    Action.RECEIVE: _receive,
    Action.REFUSE: _refuse,
    Action.REQUEST_SUPPLEMENT: _request_supplement,
    Action.SUBMIT_SUPPLEMENT: _submit_supplement,
    Action.COMPLETE_SUPPLEMENT: _complete_supplement,
    Action.TRANSFER: _transfer,
    Action.FORWARD: _forward,
    Action.SEND_BACK: _send_back,
    Action.REQUEST_OBLIGATION: _request_obligation,
    Action.CONFIRM_OBLIGATION: _confirm_obligation,
    Action.APPROVE: _approve,
    Action.STOP: _stop,
    Action.WITHDRAW: _withdraw,
    Action.APOLOGIZE: _apologize,
    Action.RETURN_RESULT: _return_result,
}
