"""A staff member's notices at /can-bo/thong-bao/: their own, unread first; marking one or
all of them read. Parse, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from egov.orgs.policies import is_staff_member

from .selectors import notifications_of
from .services import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 50
MAX_PAGE = 10_000


def _staff_only(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied("Trang dành cho cán bộ.")


def _page_number(raw: str) -> int:
    try:
        return min(max(1, int(raw)), MAX_PAGE)
    except ValueError:
        return 1


def _back(request: HttpRequest) -> HttpResponse:
    page = _page_number(request.POST.get("trang", "1"))
    address = reverse("notifications:list")
    return redirect(f"{address}?trang={page}" if page > 1 else address)


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    page = notifications_of(
        actor=request.user, page=_page_number(request.GET.get("trang", "1")), per_page=PAGE_SIZE
    )
    for row in page.rows:
        # Links are written by the system; still, only a path on this site is followed.
        row.safe_link = (  # type: ignore[attr-defined]
            row.link
            if row.link.startswith("/")
            and url_has_allowed_host_and_scheme(row.link, allowed_hosts=set())
            else ""
        )
    query = "?trang="
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "previous": f"{query}{page.number - 1}" if page.has_previous else "",
            "next": f"{query}{page.number + 1}" if page.has_next else "",
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Someone else's notice, or one already read, is left as it is; the answer is the same,
    so nobody learns whose notices exist."""
    _staff_only(request)
    notification_mark_read(
        actor=request.user,  # type: ignore[arg-type]
        notification_id=notification_id,
    )
    messages.success(request, "Đã đánh dấu thông báo là đã đọc.")
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    notifications_mark_all_read(actor=request.user)  # type: ignore[arg-type]
    messages.success(request, "Đã đánh dấu tất cả thông báo là đã đọc.")
    return redirect(reverse("notifications:list"))
