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
from egov.dossiers.models import Channel
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
    intake_deadlines,
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
    """The leader's month: received, in process, overdue, returned, on-time rate, the five
    most overdue dossiers and the open steps per officer."""
    staff_only(request)
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    board = agency_dashboard(actor=request.user, month_start=start)
    if not board.agencies:
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
        for membership in memberships_of(user=request.user).filter(role=Role.RECEPTION)
    ]


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
    actions = [
        {
            "name": rule.action.value,
            "label": lifecycle.ACTIONS[rule.action].label,
            "confirm": lifecycle.ACTIONS[rule.action].confirm,
            "needs_note": lifecycle.ACTIONS[rule.action].needs_note,
        }
        for rule in actions_available(actor=request.user, dossier=dossier)
    ]
    can_assign = task is not None and can_assign_step(request.user, dossier, task)
    return render(
        request,
        "desk/dossier.html",
        {
            "dossier": dossier,
            "status_label": lifecycle.Status(dossier.status).label,
            "task": task,
            "actions": actions,
            "officers": assignable_officers(task=task) if can_assign and task else [],
            "forms": [(form, label) for form, label in FORMS if form in printable],
            "key": dossier.code or str(dossier.reference),
            "print_now": request.GET.get("in", "") if request.GET.get("in") in dict(FORMS) else "",
            **dossier_page_parts(dossier=dossier),
        },
    )


def _page(key: str) -> HttpResponse:
    return redirect(reverse("desk:dossier", args=[key]))


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1  # an unreadable form is as stale as an old one


@login_required
@require_POST
def dossier_action(request: HttpRequest, key: str, action: str) -> HttpResponse:
    staff_only(request)
    params: dict[str, Any] = {}
    if action == "request_supplement":
        params["items"] = [
            line.strip() for line in request.POST.get("items", "").splitlines() if line.strip()
        ]
    if action == "apologize":
        try:
            new_due = forms.DateTimeField().clean(request.POST.get("new_due_at", ""))
        except forms.ValidationError:
            messages.error(request, "Ngày giờ hẹn trả mới không hợp lệ.")
            return _page(key)
        params["new_due_at"] = (
            timezone.make_aware(new_due) if timezone.is_naive(new_due) else new_due
        )
    if action == "request_obligation":
        params["result_signed"] = request.POST.get("result_signed") == "on"
        # A land dossier's obligation is set by the tax authority, which the bus tells.
        params["tax_kind"] = request.POST.get("tax_kind", "")
        value = request.POST.get("taxable_value", "").replace(".", "").strip()
        if value and not (value.isascii() and value.isdigit() and len(value) <= 18):
            messages.error(request, "Giá trị tính thuế phải là số tiền (đồng).")
            return _page(key)
        params["taxable_value"] = int(value) if value else None
    if action == "return_result":
        params["recipient_name"] = request.POST.get("recipient_name", "")[:255]
        params["recipient_id_number"] = request.POST.get("recipient_id_number", "")[:20]
    result = request.FILES.get("result")
    try:
        if action == "approve":
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
                action=action,
                actor=request.user,  # type: ignore[arg-type]
                version=_version(request),
                note=request.POST.get("note", "")[:5000],
                **params,
            )
    except DossierNotFoundError as error:
        raise Http404(error.message) from error
    except StaleVersionError as error:
        typed = request.POST.get("note", "").strip()
        # Nothing the officer typed is lost: it comes back with the reloaded page.
        kept = f" Nội dung bạn đã nhập: “{typed[:500]}”." if typed else ""
        messages.warning(request, f"{error.message} Trang đã được tải lại.{kept}")
        return _page(key)
    except DomainError as error:
        messages.error(request, error.message)
        return _page(key)
    messages.success(request, f"Đã thực hiện: {lifecycle.ACTIONS[lifecycle.Action(action)].label}.")
    return _page(dossier.code or str(dossier.reference))


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
    except StaleVersionError as error:
        messages.warning(request, f"{error.message} Trang đã được tải lại.")
        return _page(key)
    except DomainError as error:
        messages.error(request, error.message)
        return _page(key)
    messages.success(request, f"Đã giao bước “{task.name}” cho {task.assignee}.")
    return _page(key)
