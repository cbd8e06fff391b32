"""Staff pages for appointments (/can-bo/lich-hen/): today's list at the officer's desks, the
"arrived" button that gives the queue number, the printable ticket. Parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from egov.core.errors import NotAllowedError
from egov.orgs.policies import can_read_everything, is_staff_member

from . import policies, selectors, services
from .errors import AppointmentNotFoundError, AppointmentRuleError


def _staff_only(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied("Trang dành cho cán bộ.")


def _back(request: HttpRequest) -> str:
    """Where to return after an action: the page it came from (the desk's worklist, say) if
    it is on this site, else today's list."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("appointments_staff:today")


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """Today's appointments at the officer's desks (or the one desk chosen, `?noi=<code>`)."""
    _staff_only(request)
    code = request.GET.get("noi", "").strip()
    agency_id = None
    if code:
        try:
            agency_id = selectors.desk_for_staff(actor=request.user, code=code).pk
        except AppointmentNotFoundError as error:
            raise Http404("Không tìm thấy Bộ phận Một cửa này.") from error
    own = policies.desks_of(request.user)
    # Province-wide readers choose among every desk; others among their own.
    choices = selectors.desks_for_booking() if can_read_everything(request.user) else own
    return render(
        request,
        "appointments/staff_today.html",
        {
            "appointments_today": selectors.appointments_today(
                actor=request.user, agency_id=agency_id
            ),
            "desks": choices,
            "chosen": code,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def arrive(request: HttpRequest, appointment_uuid: str) -> HttpResponse:
    """The person is here: give the day's next queue number and show it."""
    _staff_only(request)
    try:
        appointment = services.appointment_arrive(
            actor=request.user,  # type: ignore[arg-type]
            appointment_uuid=appointment_uuid,
        )
    except AppointmentNotFoundError as error:
        raise Http404(error.message) from error
    except NotAllowedError as error:
        raise PermissionDenied(error.message) from error
    except AppointmentRuleError as error:
        messages.error(request, error.message)
        return redirect(_back(request))
    url = reverse("appointments_staff:ticket", args=[appointment.uuid])
    back = _back(request)
    if back != reverse("appointments_staff:today"):
        url = f"{url}?{urlencode({'next': back})}"
    return redirect(url)


@login_required
@require_GET
def ticket(request: HttpRequest, appointment_uuid: str) -> HttpResponse:
    """The queue number, big, and a ticket to print on an 80 mm receipt printer."""
    _staff_only(request)
    try:
        appointment = selectors.appointment_for_staff(
            actor=request.user, appointment_uuid=appointment_uuid
        )
    except AppointmentNotFoundError as error:
        raise Http404(error.message) from error
    if appointment.queue_number is None:
        messages.warning(request, "Người này chưa được ghi nhận đã đến nên chưa có số thứ tự.")
        return redirect(reverse("appointments_staff:today"))
    return render(
        request, "appointments/ticket.html", {"appointment": appointment, "back": _back(request)}
    )
