"""Sign-in pages: staff (password, second factor, a forgotten password, their own password)
and citizens (VNeID); the page a form without its CSRF token gets."""

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from egov.core.errors import DomainError
from egov.core.pdf import qr_svg_data_uri
from egov.core.ratelimit import allow, allow_key
from egov.orgs.selectors import memberships_of

from . import services, vneid
from .forms import NewPasswordForm, OwnPasswordChangeForm, PasswordResetRequestForm, SignInForm
from .selectors import API_TOKENS_SHOWN_AFTER_END, api_tokens_of, citizen_identity
from .tasks import send_password_reset
from .twofactor import (
    enrolment_confirm,
    enrolment_device,
    has_two_factor,
    sign_in_second_factor,
)

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


NO_CODE = "Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực."


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")[:10]
        try:
            if not code.strip():
                raise DomainError(NO_CODE, code="no_otp")
            sign_in_second_factor(request, code)
        except DomainError as problem:
            error = problem.message
        else:
            return redirect(_next(request))
    return render(request, "accounts/verify.html", {"error": error, "next": _next(request)})


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")[:10]
        try:
            if not code.strip():
                raise DomainError(NO_CODE, code="no_otp")
            enrolment_confirm(request, code)
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
    authentication_form = SignInForm
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
        context.update(
            # Django's view names the site by its host; the page names the platform.
            site_name=settings.MOTCUA_SITE_NAME,
            vneid_enabled=vneid.enabled(),
            vneid_start=start,
            session_hours=settings.SESSION_COOKIE_AGE // 3600,
        )
        return context


@never_cache
@require_GET
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin site's sign-in is this site's: one page, with its lockout, second factor
    and forgotten password. Someone signed in whom the admin site turned away is told so
    here, rather than sent back and forth between the two."""
    if request.user.is_authenticated:
        raise PermissionDenied
    target = request.GET.get("next", "")
    query = urlencode({"next": target if _safe(request, target) else reverse("admin:index")})
    return redirect(f"{reverse('accounts:login')}?{query}")


# "Quên mật khẩu": a link by e-mail (Django's reset views, with our forms and words).


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the account's e-mail address and answers the same whether or not an
    account has it; the e-mail leaves from a task, its link on the site's public address
    (MOTCUA_PUBLIC_URL, never the Host header a request brings).

    Two limits: one e-mail address gets at most MOTCUA_PASSWORD_RESET_RATE mails, from
    wherever it is asked (past it the page answers the same and sends nothing, so nobody can
    fill an officer's inbox); one client may ask MOTCUA_PASSWORD_RESET_CLIENT_RATE times,
    looser, as an office's officers may share one address behind its router."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not allow(
            request, scope="password_reset", rate=settings.MOTCUA_PASSWORD_RESET_CLIENT_RATE
        ):
            form = self.get_form()
            form.is_valid()
            form.add_error(
                None, "Bạn đã yêu cầu quá nhiều lần trong thời gian ngắn; hãy thử lại sau."
            )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        digest = hashlib.sha256(email.casefold().encode()).hexdigest()
        if allow_key(
            scope="password_reset_address", key=digest, rate=settings.MOTCUA_PASSWORD_RESET_RATE
        ):
            send_password_reset.enqueue(email=email, base_url=settings.MOTCUA_PUBLIC_URL)
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(minutes=settings.PASSWORD_RESET_TIMEOUT // 60, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(minutes=settings.PASSWORD_RESET_TIMEOUT // 60, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the e-mail: a new password, twice. The link works once (its token
    hashes the old password) and for PASSWORD_RESET_TIMEOUT; setting the password ends
    every session of the account (egov.accounts.services.password_set)."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    reset_url_token = "mat-khau-moi"  # noqa: S105 - the page's address, not a password
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(minutes=settings.PASSWORD_RESET_TIMEOUT // 60, **kwargs)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# After signing in: the officer's own account.


def _with_password(request: HttpRequest) -> None:
    """The account pages are for those who sign in with a password (staff); citizens sign
    in with VNeID and have none to change."""
    if not request.user.has_usable_password():  # type: ignore[union-attr]
        raise PermissionDenied


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The page "Tài khoản của tôi": who the site knows the officer as, what they can change,
    and the API tokens issued to them ("Mã truy cập API"), each with its "Thu hồi"."""
    _with_password(request)
    user = request.user
    tokens = api_tokens_of(user=user)  # type: ignore[arg-type]
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": sorted(memberships_of(user=user), key=lambda m: (m.agency.name, m.role)),
            "two_factor": has_two_factor(user),  # type: ignore[arg-type]
            "tokens": tokens,
            "tokens_working": sum(1 for token in tokens if token.works),
            "token_hours": settings.MOTCUA_API_TOKEN_HOURS,
            "tokens_days": API_TOKENS_SHOWN_AFTER_END.days,
        },
    )


TOKENS_SECTION = "ma-truy-cap"


@never_cache
@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    """The button "Thu hồi" on one of the officer's API tokens; another's is not found, even
    for an administrator (they revoke others' in the admin site, which logs it)."""
    _with_password(request)
    officer = request.user
    try:
        token = services.api_token_revoke(
            actor=officer,
            token_id=token_id,
            account=officer,  # type: ignore[arg-type]
        )
    except services.ApiTokenNotFoundError as error:
        raise Http404(error.message) from error
    name = f" {token.prefix}…" if token.prefix else ""
    messages.success(request, f"Đã thu hồi mã truy cập API{name}; mã này không dùng được nữa.")
    return redirect(f"{reverse('accounts:account')}#{TOKENS_SECTION}")


@never_cache
@login_required
@require_POST
def api_tokens_revoke_all(request: HttpRequest) -> HttpResponse:
    """The button "Thu hồi tất cả": every API token of the officer's that still works."""
    _with_password(request)
    officer = request.user
    count = services.account_api_tokens_revoke(actor=officer, account=officer)  # type: ignore[arg-type]
    if count:
        messages.success(request, f"Đã thu hồi {count} mã truy cập API.")
    else:
        messages.info(request, "Không có mã truy cập API nào đang dùng được để thu hồi.")
    return redirect(f"{reverse('accounts:account')}#{TOKENS_SECTION}")


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """The page "Đổi mật khẩu": this session stays signed in, every other one ends."""

    template_name = "accounts/password_change_form.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            _with_password(request)
        return super().dispatch(request, *args, **kwargs)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its valid CSRF token (CSRF_FAILURE_VIEW): nothing was done; say
    why that usually happens and how to go on, in words, not Django's English page."""
    back = request.headers.get("referer", "")
    if not _safe(request, back):
        back = ""
    no_cookie = "cookie" in reason.lower()
    return render(
        request, "accounts/csrf_failure.html", {"back": back, "no_cookie": no_cookie}, status=403
    )


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
