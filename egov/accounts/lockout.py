"""What a locked-out sign-in gets (django-axes): a Vietnamese page, or the API's JSON error."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from egov.core.api_support import error_body

MESSAGE = "Đăng nhập sai quá nhiều lần; tài khoản tạm khóa. Hãy thử lại sau ít phút."


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("locked_out", MESSAGE), status=429)
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "accounts/locked.html", {"minutes": minutes}, status=429)
