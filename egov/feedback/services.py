"""Writes of feedback: send, classify, reject, answer, publish, reassign, edit the public
version, flag what is overdue. One use case, one transaction; every change of status goes
through `_perform` (the lifecycle table, the policy, the event row, the sender's notice)."""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.catalog.errors import ProcedureNotFoundError
from egov.catalog.models import Procedure
from egov.catalog.selectors import procedure_in_force
from egov.core.errors import NotAllowedError
from egov.core.identifiers import normalise_phone, phone_problem
from egov.core.text import fold
from egov.dossiers.errors import DossierNotFoundError
from egov.dossiers.models import Dossier
from egov.dossiers.selectors import dossier_public_get, officer_label
from egov.notifications.services import Recipient, citizen_notify, staff_notify
from egov.orgs.models import Agency, Role
from egov.orgs.policies import Actor
from egov.orgs.selectors import staff_with_role, working_calendar

from . import lifecycle, policies, selectors
from .cleaning import clean_line, clean_text, redact
from .errors import FeedbackInputError, FeedbackNotFoundError, FeedbackRuleError
from .lifecycle import Action, Status
from .models import Category, Feedback, FeedbackEvent, Kind, SubjectType

# Where people find a feedback (the URL map includes the public pages at /phan-anh/ and the
# staff pages at /can-bo/phan-anh/; tests/feedback/test_pages.py checks these).
FOLLOW_PATH = "/phan-anh/theo-doi/{reference}/"
STAFF_PATH = "/can-bo/phan-anh/{reference}/"

# (least, most) characters, after cleaning.
LIMITS = {
    "title": (5, 200),
    "content": (20, 5000),
    "sender_name": (2, 100),
    "answer": (20, 10000),
    "reason": (10, 2000),
    "note": (0, 2000),
}
DOSSIER_CODE_MAX = 40

# The same answer whether the dossier does not exist or does not match: nobody learns from
# this form which codes exist.
DOSSIER_NOT_MATCHED = (
    "Không đối chiếu được hồ sơ với mã hồ sơ và số điện thoại bạn nhập. Hãy kiểm tra mã hồ sơ "
    "trên Giấy tiếp nhận và nhập số điện thoại của người nộp hồ sơ đã khai khi nộp."
)


@dataclass(frozen=True)
class FeedbackInput:
    """What the sender typed, as strings (the page reads them; the service decides)."""

    kind: str = ""
    subject_type: str = ""
    procedure_code: str = ""
    agency_code: str = ""
    dossier_code: str = ""
    dossier_phone: str = ""
    title: str = ""
    content: str = ""
    sender_name: str = ""
    sender_phone: str = ""
    sender_email: str = ""
    consent: bool = False


@dataclass(frozen=True)
class Prepared:
    """A feedback checked and ready to send: what the check-answers page shows."""

    data: FeedbackInput  # cleaned
    agency: Agency  # who will handle it
    subject_label: str  # what it is about, as the sender sees it
    public_subject: str  # what it is about, as the public will see it (no dossier code)
    procedure: Procedure | None = None
    subject_agency: Agency | None = None
    dossier: Dossier | None = None


# ------------------------------------------------------------------ checking input


def _n(number: int) -> str:
    """5000 → "5.000", as Vietnamese writes it."""
    return f"{number:,}".replace(",", ".")


def _length(fields: dict[str, str], name: str, value: str, label: str, limit: str = "") -> None:
    least, most = LIMITS[limit or name]
    if not value and least:
        fields[name] = f"Nhập {label}."
    elif len(value) < least:
        fields[name] = f"{label.capitalize()} cần ít nhất {least} ký tự."
    elif len(value) > most:
        fields[name] = f"{label.capitalize()} tối đa {_n(most)} ký tự; hãy rút gọn."


def _comparable_phone(phone: str) -> str:
    """ "+84 912 345 678" and "0912345678" compare equal."""
    phone = normalise_phone(phone)
    return "0" + phone[3:] if phone.startswith("+84") else phone


