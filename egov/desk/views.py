"""The officers' pages: parse, call a selector or the engine's services, render. No rules.

Every page needs a staff member (someone with an active role); who sees which dossier and who
may do what is the engine's answer (egov.dossiers.policies, selectors, services).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_POST

from egov.appointments.selectors import appointments_today
from egov.catalog.selectors import sector_list
from egov.core.errors import DomainError
from egov.dossiers import lifecycle
from egov.dossiers.errors import DossierNotFoundError, StaleVersionError
from egov.dossiers.models import ApplicantType, Channel
from egov.dossiers.policies import can_assign as can_assign_step
from egov.dossiers.printing import forms_available
from egov.dossiers.selectors import (
    TABS,
    WorklistFilters,
    actions_available,
    agency_dashboard,
    assignable_officers,
    dossier_get,
    dossier_page_parts,
    dossier_worklist,
    handover_of,
    intake_deadlines,
    is_overdue,
    open_task_of,
    worklist_counts,
)
from egov.dossiers.services import (
    ResultFile,
    dossier_approve,
    dossier_perform,
    task_assign,
)
from egov.orgs.models import Role
from egov.orgs.policies import is_staff_member
from egov.orgs.selectors import memberships_of

PAGE_SIZE = 50

FORMS = [
    ("01", "Giấy tiếp nhận (Mẫu 01)"),
    ("02", "Phiếu yêu cầu bổ sung (Mẫu 02)"),
    ("03", "Phiếu từ chối (Mẫu 03)"),
    ("04", "Phiếu xin lỗi (Mẫu 04)"),
    ("05", "Phiếu kiểm soát (Mẫu 05)"),
    ("stop", "Thông báo dừng"),
]


def staff_only(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied("Trang dành cho cán bộ.")


SESSION_AGENCY = "desk_agency"


def _filters(request: HttpRequest) -> WorklistFilters:
    get = request.GET
    tab = get.get("tab", "agency")
    return WorklistFilters(
        agency_id=request.session.get(SESSION_AGENCY),
        tab=tab if tab in TABS else "agency",
        procedure=get.get("thu_tuc", "")[:8],
        sector=get.get("linh_vuc", "")[:20],
        channel=get.get("kenh", "") if get.get("kenh") in Channel.values else "",
        received_from=parse_date(get.get("tu_ngay", "") or "") if get.get("tu_ngay") else None,
        received_to=parse_date(get.get("den_ngay", "") or "") if get.get("den_ngay") else None,
        search=get.get("q", "")[:100],
    )


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    staff_only(request)
    try:
        filters = _filters(request)
    except ValueError:  # an impossible date such as 2026-02-30
        filters = WorklistFilters(tab="agency")
    rows = dossier_worklist(
        actor=request.user, filters=filters, after=request.GET.get("sau") or None, limit=PAGE_SIZE
    )
    deadlines = intake_deadlines(dossiers=rows) if filters.tab == "intake" else {}
    for row in rows:
        row.intake_deadline = deadlines.get(row.pk)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("sau", None)
    next_page = None
    if len(rows) == PAGE_SIZE:
        query["sau"] = str(rows[-1].reference)
        next_page = f"?{query.urlencode()}"
    return render(
        request,
        "desk/worklist.html",
        {
            "rows": rows,
            "tabs": [
                (key, label, count)
                for (key, label), count in zip(
                    TABS.items(),
                    worklist_counts(actor=request.user, agency_id=filters.agency_id).values(),
                    strict=True,
                )
            ],
            "filters": filters,
            "sectors": sector_list(),
            "channels": Channel.choices,
            "next_page": next_page,
            "now": timezone.now(),
            "books": _books(request),
            "my_agencies": _my_agencies(request),
            "chosen_agency": filters.agency_id,
            # Who booked a time at the counter today (the reception's arrivals).
            "appointments_today": appointments_today(
                actor=request.user, agency_id=filters.agency_id
            ),
        },
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The leader's month: received, in process and overdue, returned, decided and the
    on-time rate, the five most overdue dossiers and the open steps per officer; each figure
    with what it counts (egov.dossiers.selectors.dashboard)."""
    staff_only(request)
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    board = agency_dashboard(actor=request.user, month_start=start)
    if not board.leading:
        raise PermissionDenied("Trang dành cho lãnh đạo cơ quan.")
    return render(request, "desk/dashboard.html", {"board": board, "month": start})


