"""What each lifecycle action does to a dossier besides its status: the clock, the process
tasks, the code, supplements, obligations, apologies. One function per action, in EFFECTS."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from egov.core import workcal
from egov.core.errors import NotAllowedError
from egov.core.text import fold
from egov.orgs.models import Agency, AgencyKind
from egov.orgs.selectors import agency_get

from .. import lifecycle, policies
from ..errors import (
    DossierCodeExhaustedError,
    DossierRuleError,
)
from ..lifecycle import Action, Status
from ..models import (
    Apology,
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
from ..selectors import process_steps

MAX_DAILY_SEQUENCE = 9999
# A supplement during processing may be asked within 3 working days of receipt (art. 19).
SUPPLEMENT_WINDOW_MINUTES = 3 * workcal.WORKING_DAY_HOURS * 60
# An apology is due at least one working day before the due time (Mẫu 04).
APOLOGY_NOTICE_MINUTES = workcal.WORKING_DAY_HOURS * 60


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
    payload: dict[str, Any] = field(default_factory=dict)


def _step_agency(dossier: Dossier, step: dict[str, Any], position: int) -> Agency:
    if position == 1:
        return dossier.receiving_agency  # the desk that received it does the intake step
    if step.get("agency"):
        return agency_get(code=step["agency"])
    if step["agency_kind"] == AgencyKind.COMMUNE_SERVICE_CENTER:
        return dossier.receiving_agency
    return dossier.competent_agency


def _open_step(context: ActionContext, position: int) -> ProcessTask:
    dossier = context.dossier
    step = process_steps(dossier)[position - 1]
    hours = Decimal(str(step["hours"]))
    task = ProcessTask.objects.create(
        dossier=dossier,
        position=position,
        name=step["name"],
        agency=_step_agency(dossier, step, position),
        role=step["role"],
        assignee=None,
        hours=hours,
        started_at=context.now,
        due_at=context.calendar.add_working_time(context.now, workcal.hours_to_minutes(hours)),
    )
    context.payload["task"] = {
        "position": position,
        "agency": task.agency.code,
        "due_at": task.due_at.isoformat(),
    }
    return task


def _close_step(context: ActionContext) -> None:
    task = context.open_task
    if task is None:
        return
    task.finished_at = context.now
    task.outcome = _outcome(task.finished_at, task.due_at)
    task.save(update_fields=["finished_at", "outcome"])
    context.payload["finished_task"] = {"position": task.position, "outcome": task.outcome}
    context.open_task = None


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


def _next_code(agency: Agency, day: datetime.date) -> str:
    """`<agency>-<YYMMDD>-<NNNN>`: gap-free, since the counter moves in the receipt's own
    transaction; unique under concurrency, since the counter row is locked."""
    DailyCounter.objects.bulk_create(
        [DailyCounter(agency=agency, day=day, last=0)], ignore_conflicts=True
    )
    counter = DailyCounter.objects.select_for_update().get(agency=agency, day=day)
    if counter.last >= MAX_DAILY_SEQUENCE:
        raise DossierCodeExhaustedError(agency.code)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{agency.code}-{day:%y%m%d}-{counter.last:04d}"


def _receive(context: ActionContext) -> None:
    dossier = context.dossier
    dossier.received_at = context.now
    dossier.code = _next_code(dossier.receiving_agency, timezone.localtime(context.now).date())
    # The code whole (one word, for a pasted code) and in its parts (for "0007" or "261116").
    dossier.search_text += f" {dossier.code.lower()} {fold(dossier.code)}"
    _start_clock(context, context.now)
    DossierFee.objects.bulk_create(
        DossierFee(
            dossier=dossier,
            code=fee["code"],
            name=fee["name"],
            kind=fee["kind"],
            amount=fee["amount"],
        )
        for fee in dossier.procedure_revision.content["fees"]
    )
    context.open_task = _open_step(context, 1)
    context.payload["code"] = dossier.code


def _refuse(context: ActionContext) -> None:
    _require_note(context, "Cần ghi rõ lý do từ chối tiếp nhận (Mẫu 03).")
    context.dossier.completed_at = context.now
    context.dossier.clock_state = ClockState.STOPPED


def _request_supplement(context: ActionContext) -> None:
    dossier = context.dossier
    reason = _require_note(context, "Cần ghi rõ giấy tờ phải bổ sung và lý do (Mẫu 02).")
    at_intake = dossier.status == Status.SUBMITTED
    if not at_intake:
        received_at = dossier.received_at or context.now
        spent = context.calendar.working_minutes_between(received_at, context.now)
        if spent > SUPPLEMENT_WINDOW_MINUTES:
            raise DossierRuleError(
                "Đã quá 03 ngày làm việc kể từ ngày tiếp nhận; không được yêu cầu bổ sung hồ sơ.",
                code="supplement_too_late",
            )
        dossier.clock_state = ClockState.PAUSED
        dossier.paused_at = context.now
    SupplementRequest.objects.create(
        dossier=dossier,
        at_intake=at_intake,
        reason=reason,
        items=list(context.params.get("items") or []),
        requested_at=context.now,
        requested_by=context.actor,
    )
    if not at_intake:
        # Counted for QĐ 766 ("more than one supplement request is late"): requests made
        # while processing, not the desk's intake check.
        dossier.supplement_count += 1
    context.payload["at_intake"] = at_intake


def _complete_supplement(context: ActionContext) -> None:
    dossier = context.dossier
    supplement = dossier.supplements.filter(completed_at__isnull=True).last()
    if supplement is None:  # the status says one is open; a broken record must not pass
        raise DossierRuleError("Hồ sơ không có yêu cầu bổ sung đang mở.", code="no_supplement")
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
    _close_step(context)
    context.open_task = _open_step(context, 2)


def _forward(context: ActionContext) -> None:
    position = context.open_task.position if context.open_task else 1
    _close_step(context)
    context.open_task = _open_step(context, position + 1)


def _send_back(context: ActionContext) -> None:
    _require_note(context, "Cần ghi rõ lý do trả lại bước trước.")
    position = context.open_task.position if context.open_task else 2
    _close_step(context)
    context.open_task = _open_step(context, position - 1)


def _request_obligation(context: ActionContext) -> None:
    dossier = context.dossier
    _require_note(context, "Cần ghi rõ nghĩa vụ tài chính phải thực hiện.")
    dossier.clock_remaining_minutes = context.calendar.remaining_at(_due(dossier), context.now)
    dossier.clock_state = ClockState.PAUSED
    dossier.paused_at = context.now
    # A leader at the last step may sign first: paying then releases the result.
    at_last_step = context.open_task is not None and context.open_task.position == len(
        process_steps(dossier)
    )
    if context.params.get("result_signed") and at_last_step:
        if lifecycle.Actor.LEADER not in policies.acting_as(
            context.actor, dossier, context.open_task
        ):
            raise NotAllowedError("Chỉ lãnh đạo được ký kết quả.")
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
    """A due time moved by the working time a pause took: what was left then is left now."""
    calendar = context.calendar
    return calendar.resume(context.now, calendar.remaining_at(due, paused_at))


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
    dossier.due_at = context.calendar.resume(context.now, dossier.clock_remaining_minutes or 0)
    dossier.clock_state = ClockState.RUNNING
    dossier.clock_remaining_minutes = None
    dossier.paused_at = None
    context.payload["due_at"] = dossier.due_at.isoformat()
    if dossier.result_signed:
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
    context.dossier.result_signed = True
    _complete(context)


def _stop(context: ActionContext) -> None:
    _require_note(context, "Cần ghi rõ lý do dừng giải quyết (thông báo dừng).")
    _complete(context)


def _withdraw(context: ActionContext) -> None:
    dossier = context.dossier
    _close_step(context)
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