def _match_dossier(actor: Actor, code: str, phone: str) -> Dossier | None:
    """The dossier if this person may name it: its owner signed in, or whoever gives its
    code with the applicant's (or the submitter's) phone. None in every other case, the same
    whether or not the code exists."""
    try:
        dossier = dossier_public_get(code=code)
    except DossierNotFoundError:
        return None
    if actor.is_authenticated and dossier.owner_id == actor.pk:
        return dossier
    given = _comparable_phone(phone)
    known = {_comparable_phone(p) for p in (dossier.applicant_phone, dossier.submitter_phone)}
    if given and given in known - {""}:
        return dossier
    return None


def _subject(actor: Actor, data: FeedbackInput, fields: dict[str, str]) -> dict[str, Any] | None:
    """Resolve what the feedback is about and who handles it; problems go into `fields`."""
    if data.subject_type == SubjectType.PROCEDURE:
        if not data.procedure_code:
            fields["procedure_code"] = "Nhập mã thủ tục, ví dụ 1.001193."
            return None
        try:
            procedure = procedure_in_force(national_code=data.procedure_code[:20])
        except ProcedureNotFoundError:
            fields["procedure_code"] = (
                "Không tìm thấy thủ tục đang áp dụng có mã này. Mã thủ tục có dạng 1.001193, "
                "in trên trang thủ tục."
            )
            return None
        agency = procedure.competent_agency or selectors.province_front_agency()
        if agency is None:
            raise FeedbackRuleError(
                "Chưa xác định được cơ quan tiếp nhận phản ánh; xin liên hệ Trung tâm Phục vụ "
                "hành chính công.",
                code="no_handling_agency",
            )
        label = f"Thủ tục: {procedure.name} (mã {procedure.national_code})"
        return {
            "procedure": procedure,
            "agency": agency,
            "subject_label": label,
            "public_subject": label,
        }
    if data.subject_type == SubjectType.AGENCY:
        named = selectors.agency_in_force(code=data.agency_code[:20]) if data.agency_code else None
        if named is None:
            fields["agency_code"] = "Chọn cơ quan, đơn vị bạn phản ánh."
            return None
        label = f"Cơ quan: {named.name}"
        return {
            "subject_agency": named,
            "agency": named,
            "subject_label": label,
            "public_subject": label,
        }
    if data.subject_type == SubjectType.DOSSIER:
        if not data.dossier_code:
            fields["dossier_code"] = "Nhập mã hồ sơ in trên Giấy tiếp nhận hồ sơ."
            return None
        if data.dossier_phone and phone_problem(data.dossier_phone):
            fields["dossier_phone"] = phone_problem(data.dossier_phone) or ""
            return None
        dossier = None
        if len(data.dossier_code) <= DOSSIER_CODE_MAX:
            dossier = _match_dossier(actor, data.dossier_code, data.dossier_phone)
        if dossier is None:
            fields["dossier_code"] = DOSSIER_NOT_MATCHED
            return None
        return {
            "dossier": dossier,
            "agency": dossier.competent_agency,
            "subject_label": f"Hồ sơ {dossier.code}: {dossier.procedure.name}",
            "public_subject": f"Hồ sơ thủ tục: {dossier.procedure.name}",
        }
    fields["subject_type"] = "Chọn nội dung bạn phản ánh, kiến nghị là về điều gì."
    return None


def _clean(data: FeedbackInput) -> FeedbackInput:
    return replace(
        data,
        kind=clean_line(data.kind),
        subject_type=clean_line(data.subject_type),
        procedure_code=clean_line(data.procedure_code),
        agency_code=clean_line(data.agency_code),
        dossier_code=clean_line(data.dossier_code).upper(),
        dossier_phone=normalise_phone(clean_line(data.dossier_phone)),
        title=clean_line(data.title),
        content=clean_text(data.content),
        sender_name=clean_line(data.sender_name),
        sender_phone=normalise_phone(clean_line(data.sender_phone)),
        sender_email=clean_line(data.sender_email),
    )