def _my_agencies(request: HttpRequest) -> list[Any]:
    agencies = {m.agency_id: m.agency for m in memberships_of(user=request.user)}
    return sorted(agencies.values(), key=lambda agency: agency.name)


@login_required
@require_POST
def choose_agency(request: HttpRequest) -> HttpResponse:
    """For people who work in several agencies: whose work the worklist shows."""
    staff_only(request)
    mine = {agency.pk for agency in _my_agencies(request)}
    try:
        chosen = int(request.POST.get("agency", ""))
    except ValueError:
        chosen = 0
    if chosen in mine:
        request.session[SESSION_AGENCY] = chosen
    else:
        request.session.pop(SESSION_AGENCY, None)  # "all my agencies"
    return redirect(reverse("desk:worklist"))


def _books(request: HttpRequest) -> list[dict[str, str]]:
    """This month's tracking book (Mẫu 06) of each desk the officer receives at."""
    today = timezone.localdate()
    period = f"from={today.replace(day=1):%Y-%m-%d}&to={today:%Y-%m-%d}"
    return [
        {
            "name": membership.agency.name,
            "pdf": f"/api/v1/agencies/{membership.agency.code}/tracking-book.pdf?{period}",
            "xlsx": f"/api/v1/agencies/{membership.agency.code}/tracking-book.xlsx?{period}",
        }
        for membership in memberships_of(user=request.user)
        if membership.role == Role.RECEPTION
    ]


# How the dossier page shows each action. What moves a dossier on is a main button; what ends
# it without a result (a refusal, a withdrawal, a stop) looks like a warning and asks once more
# before it is sent; the rest are secondary. Presentation only: what is allowed is the engine's.
MAIN_ACTIONS = frozenset(
    {
        lifecycle.Action.RECEIVE,
        lifecycle.Action.TRANSFER,
        lifecycle.Action.FORWARD,
        lifecycle.Action.APPROVE,
        lifecycle.Action.COMPLETE_SUPPLEMENT,
        lifecycle.Action.SUBMIT_SUPPLEMENT,
        lifecycle.Action.CONFIRM_OBLIGATION,
        lifecycle.Action.RETURN_RESULT,
    }
)
ENDING_ACTIONS = frozenset(
    {lifecycle.Action.REFUSE, lifecycle.Action.WITHDRAW, lifecycle.Action.STOP}
)
# The actions that hand the dossier to another step, or to the desk that returns the result.
HANDOVERS = frozenset(
    {
        lifecycle.Action.TRANSFER,
        lifecycle.Action.FORWARD,
        lifecycle.Action.APPROVE,
        lifecycle.Action.SEND_BACK,
    }
)
# The slip an action makes, offered at the top of the page once it is done (as after intake).
SLIP_OF_ACTION = {
    lifecycle.Action.RECEIVE: "01",
    lifecycle.Action.REQUEST_SUPPLEMENT: "02",
    lifecycle.Action.REFUSE: "03",
    lifecycle.Action.APOLOGIZE: "04",
    lifecycle.Action.STOP: "stop",
}
# An action the engine refused, with what was typed, shown by its form on the next page view.
SESSION_FAILED = "desk_failed_action"
KEPT_FIELDS = (
    "note",
    "items",
    "new_due_at",
    "result_signed",
    "tax_kind",
    "taxable_value",
    "recipient_name",
    "recipient_id_number",
    "assignee",
)


def _failed_action(request: HttpRequest, dossier: Any) -> dict[str, Any] | None:
    """The action on this dossier the engine just refused (`_refused`), shown once."""
    failed = request.session.pop(SESSION_FAILED, None)
    if not isinstance(failed, dict) or failed.get("key") not in (
        dossier.code,
        str(dossier.reference),
    ):
        return None
    return failed


