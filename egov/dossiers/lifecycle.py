"""The dossier lifecycle (DOMAIN §3): statuses, actions and the transition table, as data.

```
  submitted ── receive ─────────────────────────► received ── transfer ──► processing ◄┐
   │ ├─ refuse ─► refused (final)                  │  └─ approve (decided at the desk) │ forward
   │ ├─ withdraw ─► withdrawn (final)              │        ─► result_ready            │ send_back
   │ └─ request_supplement (intake) ─┐             │                                   │ apologize
   │                                 ▼             │                                   │ approve,
   │                       supplement_requested ◄──┴── (processing, ≤ 3 working days)  │ steps after
   │                         │ submit_supplement (the applicant hands in; stays)    ───┘
   │                         │ request_supplement (the officer who asked asks again; stays)
   │                         ├─ complete_supplement (intake: the desk) ─► received
   │                         ├─ complete_supplement (the officer who asked) ─► processing
   │                         ├─ stop, after the deadline (it has a code) ─► stopped
   │                         └─ refuse, after the deadline (intake, no code) ─► refused
  processing ── request_obligation (competent leader) ─► awaiting_obligation
                   └─ confirm_obligation ─► processing, or result_ready when the result
                      was signed with no step left
  processing ── stop (competent leader) ─► stopped (final)
  processing ── approve at the signing step when it is the last ─► result_ready
  processing ── forward of the last step after the signing ─► result_ready
  result_ready ── return_result ─► returned (final)
  withdraw is open to the applicant from submitted, received, processing,
  supplement_requested and awaiting_obligation.
```

Who (`Actor`): `reception` is a reception officer of the receiving desk; `step` is whoever
holds the open step's role at the step's agency (a step is done only by its role at its
agency: a specialist cannot pass the chairman's signing step, and a partner agency's leader
in an inter-agency step forwards or sends back the step, nothing more); `specialist` is a
specialist at the agency where the dossier now is; `leader` is a leader of the competent
agency (only they apologise, stop, or ask for the financial obligation); `applicant` the
dossier's owner; `system` a signed callback or a scheduled job.

The signing step is the last step whose role is a leader's (the last step when none is):
there the leader approves, signing the result; any steps after it (inter-agency hand-overs
such as permanent-residence registration) run on, and the last one's forward makes the
result ready. Conditional steps run only when their e-form field is ticked (`when`).

Each rule names who may take it and, where one action leads to two places or is open only
in some cases, the pure guard that decides from facts the service passes in (`Facts`). No
ORM here: the service loads the dossier, asks `rule_for`, asks the policy whether the actor
holds one of the rule's roles, then applies the rule. `ACTIONS` is the one vocabulary of
actions: what the event log and the buttons call them, what the confirmation asks, and
whether the action needs a written reason; the desk and the effects both read it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from egov.core.errors import DomainError


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Mới đăng ký"
    RECEIVED = "received", "Được tiếp nhận"
    REFUSED = "refused", "Không được tiếp nhận"
    PROCESSING = "processing", "Đang xử lý"
    SUPPLEMENT_REQUESTED = "supplement_requested", "Yêu cầu bổ sung giấy tờ"
    AWAITING_OBLIGATION = "awaiting_obligation", "Yêu cầu thực hiện nghĩa vụ tài chính"
    WITHDRAWN = "withdrawn", "Công dân yêu cầu rút hồ sơ"
    STOPPED = "stopped", "Dừng xử lý"
    RESULT_READY = "result_ready", "Đã xử lý xong"
    RETURNED = "returned", "Đã trả kết quả"


# The national portal's TrangThaiHoSo code of each status.
NATIONAL_CODE = {
    Status.SUBMITTED: 1,
    Status.RECEIVED: 2,
    Status.REFUSED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.AWAITING_OBLIGATION: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.RESULT_READY: 9,
    Status.RETURNED: 10,
}

FINAL = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
# Completion for on-time figures: the first of these reached (DOMAIN §10).
COMPLETING = frozenset({Status.RESULT_READY, Status.REFUSED, Status.STOPPED})


class Action(StrEnum):
    RECEIVE = "receive"
    REFUSE = "refuse"
    REQUEST_SUPPLEMENT = "request_supplement"
    COMPLETE_SUPPLEMENT = "complete_supplement"
    TRANSFER = "transfer"
    FORWARD = "forward"
    SEND_BACK = "send_back"
    REQUEST_OBLIGATION = "request_obligation"
    CONFIRM_OBLIGATION = "confirm_obligation"
    APPROVE = "approve"
    STOP = "stop"
    WITHDRAW = "withdraw"
    APOLOGIZE = "apologize"
    RETURN_RESULT = "return_result"
    SUBMIT_SUPPLEMENT = "submit_supplement"


@dataclass(frozen=True)
class ActionText:
    """How people see an action: the button, the event log, the confirmation, the reason."""

    label: str  # the button
    log: str  # the event log's line
    confirm: str  # what the confirmation asks
    needs_note: bool = False  # refused by the engine without a written reason


ACTIONS: dict[Action, ActionText] = {
    Action.RECEIVE: ActionText("Tiếp nhận", "Tiếp nhận", "Tiếp nhận hồ sơ này và cấp mã hồ sơ?"),
    Action.REFUSE: ActionText(
        "Từ chối tiếp nhận",
        "Từ chối tiếp nhận",
        "Từ chối tiếp nhận hồ sơ này (Mẫu 03)?",
        needs_note=True,
    ),
    Action.REQUEST_SUPPLEMENT: ActionText(
        "Yêu cầu bổ sung",
        "Yêu cầu bổ sung",
        "Gửi yêu cầu bổ sung hồ sơ (Mẫu 02)?",
        needs_note=True,
    ),
    Action.SUBMIT_SUPPLEMENT: ActionText(
        "Nộp bổ sung", "Người nộp đã bổ sung", "Gửi giấy tờ bổ sung cho cán bộ đã yêu cầu?"
    ),
    Action.COMPLETE_SUPPLEMENT: ActionText(
        "Đã nhận đủ bổ sung", "Đã bổ sung đủ", "Xác nhận đã nhận đủ giấy tờ bổ sung?"
    ),
    Action.TRANSFER: ActionText(
        "Chuyển xử lý", "Chuyển cơ quan giải quyết", "Chuyển hồ sơ sang cơ quan giải quyết?"
    ),
    Action.FORWARD: ActionText(
        "Chuyển bước tiếp theo", "Chuyển bước tiếp theo", "Chuyển hồ sơ sang bước tiếp theo?"
    ),
    Action.SEND_BACK: ActionText(
        "Trả lại bước trước", "Trả lại bước trước", "Trả hồ sơ về bước trước?", needs_note=True
    ),
    Action.REQUEST_OBLIGATION: ActionText(
        "Yêu cầu nghĩa vụ tài chính",
        "Yêu cầu nghĩa vụ tài chính",
        "Yêu cầu thực hiện nghĩa vụ tài chính?",
        needs_note=True,
    ),
    Action.CONFIRM_OBLIGATION: ActionText(
        "Đã hoàn thành nghĩa vụ",
        "Đã hoàn thành nghĩa vụ tài chính",
        "Xác nhận đã hoàn thành nghĩa vụ tài chính?",
    ),
    Action.APPROVE: ActionText(
        "Phê duyệt kết quả", "Phê duyệt kết quả", "Phê duyệt và ký kết quả giải quyết?"
    ),
    Action.STOP: ActionText(
        "Dừng giải quyết", "Dừng giải quyết", "Dừng giải quyết hồ sơ này?", needs_note=True
    ),
    Action.WITHDRAW: ActionText("Rút hồ sơ", "Rút hồ sơ", "Ghi nhận công dân rút hồ sơ?"),
    Action.APOLOGIZE: ActionText(
        "Xin lỗi, hẹn lại",
        "Xin lỗi, hẹn lại ngày trả",
        "Gửi thư xin lỗi và hẹn lại ngày trả (Mẫu 04)?",
        needs_note=True,
    ),
    Action.RETURN_RESULT: ActionText(
        "Trả kết quả", "Trả kết quả", "Xác nhận đã trả kết quả cho người nhận?"
    ),
}


# What the event log calls each thing that happens to a dossier, in Vietnamese: the actions,
# and the events that are not actions (submission, files, assignment).
# What the applicant is told when the result is ready, whichever action made it so.
RESULT_READY_NOTICE = "result_ready"
EVENT_LABELS = {
    "submit": "Nộp hồ sơ",
    RESULT_READY_NOTICE: "Đã có kết quả giải quyết",
    **{action.value: text.log for action, text in ACTIONS.items()},
    "attach_document": "Đính kèm tệp",
    "assign": "Giao việc",
}


class Actor(StrEnum):
    """Who a rule is for; the policies map people onto these."""

    RECEPTION = "reception"
    STEP = "step"  # holds the open step's role at the step's agency
    SPECIALIST = "specialist"
    LEADER = "leader"
    APPLICANT = "applicant"
    SYSTEM = "system"


@dataclass(frozen=True)
class Facts:
    """What the guards need to know of a dossier, gathered by the service."""

    supplement_at_intake: bool = False  # the open supplement request was made at intake
    immediate_result: bool = False  # the procedure gives its result at the desk
    has_next_step: bool = False  # the current process step is not the last
    has_previous_step: bool = False
    at_signing_step: bool = False  # the open step is where the result is signed
    step_open: bool = False  # a process step is open (not so once a signed result waits)
    result_signed: bool = False  # the result is signed (approved, or before an obligation)
    supplement_lapsed: bool = False  # the open supplement request's deadline has passed


Guard = Callable[[Facts], bool]


@dataclass(frozen=True)
class Rule:
    source: Status
    action: Action
    target: Status
    actors: frozenset[Actor]
    guard: Guard | None = None
    guard_name: str = ""


class IllegalActionError(DomainError):
    def __init__(self, status: Status, action: str) -> None:
        super().__init__(
            f"Không thể thực hiện thao tác {action!r} khi hồ sơ ở trạng thái "
            f"“{Status(status).label}”.",
            code="illegal_action",
        )


R, S, L, A, SYS = Actor.RECEPTION, Actor.SPECIALIST, Actor.LEADER, Actor.APPLICANT, Actor.SYSTEM
STEP = Actor.STEP


def _rule(
    source: Status,
    action: Action,
    target: Status,
    *actors: Actor,
    guard: Guard | None = None,
    guard_name: str = "",
) -> Rule:
    return Rule(source, action, target, frozenset(actors), guard, guard_name)


def _intake(facts: Facts) -> bool:
    return facts.supplement_at_intake


def _in_processing(facts: Facts) -> bool:
    return not facts.supplement_at_intake


def _decided_at_desk(facts: Facts) -> bool:
    """Immediate-result procedures, and those whose whole process is the desk's one step."""
    return facts.immediate_result or not facts.has_next_step


