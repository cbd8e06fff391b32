"""A staff member's notices at /can-bo/thong-bao/: their own, unread first; marking one or
all of them read. A citizen's choice of channels at /tai-khoan/thong-bao/. Parse, call a
selector or a service, render."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.orgs.policies import is_staff_member

from . import policies
from .channels import CHANNELS, EMAIL, SMS, ZALO, offered
from .selectors import ContactChoice, contact_choice, notifications_of, staff_email_wanted
from .services import (
    ChannelChoiceError,
    notification_mark_read,
    notification_preference_set,
    notifications_mark_all_read,
    staff_email_choice_set,
)

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
            "email_wanted": staff_email_wanted(actor=request.user),  # type: ignore[arg-type]
            "email_address": request.user.email,  # type: ignore[union-attr]
        },
    )


@login_required
@require_POST
def staff_email(request: HttpRequest) -> HttpResponse:
    """The officer turns the e-mail copy of their notices on or off."""
    _staff_only(request)
    wanted = request.POST.get("email") == "1"
    try:
        staff_email_choice_set(actor=request.user, email=wanted)  # type: ignore[arg-type]
    except ChannelChoiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Đã lưu: thông báo công việc "
            + ("cũng được gửi qua thư điện tử." if wanted else "chỉ hiện trên trang này."),
        )
    return redirect(reverse("notifications:list"))


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


class ChannelForm(forms.Form):
    """The channels ticked; a box left out is not chosen."""

    sms = forms.BooleanField(required=False)
    zalo = forms.BooleanField(required=False)
    email = forms.BooleanField(required=False)


def _citizen_login(request: HttpRequest) -> HttpResponse:
    """Citizens sign in with their e-identity; the staff sign-in page if that is not here."""
    try:
        login = reverse("accounts:vneid_start")
    except NoReverseMatch:
        login = str(settings.LOGIN_URL)
    return redirect_to_login(request.get_full_path(), login_url=login)


def _options(
    choice: ContactChoice, ticked: dict[str, bool], errors: dict[str, str]
) -> list[dict[str, Any]]:
    phone = choice.phone if choice.phone_usable else ""
    available = offered()
    hints = {
        SMS: f"Tin nhắn gửi đến số {phone}."
        if phone
        else "Tài khoản của ông/bà chưa có số điện thoại di động.",
        ZALO: f"Tin Zalo gửi đến tài khoản Zalo của số {phone}, nếu số này dùng Zalo."
        if phone
        else "Tài khoản của ông/bà chưa có số điện thoại di động.",
        EMAIL: f"Thư gửi đến {choice.email_address}."
        if choice.email_usable
        else "Tài khoản của ông/bà chưa có địa chỉ thư điện tử.",
    }
    return [
        {
            "code": code,
            "label": channel.label,
            "checked": ticked[code],
            "hint": hints[code],
            "error": errors.get(code, ""),
        }
        for code, channel in CHANNELS.items()
        if code in available
    ]


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """A signed-in citizen chooses how they are told; staff accounts may not."""
    if not request.user.is_authenticated:
        return _citizen_login(request)
    if not policies.can_choose_channels(request.user):
        raise PermissionDenied("Trang dành cho người dân đăng nhập bằng tài khoản định danh.")
    errors: dict[str, str] = {}
    choice = contact_choice(actor=request.user)
    ticked = {SMS: choice.sms, ZALO: choice.zalo, EMAIL: choice.email}
    if request.method == "POST":
        form = ChannelForm(request.POST)
        form.is_valid()  # boxes only: every answer is valid, an unknown value is ticked
        ticked = {code: bool(form.cleaned_data.get(code)) for code in CHANNELS}
        try:
            notification_preference_set(
                actor=request.user, email=ticked[EMAIL], sms=ticked[SMS], zalo=ticked[ZALO]
            )
        except ChannelChoiceError as error:
            errors = error.fields
        else:
            messages.success(request, "Đã lưu cách nhận thông báo.")
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "choice": choice,
            "options": _options(choice, ticked, errors),
            "errors": [(code, errors[code]) for code in CHANNELS if code in errors],
            "nothing": not any(ticked.values()),
            "sms_offered": SMS in offered(),
        },
        status=400 if errors else 200,
    )