def feedback_prepare(*, actor: Actor, data: FeedbackInput) -> Prepared:
    """Check a feedback without writing it: FeedbackInputError with every problem by field.
    A dossier is accepted only from its owner or with the applicant's phone."""
    data = _clean(data)
    fields: dict[str, str] = {}
    if data.kind not in Kind.values:
        fields["kind"] = "Chọn phản ánh hoặc kiến nghị."
    subject = _subject(actor, data, fields)
    _length(fields, "title", data.title, "tiêu đề")
    _length(fields, "content", data.content, "nội dung")
    _length(fields, "sender_name", data.sender_name, "họ và tên")
    if data.sender_phone and (problem := phone_problem(data.sender_phone)):
        fields["sender_phone"] = problem
    if data.sender_email:
        try:
            if len(data.sender_email) > 254:
                raise ValidationError("too long")
            validate_email(data.sender_email)
        except ValidationError:
            fields["sender_email"] = "Thư điện tử không đúng dạng, ví dụ ten@example.vn."
    if not data.sender_phone and not data.sender_email:
        fields["sender_phone"] = (
            "Nhập số điện thoại hoặc thư điện tử (ít nhất một) để nhận thông báo trả lời."
        )
    if fields or subject is None:
        raise FeedbackInputError(fields)
    return Prepared(data=data, **subject)


# ------------------------------------------------------------------ telling people


def _tell_sender(feedback: Feedback, template: str, **extra: Any) -> None:
    citizen_notify(
        recipient=Recipient(
            name=feedback.sender_name,
            phone=feedback.sender_phone,
            email=feedback.sender_email,
            user_id=feedback.sender_user_id,
        ),
        template=f"feedback/messages/{template}",
        context={
            "site_name": settings.MOTCUA_SITE_NAME,
            "kind": feedback.get_kind_display(),
            "title": feedback.title,
            "reference": str(feedback.reference),
            "agency": feedback.agency.name,
            "answer_due": timezone.localtime(feedback.answer_due),
            "follow_url": settings.MOTCUA_PUBLIC_URL.rstrip("/")
            + FOLLOW_PATH.format(reference=feedback.reference),
            **extra,
        },
        key=f"feedback:{feedback.reference}:{template}",
    )


def _tell_handlers(feedback: Feedback, title: str) -> None:
    """The leaders and reception officers of the handling agency, in the desk's notices."""
    people: dict[int, User] = {}
    for role in (Role.LEADER, Role.RECEPTION):
        for user in staff_with_role(role=role, agency=feedback.agency):
            people[user.pk] = user
    if people:
        staff_notify(
            recipients=list(people.values()),
            title=title[:255],
            body=f"{feedback.get_kind_display()}: {feedback.title}. Hạn phân loại "
            f"{timezone.localtime(feedback.classify_due):%H:%M %d/%m/%Y}, hạn trả lời "
            f"{timezone.localtime(feedback.answer_due):%H:%M %d/%m/%Y}.",
            link=STAFF_PATH.format(reference=feedback.reference),
        )


def _event(
    feedback: Feedback,
    *,
    action: str,
    actor: Actor | None,
    at: datetime.datetime,
    from_status: str = "",
    note: str = "",
    late: bool = False,
) -> FeedbackEvent:
    if actor is not None and actor.is_authenticated:
        label = officer_label(actor, agencies=[feedback.agency_id])
        user_id = actor.pk
    else:
        label, user_id = feedback.sender_name, None
    return FeedbackEvent.objects.create(
        feedback=feedback,
        action=action,
        from_status=from_status,
        to_status=feedback.status,
        actor_id=user_id,
        actor_label=label[:300],
        at=at,
        note=note,
        late=late,
    )


