"""Feedback pages: the public's (send with a check-your-answers step, follow by reference,
the published answers with search) and the staff's (the queue, one feedback with its
actions). Parse, call a selector or a service, render: the rules live in services.py."""

import uuid
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from egov.accounts.selectors import citizen_identity
from egov.core.errors import DomainError, NotAllowedError
from egov.core.http import HtmxHttpRequest
from egov.core.ratelimit import allow
from egov.orgs.policies import is_staff_member

from . import lifecycle, policies, selectors, services
from .errors import FeedbackInputError, FeedbackNotFoundError
from .models import KIND_HINTS, Category, Feedback, Kind, SubjectType

PUBLIC_PAGE_SIZE = 10
QUEUE_PAGE_SIZE = 50
MAX_QUERY_LENGTH = 200
MAX_PAGE = 10_000
SESSION_SENT = "feedback_sent"  # the reference to show once, on the next page

# The form's fields in page order, with the id the error summary links to.
FIELD_ORDER = [
    ("kind", "kind-report"),
    ("subject_type", "subject_type-procedure"),
    ("procedure_code", "procedure_code"),
    ("agency_code", "agency_code"),
    ("dossier_code", "dossier_code"),
    ("dossier_phone", "dossier_phone"),
    ("title", "title"),
    ("content", "content"),
    ("sender_name", "sender_name"),
    ("sender_phone", "sender_phone"),
    ("sender_email", "sender_email"),
]
TEXT_FIELDS = [name for name, _ in FIELD_ORDER]
# Raw input is cut here before anything else (the service still says when text is too long):
# a megabyte pasted into a name field is not worth reading.
RAW_CAP = 20_000


def _input(post: QueryDict) -> services.FeedbackInput:
    values = {name: post.get(name, "")[:RAW_CAP] for name in TEXT_FIELDS}
    return services.FeedbackInput(**values, consent=post.get("consent") == "yes")


def _values(data: services.FeedbackInput) -> dict[str, Any]:
    return {name: getattr(data, name) for name in TEXT_FIELDS} | {"consent": data.consent}


