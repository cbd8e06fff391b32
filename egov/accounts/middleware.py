"""Keeps staff pages and the admin site behind the second factor (egov.accounts.twofactor)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .twofactor import has_two_factor, must_use_two_factor

GUARDED_PREFIXES = ("/can-bo/", "/quan-tri/")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and request.path.startswith(GUARDED_PREFIXES):
            query = urlencode({"next": request.get_full_path()})
            verified = getattr(user, "is_verified", lambda: False)()
            if has_two_factor(user) and not verified:
                return redirect(f"{reverse('accounts:verify')}?{query}")
            if not has_two_factor(user) and must_use_two_factor(user):
                return redirect(f"{reverse('accounts:enrol')}?{query}")
        return self.get_response(request)