# ------------------------------------------------------------------ sending


def _due(start: datetime.datetime, days: int) -> datetime.datetime:
    return working_calendar().due_time(start, days, "working_days")


@transaction.atomic(durable=True)
def feedback_send(*, actor: Actor, data: FeedbackInput, token: str = "") -> Feedback:
    """Receive a feedback from anyone: deadlines set in working time, the sender told with
    the reference, the handling agency's leaders and reception officers told. The same
    `token` (the check page's) again returns the first feedback unchanged."""
    token = token[:32]
    if token and (earlier := Feedback.objects.filter(submission_token=token).first()):
        return earlier
    prepared = feedback_prepare(actor=actor, data=data)
    clean = prepared.data
    now = timezone.now()
    try:
        with transaction.atomic():
            feedback = _create(actor, prepared, clean, now, token)
    except IntegrityError:
        # Sent twice at the same moment: the other request's feedback stands.
        earlier = Feedback.objects.filter(submission_token=token).first() if token else None
        if earlier is None:
            raise
        return earlier
    _event(feedback, action="send", actor=None, at=now)
    _tell_sender(feedback, "received")
    _tell_handlers(feedback, f"Phản ánh, kiến nghị mới: {feedback.title}")
    return feedback


def _create(
    actor: Actor, prepared: Prepared, clean: FeedbackInput, now: datetime.datetime, token: str
) -> Feedback:
    return Feedback.objects.create(
        reference=uuid.uuid4(),
        submission_token=token,
        kind=clean.kind,
        subject_type=clean.subject_type,
        procedure=prepared.procedure,
        subject_agency=prepared.subject_agency,
        dossier=prepared.dossier,
        agency=prepared.agency,
        title=clean.title,
        content=clean.content,
        sender_name=clean.sender_name,
        sender_phone=clean.sender_phone,
        sender_email=clean.sender_email,
        sender_user_id=actor.pk if actor.is_authenticated else None,
        consent_to_publish=clean.consent,
        status=Status.RECEIVED,
        received_at=now,
        routed_at=now,
        classify_due=_due(now, lifecycle.REJECT_WITHIN_DAYS),
        answer_due=_due(now, lifecycle.ANSWER_WITHIN_DAYS),
        public_title=redact(clean.title, names=(clean.sender_name,)),
        public_content=redact(clean.content, names=(clean.sender_name,)),
        public_subject=prepared.public_subject,
    )


# ------------------------------------------------------------------ the one door


@dataclass(frozen=True)
class Changed:
    """What an action's change did: the fields it set, whether it was late, the history's
    note."""

    fields: list[str]
    late: bool = False
    note: str = ""


Change = Callable[[Feedback, datetime.datetime], Changed]


def _locked(actor: Actor, reference: str | uuid.UUID) -> Feedback:
    found = (
        Feedback.objects.select_for_update(of=("self",))
        .filter(policies.visible_q(actor), reference=selectors.parse_reference(reference))
        .select_related("agency")
        .first()
    )
    if found is None:
        raise FeedbackNotFoundError
    return found


def _perform(
    *, actor: Actor, reference: str | uuid.UUID, action: Action, change: Change
) -> Feedback:
    """Lock, ask the table and the policy, change, record: the only way a status changes.
    Not visible: FeedbackNotFoundError (404); no such move: IllegalFeedbackActionError;
    visible but not theirs to do: NotAllowedError (403); bad input: FeedbackInputError."""
    feedback = _locked(actor, reference)
    now = timezone.now()
    rule = lifecycle.rule_for(feedback.status, action, selectors.facts_of(feedback, now))
    if not policies.is_one_of(actor, rule.actors, feedback.agency):
        raise NotAllowedError(
            f"Bạn không có quyền “{lifecycle.ACTIONS[action].label.lower()}” với phản ánh, "
            "kiến nghị này."
        )
    from_status = feedback.status
    changed = change(feedback, now)
    feedback.status = rule.target
    feedback.overdue = selectors.is_overdue(feedback, now)
    feedback.save(update_fields=[*changed.fields, "status", "overdue", "updated_at"])
    _event(
        feedback,
        action=action.value,
        actor=actor,
        at=now,
        from_status=from_status,
        note=changed.note,
        late=changed.late,
    )
    return feedback