def _form_page(
    request: HttpRequest,
    data: services.FeedbackInput,
    *,
    errors: dict[str, str] | None = None,
    error: str = "",
    focus: str = "",
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    summary = [
        {"href": f"#{anchor}", "message": errors[name]}
        for name, anchor in FIELD_ORDER
        if name in errors
    ]
    return render(
        request,
        "feedback/send.html",
        {
            "values": _values(data),
            "errors": errors,
            "summary": summary,
            "error": error,
            "focus": focus if focus in [*TEXT_FIELDS, "consent"] else "",
            "kinds": [(value, label, KIND_HINTS[Kind(value)]) for value, label in Kind.choices],
            "subject_types": SubjectType.choices,
            "agencies": selectors.agencies_in_force().only("code", "name"),
            "limits": services.LIMITS,
        },
        status=status,
    )


def _prefill(request: HttpRequest) -> services.FeedbackInput:
    """A link from a procedure's page (?thu_tuc=), an agency (?co_quan=) or a dossier
    (?ho_so=) starts the form on it; a citizen signed in with VNeID finds their name, phone
    and e-mail filled in."""
    get = request.GET
    data = services.FeedbackInput()
    if get.get("thu_tuc"):
        data = replace(data, subject_type="procedure", procedure_code=get["thu_tuc"][:20])
    elif get.get("co_quan"):
        data = replace(data, subject_type="agency", agency_code=get["co_quan"][:20])
    elif get.get("ho_so"):
        data = replace(data, subject_type="dossier", dossier_code=get["ho_so"][:40])
    identity = citizen_identity(request.user)
    if identity is not None:
        data = replace(
            data,
            sender_name=identity.org_name or identity.full_name,
            sender_phone=identity.phone,
            sender_email=identity.email,
        )
    return data


@require_http_methods(["GET", "POST"])
def send(request: HttpRequest) -> HttpResponse:
    """One page of questions, then "check your answers", then send (GOV.UK's pattern)."""
    if request.method == "GET":
        return _form_page(request, _prefill(request))
    data = _input(request.POST)
    if "sua" in request.POST:  # "Thay đổi" on the check page: back to the questions
        return _form_page(request, data, focus=request.POST.get("sua", ""))
    if not allow(request, scope="feedback_send", rate=settings.MOTCUA_FEEDBACK_RATE):
        return _form_page(
            request,
            data,
            error="Bạn đã gửi quá nhiều lần trong thời gian ngắn; hãy thử lại sau ít phút.",
            status=429,
        )
    sending = request.POST.get("buoc") == "gui"
    try:
        if sending:
            # The check page's token: a double click makes one feedback, shown again.
            feedback = services.feedback_send(
                actor=request.user, data=data, token=request.POST.get("token", "")[:32]
            )
        else:
            prepared = services.feedback_prepare(actor=request.user, data=data)
    except FeedbackInputError as problem:
        return _form_page(request, data, errors=problem.fields, status=422)
    except DomainError as problem:
        return _form_page(request, data, error=problem.message, status=422)
    if sending:
        request.session[SESSION_SENT] = str(feedback.reference)
        return redirect(reverse("feedback:sent"))
    return render(
        request,
        "feedback/check.html",
        {
            "prepared": prepared,
            "values": _values(prepared.data),
            "kind_label": Kind(prepared.data.kind).label,
            "token": uuid.uuid4().hex,
        },
    )


@never_cache
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """The reference, shown once: a reload shows how to follow without it."""
    reference = request.session.pop(SESSION_SENT, None)
    feedback = None
    if reference:
        try:
            feedback = selectors.feedback_follow(reference=reference)
        except FeedbackNotFoundError:
            feedback = None
    return render(request, "feedback/sent.html", {"feedback": feedback})


def _follow_limited(request: HttpRequest) -> bool:
    return not allow(request, scope="feedback_follow", rate=settings.MOTCUA_PUBLIC_LOOKUP_RATE)


@never_cache
@require_GET
def follow_lookup(request: HttpRequest) -> HttpResponse:
    """Type the reference to follow a feedback."""
    typed = request.GET.get("ma", "").strip()[:64]
    if not typed:
        return render(request, "feedback/follow_lookup.html", {"typed": ""})
    try:
        reference = uuid.UUID(typed)
    except ValueError:
        error = (
            "Số tham chiếu gồm 32 chữ số và chữ cái (a–f), "
            "ví dụ 1b4e28ba-2fa1-11d2-883f-0016d3cca427."
        )
        return render(
            request, "feedback/follow_lookup.html", {"typed": typed, "error": error}, status=400
        )
    return redirect(reverse("feedback:follow", args=[reference]))


@never_cache
@require_GET
def follow(request: HttpRequest, reference: uuid.UUID) -> HttpResponse:
    """The sender's page: status, deadlines, the answer; never the contacts."""
    if _follow_limited(request):
        error = "Bạn tra cứu quá nhiều lần; hãy thử lại sau ít phút."
        return render(request, "feedback/follow_lookup.html", {"error": error}, status=429)
    try:
        feedback = selectors.feedback_follow(reference=reference)
    except FeedbackNotFoundError:
        error = "Không tìm thấy phản ánh, kiến nghị có số tham chiếu này. Hãy kiểm tra lại."
        return render(
            request,
            "feedback/follow_lookup.html",
            {"typed": str(reference), "error": error},
            status=404,
        )
    return render(request, "feedback/follow.html", {"feedback": feedback})


@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def published_list(request: HtmxHttpRequest) -> HttpResponse:
    """Published answers, searchable with or without diacritics."""
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    page = Paginator(selectors.published_search(query=query), PUBLIC_PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    partial = request.htmx and not request.htmx.history_restore_request
    template = "feedback/_published_results.html" if partial else "feedback/published_list.html"
    return render(request, template, {"query": query, "page": page})


@require_GET
def published_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        feedback = selectors.published_get(public_id=public_id)
    except FeedbackNotFoundError as error:
        raise Http404(error.message) from error
    return render(request, "feedback/published_detail.html", {"feedback": feedback})


# ------------------------------------------------------------------ staff


def _staff_only(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied("Trang dành cho cán bộ.")


def _page_number(raw: str) -> int:
    try:
        return min(max(1, int(raw)), MAX_PAGE)
    except ValueError:
        return 1


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The handling agency's feedback by tab, with counts; province-wide roles see all."""
    _staff_only(request)
    tab = request.GET.get("tab", "new")
    if tab not in selectors.TABS:
        tab = "new"
    now = timezone.now()
    found = selectors.queue_get(actor=request.user, tab=tab, now=now)
    counts = found.counts
    page = Paginator(found.rows, QUEUE_PAGE_SIZE).get_page(
        _page_number(request.GET.get("trang", "1"))
    )
    for row in page.object_list:
        row.is_overdue = selectors.is_overdue(row, now)
    return render(
        request,
        "feedback/staff/queue.html",
        {
            "tabs": [(key, label, counts[key]) for key, label in selectors.TABS.items()],
            "tab": tab,
            "page": page,
            "now": now,
        },
    )


def _detail(
    request: HttpRequest,
    feedback: Feedback,
    *,
    status: int = 200,
    error: str = "",
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    open_action: str = "",
) -> HttpResponse:
    now = timezone.now()
    actions = selectors.actions_available(actor=request.user, feedback=feedback, now=now)
    names = {action.value for action in actions}
    events = list(selectors.feedback_events(feedback=feedback))
    for event in events:
        event.label = lifecycle.EVENT_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
    return render(
        request,
        "feedback/staff/detail.html",
        {
            "feedback": feedback,
            "actions": {action.value: lifecycle.ACTIONS[action] for action in actions},
            "categories": Category.choices,
            "agencies": selectors.agencies_in_force().only("code", "name")
            if "reassign" in names
            else [],
            "events": events,
            "can_edit_public": policies.can_edit_public(request.user, feedback),
            "overdue": selectors.is_overdue(feedback, now),
            "reject_window_open": now <= feedback.classify_due,
            "error": error,
            "errors": errors or {},
            "typed": typed or {},
            "open_action": open_action,
        },
        status=status,
    )


def _get(request: HttpRequest, reference: uuid.UUID) -> Feedback:
    try:
        return selectors.feedback_get(actor=request.user, reference=reference)
    except FeedbackNotFoundError as error:
        raise Http404(error.message) from error


@login_required
@require_GET
def detail(request: HttpRequest, reference: uuid.UUID) -> HttpResponse:
    _staff_only(request)
    return _detail(request, _get(request, reference))


# The staff form's fields each action reads, capped before the service checks them.
ACTION_FIELDS = {
    "classify": ["category", "note"],
    "reject": ["reason"],
    "answer": ["answer"],
    "publish": [],
    "reassign": ["agency_code", "note"],
    "edit_public": ["public_title", "public_content"],
}


def _run(actor: Any, reference: uuid.UUID, action: str, typed: dict[str, str]) -> Feedback:
    if action == "classify":
        return services.feedback_classify(
            actor=actor, reference=reference, category=typed["category"], note=typed["note"]
        )
    if action == "reject":
        return services.feedback_reject(actor=actor, reference=reference, reason=typed["reason"])
    if action == "answer":
        return services.feedback_answer(actor=actor, reference=reference, answer=typed["answer"])
    if action == "publish":
        return services.feedback_publish(actor=actor, reference=reference)
    if action == "reassign":
        return services.feedback_reassign(
            actor=actor, reference=reference, agency_code=typed["agency_code"], note=typed["note"]
        )
    return services.feedback_edit_public(
        actor=actor,
        reference=reference,
        title=typed["public_title"],
        content=typed["public_content"],
    )


DONE = {
    "classify": "Đã phân loại và tiếp nhận xử lý.",
    "reject": "Đã từ chối tiếp nhận và báo người gửi.",
    "answer": "Đã gửi câu trả lời cho người gửi.",
    "publish": "Đã duyệt và công khai câu trả lời.",
    "reassign": "Đã chuyển sang cơ quan khác xử lý.",
    "edit_public": "Đã lưu nội dung công khai.",
}


@login_required
@require_POST
def act(request: HttpRequest, reference: uuid.UUID, action: str) -> HttpResponse:
    """One action on one feedback; what was typed comes back with any problem."""
    _staff_only(request)
    if action not in ACTION_FIELDS:
        raise Http404("Không có thao tác này.")
    typed = {name: request.POST.get(name, "")[:RAW_CAP] for name in ACTION_FIELDS[action]}
    try:
        services_done = _run(request.user, reference, action, typed)
    except FeedbackNotFoundError as error:
        raise Http404(error.message) from error
    except FeedbackInputError as problem:
        return _detail(
            request,
            _get(request, reference),
            status=422,
            error=problem.message,
            errors=problem.fields,
            typed=typed,
            open_action=action,
        )
    except NotAllowedError as problem:
        return _detail(request, _get(request, reference), status=403, error=problem.message)
    except DomainError as problem:
        return _detail(
            request,
            _get(request, reference),
            status=422,
            error=problem.message,
            typed=typed,
            open_action=action,
        )
    messages.success(request, DONE[action])
    return redirect(reverse("feedback_staff:detail", args=[services_done.reference]))
