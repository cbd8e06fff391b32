"""Keeps staff pages and the admin site behind the second factor (egov.accounts.twofactor),
and turns "sign in first" into a whole-page visit for htmx requests."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from .twofactor import has_two_factor, must_use_two_factor

GUARDED_PREFIXES = ("/can-bo/", "/quan-tri/", "/tai-khoan/")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and request.path.startswith(GUARDED_PREFIXES):
            query = urlencode({"next": request.get_full_path()})
            verified = getattr(user, "is_verified", lambda: False)()
            enrolled = has_two_factor(user)
            if enrolled and not verified:
                return redirect(f"{reverse('accounts:verify')}?{query}")
            if not enrolled and must_use_two_factor(user):
                return redirect(f"{reverse('accounts:enrol')}?{query}")
        return self.get_response(request)


class HtmxSignInMiddleware:
    """When a page's htmx request is sent to sign in (the session expired, or the second
    factor is due), the browser would follow the redirect inside the request and htmx would
    paste the sign-in page into a table or a panel. Instead the answer tells htmx to open the
    sign-in page as a whole page (HX-Redirect), coming back afterwards to the page the officer
    was on (HX-Current-URL), not to the fragment's address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or response.status_code != 302:
            return response
        target = urlsplit(response.get("Location", "")).path
        sign_in = {
            reverse(name) for name in ("accounts:login", "accounts:verify", "accounts:enrol")
        }
        if target not in sign_in:
            return response
        answer = HttpResponse(status=200)
        answer["HX-Redirect"] = response["Location"]
        current = request.headers.get("HX-Current-URL", "")
        if current and url_has_allowed_host_and_scheme(
            current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            page = urlsplit(current)
            back = page.path + (f"?{page.query}" if page.query else "")
            answer["HX-Redirect"] = f"{target}?{urlencode({'next': back})}"
        return answer