def _action_view(
    dossier: Any, rule: lifecycle.Rule, task: Any, failed: dict[str, Any] | None
) -> dict[str, Any]:
    """One action as the page shows it: its words, its weight, where it sends the dossier,
    and the error and typed values of a failed try."""
    text = lifecycle.ACTIONS[rule.action]
    mine = failed if failed and failed.get("action") == rule.action.value else None
    values: dict[str, str] = mine["values"] if mine else {}
    if rule.action == lifecycle.Action.RETURN_RESULT and not mine:
        # Most often the applicant comes for the result: their name and ID, still editable.
        citizen = dossier.applicant_type == ApplicantType.CITIZEN
        values = {
            "recipient_name": dossier.applicant_name
            if citizen
            else dossier.applicant_representative,
            "recipient_id_number": dossier.applicant_id_number if citizen else "",
        }
    if rule.action in MAIN_ACTIONS:
        tone = "main"
    elif rule.action in ENDING_ACTIONS:
        tone = "ending"
    else:
        tone = "other"
    return {
        "name": rule.action.value,
        "label": text.label,
        "confirm": text.confirm,
        "needs_note": text.needs_note,
        "tone": tone,
        "handover": handover_of(dossier=dossier, rule=rule, open_task=task),
        "error": mine["message"] if mine else "",
        "values": values,
    }


@login_required
@require_GET
def dossier_page(request: HttpRequest, key: str) -> HttpResponse:
    staff_only(request)
    try:
        dossier = dossier_get(actor=request.user, key=key)
    except DossierNotFoundError as error:
        raise Http404(error.message) from error
    task = open_task_of(dossier)
    printable = forms_available(dossier)
    failed = _failed_action(request, dossier)
    actions = [
        _action_view(dossier, rule, task, failed)
        for rule in actions_available(actor=request.user, dossier=dossier)
    ]
    can_assign = task is not None and can_assign_step(request.user, dossier, task)
    slip = request.GET.get("in", "")
    shown = {action["name"] for action in actions} | ({"assign"} if can_assign else set())
    return render(
        request,
        "desk/dossier.html",
        {
            "dossier": dossier,
            "status_label": lifecycle.Status(dossier.status).label,
            # Read from the clock, as the worklist's "Quá hạn" tab and the dashboard read it.
            "overdue": is_overdue(dossier, timezone.now()),
            "task": task,
            "main_actions": [a for a in actions if a["tone"] == "main"],
            "other_actions": [a for a in actions if a["tone"] == "other"],
            "ending_actions": [a for a in actions if a["tone"] == "ending"],
            "officers": assignable_officers(task=task) if can_assign and task else [],
            "failed": failed,
            # A failed try whose action the page no longer offers (someone else moved it on).
            "failed_elsewhere": failed if failed and failed.get("action") not in shown else None,
            "forms": [(form, label) for form, label in FORMS if form in printable],
            "key": dossier.code or str(dossier.reference),
            "print_now": (slip, dict(FORMS)[slip]) if slip in printable else None,
            **dossier_page_parts(dossier=dossier),
        },
    )


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1  # an unreadable form is as stale as an old one


def _refused(
    request: HttpRequest, key: str, action: str, message: str, *, level: int = messages.ERROR
) -> HttpResponse:
    """The action was not taken: the message goes to the page's messages and, with what the
    officer typed, next to the action's form, which the page opens and scrolls to."""
    messages.add_message(request, level, message)
    request.session[SESSION_FAILED] = {
        "key": key,
        "action": action,
        "message": message,
        "values": {
            field: request.POST.get(field, "")[:5000]
            for field in KEPT_FIELDS
            if field in request.POST
        },
    }
    return redirect(reverse("desk:dossier", args=[key]) + f"#thao-tac-{action}")


def _stale(request: HttpRequest) -> str:
    typed = request.POST.get("note", "").strip()
    kept = f" Nội dung bạn đã nhập: “{typed[:500]}”." if typed else ""
    return (
        "Hồ sơ vừa được người khác cập nhật trong lúc bạn thao tác. Trang đã được tải lại với "
        f"thông tin mới nhất; hãy xem lại rồi thực hiện lại.{kept}"
    )


def _done(action: lifecycle.Action, dossier: Any) -> str:
    """What the officer is told after an action; after a hand-over, where the dossier went."""
    done = f"Đã thực hiện: {lifecycle.ACTIONS[action].label}."
    if action in HANDOVERS:
        if dossier.status == lifecycle.Status.RESULT_READY:
            return f"{done} Kết quả chờ trả tại {dossier.receiving_agency.name}."
        task = open_task_of(dossier)
        if task is not None:
            who = (
                f", cán bộ {task.assignee.get_full_name() or task.assignee.get_username()}"
                if task.assignee
                else ", chờ phân công cán bộ"
            )
            step = f"bước {task.position}. {task.name} — {task.agency.name}"
            return f"{done} Hồ sơ đã chuyển đến {step}{who}."
    return done


