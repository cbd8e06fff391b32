"""Sign-in pages: staff (password, second factor) and citizens (VNeID)."""

from typing import Any

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from egov.core.errors import DomainError
from egov.core.pdf import qr_svg_data_uri

from . import vneid
from .selectors import citizen_identity
from .twofactor import enrolment_confirm, enrolment_device, sign_in_second_factor

# Where a citizen lands after signing in when nothing else was asked (the portal's page).
CITIZEN_HOME = "/ho-so-cua-toi/"
STAFF_PREFIXES = ("/can-bo/", "/quan-tri/")
NEXT_SESSION_KEY = "vneid_next"
# Problems that trying again will not solve.
NO_RETRY = frozenset({"vneid_staff_account", "vneid_not_configured"})


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


def _safe(request: HttpRequest, target: str) -> bool:
    """A page of this site, with no control characters, and not too long for a session."""
    if not target or len(target) > 2000 or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


class LoginView(auth_views.LoginView):
    """Staff sign in with a password; the page also offers citizens the VNeID button."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        if citizen_identity(self.request.user) is not None:
            return CITIZEN_HOME
        return super().get_default_redirect_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        start = reverse("accounts:vneid_start")
        target = self.get_redirect_url()
        # A staff page as `next` is no place for a citizen to land.
        if target and not target.startswith(STAFF_PREFIXES):
            start = f"{start}?{urlencode({'next': target})}"
        context.update(vneid_enabled=vneid.enabled(), vneid_start=start)
        return context


def _vneid_problem(request: HttpRequest, problem: vneid.VneidError, target: str) -> HttpResponse:
    retry = reverse("accounts:vneid_start")
    if target != CITIZEN_HOME:
        retry = f"{retry}?{urlencode({'next': target})}"
    return render(
        request,
        "accounts/vneid_error.html",
        {"problem": problem, "retry": retry, "can_retry": problem.code not in NO_RETRY},
        status=problem.status,
    )


@never_cache
@require_GET
def vneid_start(request: HttpRequest) -> HttpResponse:
    """Sends the person to VNeID; `?next=` (a page of this site) is where they come back to."""
    target = request.GET.get("next", "")
    target = target if _safe(request, target) else CITIZEN_HOME
    try:
        response = vneid.sign_in_redirect(
            request, redirect_uri=request.build_absolute_uri(reverse("accounts:vneid_callback"))
        )
    except vneid.VneidError as problem:
        return _vneid_problem(request, problem, target)
    request.session[NEXT_SESSION_KEY] = target
    return response


@never_cache
@require_GET
def vneid_callback(request: HttpRequest) -> HttpResponse:
    """VNeID's answer: sign the citizen in and go where they were heading."""
    target = request.session.get(NEXT_SESSION_KEY, "")
    target = target if isinstance(target, str) and _safe(request, target) else CITIZEN_HOME
    try:
        profile = vneid.sign_in_complete(request)
        user = vneid.citizen_sign_in(profile=profile)
    except vneid.VneidError as problem:
        return _vneid_problem(request, problem, target)
    # A new session key (login() rotates it, or starts afresh for another account), so a
    # session id planted before the sign-in is worth nothing after it.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop(NEXT_SESSION_KEY, None)
    return redirect(target)