def _next_step(facts: Facts) -> bool:
    return facts.has_next_step


def _previous_step(facts: Facts) -> bool:
    return facts.has_previous_step


def _step_done(facts: Facts) -> bool:
    """A step hands over to the next, but never past an unsigned signing step."""
    return facts.has_next_step and (facts.result_signed or not facts.at_signing_step)


def _signing_more_steps(facts: Facts) -> bool:
    return facts.at_signing_step and not facts.result_signed and facts.has_next_step


def _signing_last_step(facts: Facts) -> bool:
    return facts.at_signing_step and not facts.result_signed and not facts.has_next_step


def _last_step_signed(facts: Facts) -> bool:
    return not facts.has_next_step and facts.result_signed and not facts.at_signing_step


def _unsigned(facts: Facts) -> bool:
    return not facts.result_signed


def _result_released(facts: Facts) -> bool:
    """The result was signed with no step left: paying releases it."""
    return facts.result_signed and not facts.step_open


def _steps_resume(facts: Facts) -> bool:
    return not _result_released(facts)


def _lapsed_in_processing(facts: Facts) -> bool:
    return facts.supplement_lapsed and not facts.supplement_at_intake


def _lapsed_at_intake(facts: Facts) -> bool:
    return facts.supplement_lapsed and facts.supplement_at_intake