@login_required
@require_POST
def dossier_action(request: HttpRequest, key: str, action: str) -> HttpResponse:
    staff_only(request)
    try:
        chosen = lifecycle.Action(action)
    except ValueError:
        raise Http404("Không có thao tác này.") from None
    params: dict[str, Any] = {}
    if chosen == lifecycle.Action.REQUEST_SUPPLEMENT:
        params["items"] = [
            line.strip() for line in request.POST.get("items", "").splitlines() if line.strip()
        ]
    if chosen == lifecycle.Action.APOLOGIZE:
        try:
            new_due = forms.DateTimeField().clean(request.POST.get("new_due_at", ""))
        except forms.ValidationError:
            return _refused(request, key, action, "Ngày giờ hẹn trả mới không hợp lệ.")
        params["new_due_at"] = (
            timezone.make_aware(new_due) if timezone.is_naive(new_due) else new_due
        )
    if chosen == lifecycle.Action.REQUEST_OBLIGATION:
        params["result_signed"] = request.POST.get("result_signed") == "on"
        # A land dossier's obligation is set by the tax authority, which the bus tells.
        params["tax_kind"] = request.POST.get("tax_kind", "")
        value = request.POST.get("taxable_value", "").replace(".", "").strip()
        if value and not (value.isascii() and value.isdigit() and len(value) <= 18):
            return _refused(request, key, action, "Giá trị tính thuế phải là số tiền (đồng).")
        params["taxable_value"] = int(value) if value else None
    if chosen == lifecycle.Action.RETURN_RESULT:
        params["recipient_name"] = request.POST.get("recipient_name", "")[:255]
        params["recipient_id_number"] = request.POST.get("recipient_id_number", "")[:20]
    result = request.FILES.get("result")
    try:
        if chosen == lifecycle.Action.APPROVE:
            # The signed result and the approval: one use case, whole or not at all.
            dossier = dossier_approve(
                actor=request.user,  # type: ignore[arg-type]
                key=key,
                version=_version(request),
                note=request.POST.get("note", "")[:5000],
                result=ResultFile(stream=result, name=result.name or "", size=result.size or 0)
                if result is not None
                else None,
            )
        else:
            dossier = dossier_perform(
                key=key,
                action=chosen,
                actor=request.user,  # type: ignore[arg-type]
                version=_version(request),
                note=request.POST.get("note", "")[:5000],
                **params,
            )
    except DossierNotFoundError as error:
        raise Http404(error.message) from error
    except StaleVersionError:
        return _refused(request, key, action, _stale(request), level=messages.WARNING)
    except lifecycle.IllegalActionError:
        status = lifecycle.Status(dossier_get(actor=request.user, key=key).status).label
        label = lifecycle.ACTIONS[chosen].label
        return _refused(
            request, key, action, f"Không thể “{label}” khi hồ sơ đang ở trạng thái “{status}”."
        )
    except DomainError as error:
        return _refused(request, key, action, error.message)
    messages.success(request, _done(chosen, dossier))
    page = reverse("desk:dossier", args=[dossier.code or str(dossier.reference)])
    slip = SLIP_OF_ACTION.get(chosen)
    return redirect(f"{page}?in={slip}" if slip else page)


@login_required
@require_POST
def dossier_assign(request: HttpRequest, key: str) -> HttpResponse:
    staff_only(request)
    try:
        task = task_assign(
            actor=request.user,  # type: ignore[arg-type]
            key=key,
            version=_version(request),
            assignee_username=request.POST.get("assignee", "")[:150],
        )
    except DossierNotFoundError as error:
        raise Http404(error.message) from error
    except StaleVersionError:
        return _refused(request, key, "assign", _stale(request), level=messages.WARNING)
    except DomainError as error:
        return _refused(request, key, "assign", error.message)
    assignee = (
        task.assignee.get_full_name() or task.assignee.get_username() if task.assignee else ""
    )
    messages.success(request, f"Đã giao bước “{task.name}” cho {assignee}.")
    return redirect(reverse("desk:dossier", args=[key]))