def _checked(value: str, name: str, label: str) -> str:
    text = clean_text(value)
    fields: dict[str, str] = {}
    _length(fields, name, text, label)
    if fields:
        raise FeedbackInputError(fields)
    return text


@transaction.atomic(durable=True)
def feedback_classify(
    *, actor: Actor, reference: str | uuid.UUID, category: str, note: str = ""
) -> Feedback:
    """The handling agency takes it on and says what it is about (indicator 5.1). Late is
    allowed (and recorded): after the deadline it may no longer be rejected."""

    def change(feedback: Feedback, now: datetime.datetime) -> Changed:
        written = _checked(note, "note", "ghi chú")
        if category not in Category.values:
            raise FeedbackInputError({"category": "Chọn phân loại phản ánh, kiến nghị."})
        feedback.category = category
        feedback.classified_at = now
        feedback.classified_by_id = actor.pk
        feedback.classify_late = now > feedback.classify_due
        return Changed(
            ["category", "classified_at", "classified_by", "classify_late"],
            late=feedback.classify_late,
            note=written,
        )

    return _perform(actor=actor, reference=reference, action=Action.CLASSIFY, change=change)


@transaction.atomic(durable=True)
def feedback_reject(*, actor: Actor, reference: str | uuid.UUID, reason: str) -> Feedback:
    """Not for this process (a complaint or denunciation, not about administrative
    regulations, not the agency's…), only within 2 working days of receipt or transfer; the
    sender is told why."""

    def change(feedback: Feedback, now: datetime.datetime) -> Changed:
        feedback.reject_reason = _checked(reason, "reason", "lý do")
        feedback.rejected_at = now
        feedback.rejected_by_id = actor.pk
        return Changed(["reject_reason", "rejected_at", "rejected_by"], note=feedback.reject_reason)

    feedback = _perform(actor=actor, reference=reference, action=Action.REJECT, change=change)
    _tell_sender(feedback, "rejected", reason=feedback.reject_reason)
    return feedback


@transaction.atomic(durable=True)
def feedback_answer(*, actor: Actor, reference: str | uuid.UUID, answer: str) -> Feedback:
    """The agency's answer, sent to the sender; late answers are recorded (5.2, TT 01 ind. 8)."""

    def change(feedback: Feedback, now: datetime.datetime) -> Changed:
        feedback.answer = _checked(answer, "answer", "nội dung trả lời")
        feedback.answered_at = now
        feedback.answered_by_id = actor.pk
        feedback.answered_by_label = officer_label(actor, agencies=[feedback.agency_id])[:300]
        feedback.answer_late = now > feedback.answer_due
        if feedback.consent_to_publish:
            feedback.publish_due = _due(now, lifecycle.PUBLISH_WITHIN_DAYS)
        fields = ["answer", "answered_at", "answered_by", "answered_by_label", "answer_late"]
        return Changed([*fields, "publish_due"], late=feedback.answer_late)

    feedback = _perform(actor=actor, reference=reference, action=Action.ANSWER, change=change)
    _tell_sender(feedback, "answered")
    return feedback


def _search_text(feedback: Feedback) -> str:
    # A leading space lets the search match the start of a word, as the catalogue's does.
    return " " + fold(
        " ".join(
            [
                feedback.public_subject,
                feedback.public_title,
                feedback.public_content,
                feedback.answer,
                feedback.agency.name,
            ]
        )
    )


