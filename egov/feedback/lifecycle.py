"""The life of a feedback (phản ánh, kiến nghị; Decree 20/2008 as amended by Decree 92/2017,
DOMAIN §10, QĐ 766 indicator 5.2): statuses, actions and the transition table, as data.

```
  received ── classify ──► accepted ── answer ──► answered ── publish ──► published
   │  ▲  ▲                    │                   (a leader; only with the sender's consent)
   │  │  └──── reassign ──────┘ (a province administrator: the new agency classifies again)
   │  └─ reassign (to another agency, still waiting)
   └── reject (≤ 2 working days after receipt or transfer) ──► rejected
```

Deadlines, in working time (`core.workcal`): the handling agency classifies, or rejects, within
`REJECT_WITHIN_DAYS` working days of receipt (of the transfer, after a reassignment); after
that it may no longer reject and must handle the feedback. The answer is due
`ANSWER_WITHIN_DAYS` working days after receipt (a transfer gives no extra time: the sender
waits the same), publication `PUBLISH_WITHIN_DAYS` after the answer. Acting late is allowed
and recorded (`classify_late`, `answer_late`, `publish_late`): the indicators count it.

Who (`Actor`): `handler` is a leader, specialist or reception officer of the handling agency;
`leader` a leader of the handling agency (publishing is the leader's approval of the answer);
`province_admin` a province administrator. Auditors read and never act.

No ORM here: the service loads the feedback, asks `rule_for`, asks the policy whether the
actor is one of the rule's actors, then applies the rule.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from egov.core.errors import DomainError

REJECT_WITHIN_DAYS = 2
ANSWER_WITHIN_DAYS = 15
PUBLISH_WITHIN_DAYS = 2


class Status(models.TextChoices):
    RECEIVED = "received", "Chờ phân loại"
    ACCEPTED = "accepted", "Đang xử lý"
    REJECTED = "rejected", "Không tiếp nhận xử lý"
    ANSWERED = "answered", "Đã trả lời"
    PUBLISHED = "published", "Đã trả lời và công khai"


# Still waiting for the agency: the answer deadline runs.
OPEN = frozenset({Status.RECEIVED, Status.ACCEPTED})
FINAL = frozenset({Status.REJECTED, Status.PUBLISHED})


class Action(StrEnum):
    CLASSIFY = "classify"
    REJECT = "reject"
    ANSWER = "answer"
    PUBLISH = "publish"
    REASSIGN = "reassign"


@dataclass(frozen=True)
class ActionText:
    """How people see an action: the button, the history's line, the confirmation."""

    label: str
    log: str
    confirm: str


ACTIONS: dict[Action, ActionText] = {
    Action.CLASSIFY: ActionText(
        "Phân loại, tiếp nhận xử lý", "Phân loại, tiếp nhận xử lý", "Tiếp nhận xử lý phản ánh này?"
    ),
    Action.REJECT: ActionText(
        "Từ chối tiếp nhận", "Từ chối tiếp nhận", "Từ chối tiếp nhận phản ánh này và báo người gửi?"
    ),
    Action.ANSWER: ActionText("Gửi trả lời", "Trả lời", "Gửi câu trả lời này cho người gửi?"),
    Action.PUBLISH: ActionText(
        "Duyệt và công khai", "Duyệt và công khai", "Duyệt câu trả lời và công khai trên Cổng?"
    ),
    Action.REASSIGN: ActionText(
        "Chuyển cơ quan xử lý", "Chuyển cơ quan xử lý", "Chuyển phản ánh sang cơ quan khác?"
    ),
}

# What the history calls things that are not actions.
EVENT_LABELS = {
    "send": "Người gửi gửi phản ánh, kiến nghị",
    "edit_public": "Sửa nội dung công khai",
    **{action.value: text.log for action, text in ACTIONS.items()},
}


class Actor(StrEnum):
    HANDLER = "handler"
    LEADER = "leader"
    PROVINCE_ADMIN = "province_admin"


@dataclass(frozen=True)
class Facts:
    """What the guards need to know, gathered by the service."""

    reject_window_open: bool = True  # within REJECT_WITHIN_DAYS of receipt or transfer
    consented: bool = False  # the sender agreed to publication


@dataclass(frozen=True)
class Rule:
    source: Status
    action: Action
    target: Status
    actors: frozenset[Actor]
    guard: str = ""  # the name of the Facts field that must be true
    refusal: str = ""  # what the person is told when the guard says no


class IllegalFeedbackActionError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="illegal_action")


H, L, P = Actor.HANDLER, Actor.LEADER, Actor.PROVINCE_ADMIN
ST = Status
_LATE_REJECT = (
    f"Đã quá {REJECT_WITHIN_DAYS} ngày làm việc kể từ khi tiếp nhận: không được từ chối nữa, "
    "phải phân loại và xử lý phản ánh, kiến nghị này."
)
_NO_CONSENT = "Người gửi không đồng ý công khai: không được công khai phản ánh, kiến nghị này."

# fmt: off
TABLE: tuple[Rule, ...] = (
    Rule(ST.RECEIVED, Action.CLASSIFY, ST.ACCEPTED, frozenset({H})),
    Rule(ST.RECEIVED, Action.REJECT, ST.REJECTED, frozenset({H}),
         guard="reject_window_open", refusal=_LATE_REJECT),
    Rule(ST.RECEIVED, Action.REASSIGN, ST.RECEIVED, frozenset({P})),
    # The new agency classifies again (and may reject within its own window).
    Rule(ST.ACCEPTED, Action.REASSIGN, ST.RECEIVED, frozenset({P})),
    Rule(ST.ACCEPTED, Action.ANSWER, ST.ANSWERED, frozenset({H})),
    Rule(ST.ANSWERED, Action.PUBLISH, ST.PUBLISHED, frozenset({L}),
         guard="consented", refusal=_NO_CONSENT),
)
# fmt: on


def rules_from(status: Status | str) -> list[Rule]:
    return [rule for rule in TABLE if rule.source == status]


def rule_for(status: Status | str, action: Action | str, facts: Facts) -> Rule:
    """The rule for this action from this status; IllegalFeedbackActionError (with the
    guard's reason when a guard refused) if there is none."""
    try:
        wanted = Action(action)
    except ValueError:
        raise IllegalFeedbackActionError("Thao tác không hợp lệ.") from None
    refusal = ""
    for rule in TABLE:
        if rule.source != status or rule.action != wanted:
            continue
        if not rule.guard or getattr(facts, rule.guard):
            return rule
        refusal = rule.refusal
    raise IllegalFeedbackActionError(
        refusal
        or f"Không thể “{ACTIONS[wanted].label.lower()}” khi phản ánh, kiến nghị ở trạng thái "
        f"“{Status(status).label}”."
    )
