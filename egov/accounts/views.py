"""Second-factor pages: enter the code, or set an authenticator app up."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from egov.core.errors import DomainError
from egov.core.pdf import qr_svg_data_uri

from .twofactor import enrolment_confirm, enrolment_device, sign_in_second_factor


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/can-bo/"
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/can-bo/"


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            sign_in_second_factor(request, request.POST.get("code", "")[:10])
        except DomainError as problem:
            error = problem.message
        else:
            return redirect(_next(request))
    return render(request, "accounts/verify.html", {"error": error, "next": _next(request)})


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            enrolment_confirm(request, request.POST.get("code", "")[:10])
        except DomainError as problem:
            error = problem.message
        else:
            return redirect(_next(request))
    device = enrolment_device(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "accounts/enrol.html",
        {
            "error": error,
            "next": _next(request),
            "qr": qr_svg_data_uri(device.config_url),
            "secret": device.config_url.split("secret=")[1].split("&")[0],
        },
    )
