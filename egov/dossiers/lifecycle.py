"""The dossier lifecycle (DOMAIN §3): statuses, actions and the transition table, as data.

```
                 receive / complete_supplement(intake)
  submitted ──────────────────────────────────────────► received ── transfer ──► processing
   │  │  │                                                │   approve (decided at     │  ▲ forward
   │  │  └─ request_supplement(intake) ─► supplement_     │   the desk)               │  │ send_back
   │  │                                   requested ◄─────┼───────────────────────────┤  │ apologize
   │  └─ refuse ─► refused (final)          │  ▲           ▼                           ├──┘
   └─ withdraw ─► withdrawn (final)         │  └─ request_supplement (≤ 3 working days)│
                                            ├─ complete_supplement ─► processing      │
                                            └─ stop (deadline passed) ─► stopped       │
                     awaiting_obligation ◄── request_obligation ───────────────────────┤
                      └─ confirm_obligation ─► processing, or result_ready when the    │
                         obligation was asked for with the result already signed      │
                     stopped (final) ◄── stop ─────────────────────────────────────────┤
                     result_ready ◄── approve ─────────────────────────────────────────┘
                      └─ return_result ─► returned (final)
  withdraw is open to the applicant from submitted, received, processing,
  supplement_requested and awaiting_obligation.
```

Each rule names who may take it (`reception`, `specialist`, `leader`, `applicant`, `system`)
and, where one action leads to two places, the pure guard that picks the place from facts the
service passes in (`Facts`). No ORM here: the service loads the dossier, asks `rule_for`, asks
the policy whether the actor holds one of the rule's roles, then applies the rule.
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


# What the event log calls each thing that happens to a dossier, in Vietnamese.
EVENT_LABELS = {
    "submit": "Nộp hồ sơ",
    "receive": "Tiếp nhận",
    "refuse": "Từ chối tiếp nhận",
    "request_supplement": "Yêu cầu bổ sung",
    "complete_supplement": "Đã bổ sung đủ",
    "transfer": "Chuyển cơ quan giải quyết",
    "forward": "Chuyển bước tiếp theo",
    "send_back": "Trả lại bước trước",
    "request_obligation": "Yêu cầu nghĩa vụ tài chính",
    "confirm_obligation": "Đã hoàn thành nghĩa vụ tài chính",
    "approve": "Phê duyệt kết quả",
    "stop": "Dừng giải quyết",
    "withdraw": "Rút hồ sơ",
    "apologize": "Xin lỗi, hẹn lại ngày trả",
    "return_result": "Trả kết quả",
    "attach_document": "Đính kèm tệp",
    "assign": "Giao việc",
}


class Actor(StrEnum):
    """Who a rule is for; the policies map people onto these."""

    RECEPTION = "reception"
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
    result_signed: bool = False  # the obligation was asked for after the result was signed


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


def _last_step(facts: Facts) -> bool:
    return not facts.has_next_step


def _result_signed(facts: Facts) -> bool:
    return facts.result_signed


def _result_unsigned(facts: Facts) -> bool:
    return not facts.result_signed


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
    _rule(ST.PROCESSING, Action.FORWARD, ST.PROCESSING, S, L,
          guard=_next_step, guard_name="has_next_step"),
    _rule(ST.PROCESSING, Action.SEND_BACK, ST.PROCESSING, S, L,
          guard=_previous_step, guard_name="has_previous_step"),
    _rule(ST.PROCESSING, Action.REQUEST_SUPPLEMENT, ST.SUPPLEMENT_REQUESTED, S, L),
    _rule(ST.PROCESSING, Action.REQUEST_OBLIGATION, ST.AWAITING_OBLIGATION, S, L),
    _rule(ST.PROCESSING, Action.STOP, ST.STOPPED, L),
    _rule(ST.PROCESSING, Action.APPROVE, ST.RESULT_READY, L,
          guard=_last_step, guard_name="last_step"),
    _rule(ST.PROCESSING, Action.WITHDRAW, ST.WITHDRAWN, A, R),
    _rule(ST.PROCESSING, Action.APOLOGIZE, ST.PROCESSING, L),
    # At intake the completed dossier is received: the desk's to do, not the applicant's.
    _rule(ST.SUPPLEMENT_REQUESTED, Action.COMPLETE_SUPPLEMENT, ST.RECEIVED, R,
          guard=_intake, guard_name="supplement_at_intake"),
    _rule(ST.SUPPLEMENT_REQUESTED, Action.COMPLETE_SUPPLEMENT, ST.PROCESSING, A, R,
          guard=_in_processing, guard_name="supplement_in_processing"),
    _rule(ST.SUPPLEMENT_REQUESTED, Action.WITHDRAW, ST.WITHDRAWN, A, R),
    _rule(ST.SUPPLEMENT_REQUESTED, Action.STOP, ST.STOPPED, L, SYS),
    _rule(ST.AWAITING_OBLIGATION, Action.CONFIRM_OBLIGATION, ST.PROCESSING, R, S, SYS,
          guard=_result_unsigned, guard_name="result_unsigned"),
    _rule(ST.AWAITING_OBLIGATION, Action.CONFIRM_OBLIGATION, ST.RESULT_READY, R, S, SYS,
          guard=_result_signed, guard_name="result_signed"),
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