@transaction.atomic(durable=True)
def feedback_publish(*, actor: Actor, reference: str | uuid.UUID) -> Feedback:
    """A leader of the handling agency approves the answer and publishes it with the public
    version of the question: never the sender's name or contacts. Only with the sender's
    consent."""

    def change(feedback: Feedback, now: datetime.datetime) -> Changed:
        feedback.published_at = now
        feedback.published_by_id = actor.pk
        feedback.publish_late = feedback.publish_due is not None and now > feedback.publish_due
        feedback.search_text = _search_text(feedback)
        return Changed(
            ["published_at", "published_by", "publish_late", "search_text"],
            late=feedback.publish_late,
        )

    return _perform(actor=actor, reference=reference, action=Action.PUBLISH, change=change)


@transaction.atomic(durable=True)
def feedback_reassign(
    *, actor: Actor, reference: str | uuid.UUID, agency_code: str, note: str = ""
) -> Feedback:
    """A province administrator gives it to another agency, which classifies it again within
    its own 2 working days; the answer's deadline stays (the sender waits no longer)."""
    target = selectors.agency_in_force(code=clean_line(agency_code)[:20]) if agency_code else None

    def change(feedback: Feedback, now: datetime.datetime) -> Changed:
        written = _checked(note, "note", "ghi chú")
        if target is None:
            raise FeedbackInputError({"agency_code": "Chọn cơ quan sẽ xử lý."})
        if target.pk == feedback.agency_id:
            raise FeedbackInputError({"agency_code": "Phản ánh đang ở cơ quan này."})
        feedback.agency = target
        feedback.routed_at = now
        feedback.classify_due = _due(now, lifecycle.REJECT_WITHIN_DAYS)
        feedback.category = ""
        feedback.classified_at = None
        feedback.classified_by = None
        feedback.classify_late = False
        fields = ["agency", "routed_at", "classify_due", "category", "classified_at"]
        return Changed(
            [*fields, "classified_by", "classify_late"],
            note=f"Chuyển đến {target.name}. {written}".strip(),
        )

    feedback = _perform(actor=actor, reference=reference, action=Action.REASSIGN, change=change)
    _tell_handlers(feedback, f"Phản ánh, kiến nghị được chuyển đến: {feedback.title}")
    return feedback


@transaction.atomic(durable=True)
def feedback_edit_public(
    *, actor: Actor, reference: str | uuid.UUID, title: str, content: str
) -> Feedback:
    """Staff edit the version the public will read (or reads): personal details taken out.
    Not a change of status; recorded in the history."""
    feedback = _locked(actor, reference)
    if not policies.can_edit_public(actor, feedback):
        raise NotAllowedError("Bạn không sửa được nội dung công khai của phản ánh này.")
    fields: dict[str, str] = {}
    title, content = clean_line(title), clean_text(content)
    _length(fields, "public_title", title, "tiêu đề công khai", "title")
    _length(fields, "public_content", content, "nội dung công khai", "content")
    if fields:
        raise FeedbackInputError(fields)
    feedback.public_title, feedback.public_content = title, content
    update = ["public_title", "public_content", "updated_at"]
    if feedback.status == Status.PUBLISHED:
        feedback.search_text = _search_text(feedback)
        update.append("search_text")
    feedback.save(update_fields=update)
    _event(
        feedback,
        action="edit_public",
        actor=actor,
        at=timezone.now(),
        from_status=feedback.status,
    )
    return feedback


def feedback_flag_overdue(*, now: datetime.datetime | None = None) -> int:
    """Keep the `overdue` flags true to the clock: two set-based UPDATEs, for cron or the
    task worker every few minutes (as the dossiers' `flag_deadlines`). Returns rows changed."""
    now = now or timezone.now()
    late = selectors.overdue_q(now)
    with transaction.atomic():
        changed = Feedback.objects.filter(late, overdue=False).update(overdue=True)
        changed += Feedback.objects.filter(overdue=True).exclude(late).update(overdue=False)
    return changed