ST = Status
# fmt: off
TABLE: tuple[Rule, ...] = (
    _rule(ST.SUBMITTED, Action.RECEIVE, ST.RECEIVED, R),
    _rule(ST.SUBMITTED, Action.REFUSE, ST.REFUSED, R),
    _rule(ST.SUBMITTED, Action.REQUEST_SUPPLEMENT, ST.SUPPLEMENT_REQUESTED, R),
    _rule(ST.SUBMITTED, Action.WITHDRAW, ST.WITHDRAWN, A),
    _rule(ST.RECEIVED, Action.TRANSFER, ST.PROCESSING, R,
          guard=_next_step, guard_name="has_next_step"),
    _rule(ST.RECEIVED, Action.APPROVE, ST.RESULT_READY, R, L,
          guard=_decided_at_desk, guard_name="decided_at_desk"),
    _rule(ST.RECEIVED, Action.WITHDRAW, ST.WITHDRAWN, A, R),
    _rule(ST.RECEIVED, Action.APOLOGIZE, ST.RECEIVED, L),
    _rule(ST.PROCESSING, Action.FORWARD, ST.PROCESSING, STEP,
          guard=_step_done, guard_name="step_done"),
    _rule(ST.PROCESSING, Action.FORWARD, ST.RESULT_READY, STEP,
          guard=_last_step_signed, guard_name="last_step_after_signing"),
    _rule(ST.PROCESSING, Action.SEND_BACK, ST.PROCESSING, STEP,
          guard=_previous_step, guard_name="has_previous_step"),
    # Once the result is signed, the steps after it only register it: no supplement is
    # asked and the dossier is not stopped any more.
    _rule(ST.PROCESSING, Action.REQUEST_SUPPLEMENT, ST.SUPPLEMENT_REQUESTED, S, L,
          guard=_unsigned, guard_name="result_unsigned"),
    _rule(ST.PROCESSING, Action.REQUEST_OBLIGATION, ST.AWAITING_OBLIGATION, L),
    _rule(ST.PROCESSING, Action.STOP, ST.STOPPED, L,
          guard=_unsigned, guard_name="result_unsigned"),
    _rule(ST.PROCESSING, Action.APPROVE, ST.PROCESSING, STEP,
          guard=_signing_more_steps, guard_name="signing_step_with_steps_after"),
    _rule(ST.PROCESSING, Action.APPROVE, ST.RESULT_READY, STEP,
          guard=_signing_last_step, guard_name="signing_step_last"),
    _rule(ST.PROCESSING, Action.WITHDRAW, ST.WITHDRAWN, A, R),
    _rule(ST.PROCESSING, Action.APOLOGIZE, ST.PROCESSING, L),
    # The applicant hands in what was asked, online or at the counter (the desk records it);
    # the officer who asked decides.
    _rule(ST.SUPPLEMENT_REQUESTED, Action.SUBMIT_SUPPLEMENT, ST.SUPPLEMENT_REQUESTED, A, R,
          guard=_in_processing, guard_name="supplement_in_processing"),
    # An online dossier asked to complete at intake: the applicant says it is done, and
    # the reception officer who asked finds it under "Việc của tôi" and receives it.
    _rule(ST.SUPPLEMENT_REQUESTED, Action.SUBMIT_SUPPLEMENT, ST.SUPPLEMENT_REQUESTED, A,
          guard=_intake, guard_name="supplement_at_intake"),
    # At intake the completed dossier is received: the desk's to do, not the applicant's.
    _rule(ST.SUPPLEMENT_REQUESTED, Action.COMPLETE_SUPPLEMENT, ST.RECEIVED, R,
          guard=_intake, guard_name="supplement_at_intake"),
    # In processing only the officer who asked (or their agency's leader) accepts it: the
    # effect checks who; the applicant cannot restart the clock alone.
    _rule(ST.SUPPLEMENT_REQUESTED, Action.COMPLETE_SUPPLEMENT, ST.PROCESSING, S, L,
          guard=_in_processing, guard_name="supplement_in_processing"),
    # Asked again: what was handed in is not what was asked. At intake the desk's; in
    # processing the officer who asked (the effect checks who).
    _rule(ST.SUPPLEMENT_REQUESTED, Action.REQUEST_SUPPLEMENT, ST.SUPPLEMENT_REQUESTED, R,
          guard=_intake, guard_name="supplement_at_intake"),
    _rule(ST.SUPPLEMENT_REQUESTED, Action.REQUEST_SUPPLEMENT, ST.SUPPLEMENT_REQUESTED, S, L,
          guard=_in_processing, guard_name="supplement_in_processing"),
    _rule(ST.SUPPLEMENT_REQUESTED, Action.WITHDRAW, ST.WITHDRAWN, A, R),
    # The supplement's deadline passed: a dossier with a code is stopped (stop notice); one
    # that never got a code is refused (Mẫu 03).
    _rule(ST.SUPPLEMENT_REQUESTED, Action.STOP, ST.STOPPED, L, SYS,
          guard=_lapsed_in_processing, guard_name="supplement_lapsed"),
    _rule(ST.SUPPLEMENT_REQUESTED, Action.REFUSE, ST.REFUSED, R, SYS,
          guard=_lapsed_at_intake, guard_name="supplement_lapsed_at_intake"),
    _rule(ST.AWAITING_OBLIGATION, Action.CONFIRM_OBLIGATION, ST.PROCESSING, R, S, SYS,
          guard=_steps_resume, guard_name="steps_resume"),
    _rule(ST.AWAITING_OBLIGATION, Action.CONFIRM_OBLIGATION, ST.RESULT_READY, R, S, SYS,
          guard=_result_released, guard_name="result_released"),
    _rule(ST.AWAITING_OBLIGATION, Action.WITHDRAW, ST.WITHDRAWN, A, R),
    _rule(ST.AWAITING_OBLIGATION, Action.APOLOGIZE, ST.AWAITING_OBLIGATION, L),
    # The applicant "returns" only an electronic result, by downloading it.
    _rule(ST.RESULT_READY, Action.RETURN_RESULT, ST.RETURNED, R, A, SYS),
)
# fmt: on


def rules_from(status: Status) -> list[Rule]:
    return [rule for rule in TABLE if rule.source == status]


def rule_for(status: Status, action: Action | str, facts: Facts) -> Rule:
    """The rule for this action from this status, given the facts; IllegalActionError if none."""
    try:
        wanted = Action(action)
    except ValueError:
        raise IllegalActionError(status, str(action)) from None
    for rule in TABLE:
        matches = rule.source == status and rule.action == wanted
        if matches and (rule.guard is None or rule.guard(facts)):
            return rule
    raise IllegalActionError(status, wanted.value)
