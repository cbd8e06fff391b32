"""The operators' page of the interconnection axis ("Trục liên thông") at /can-bo/lien-thong/:
the registry and each system's health, the outbox's backlog and dead letters, the national
portal's sync and the message log. Parse, ask the policies, call a selector or a service,
render; no rules.

Province administrators operate (replay dead letters, open encrypted bodies); auditors read;
everyone else gets the 403 page.
"""

import contextlib
import datetime
import json
from typing import Any

from cryptography.fernet import InvalidToken
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from egov.core.errors import DomainError, NotAllowedError

from . import policies
from .models import BodyStorage, Direction, OutboxMessage
from .selectors import (
    bus_health,
    bus_overview,
    dead_letter_get,
    dead_letters,
    message_log_get,
    message_log_page,
)
from .services import breaker
from .services.log import body_read
from .services.outbox import cleared_note, dead_letter_discard, dead_letter_replay

PAGE_SIZE = 50
# Deeper pages than this are not offered: the admin site filters the log by date instead.
MAX_PAGE = 10_000


def _require_viewer(request: HttpRequest) -> None:
    if not policies.can_view_bus(request.user):
        raise PermissionDenied("Trang dành cho quản trị tỉnh và thanh tra.")


def _age(delta: datetime.timedelta) -> str:
    """How long something has waited, as a person says it: "2 ngày 3 giờ", "45 phút"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    if hours:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    return f"{minutes} phút" if minutes else "dưới 1 phút"


def _page_number(raw: str) -> int:
    try:
        return min(max(1, int(raw)), MAX_PAGE)
    except ValueError:
        return 1


@login_required
@require_GET
def bus(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    now = timezone.now()
    overview = bus_overview(now=now)
    codes = [status.system.code for status in overview.health.systems]
    system = request.GET.get("he_thong", "")
    system = system if system in codes else ""
    direction = request.GET.get("chieu", "")
    direction = direction if direction in Direction.values else ""
    log = message_log_page(
        system=system,
        direction=direction,
        page=_page_number(request.GET.get("trang", "1")),
        per_page=PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("trang", None)
    pages: dict[str, str] = {}
    if log.has_previous:
        query["trang"] = str(log.number - 1)
        pages["previous"] = f"?{query.urlencode()}#nhat-ky"
    if log.has_next:
        query["trang"] = str(log.number + 1)
        pages["next"] = f"?{query.urlencode()}#nhat-ky"
    return render(
        request,
        "interop/bus.html",
        {
            "overview": overview,
            "health": overview.health,
            "backlog": [
                {
                    "row": row,
                    "age": _age(now - row.oldest_pending_at) if row.oldest_pending_at else "",
                }
                for row in overview.health.backlog
            ],
            "local_systems": breaker.LOCAL_SYSTEMS,
            "dead": dead_letters(),
            "log": log,
            "pages": pages,
            "filters": {"system": system, "direction": direction},
            "directions": Direction.choices,
            "can_operate": policies.can_operate(request.user),
            "now": now,
        },
    )


@login_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """The health table alone, which the page's htmx asks for every ten seconds."""
    _require_viewer(request)
    now = timezone.now()
    return render(
        request,
        "interop/_health.html",
        {"health": bus_health(now=now), "local_systems": breaker.LOCAL_SYSTEMS, "now": now},
    )


@login_required
@require_GET
def dead_letter(request: HttpRequest, message_id: int) -> HttpResponse:
    """One message (its payload, which may carry personal data, for the operators only), its
    tries and the messages of the same ordering key waiting behind it."""
    _require_viewer(request)
    detail = dead_letter_get(message_id=message_id)
    if detail is None:
        raise Http404("Không có thông điệp này.")
    return render(
        request,
        "interop/dead_letter.html",
        {
            "detail": detail,
            "message": detail.message,
            "payload": json.dumps(detail.message.payload, ensure_ascii=False, indent=2)
            if policies.can_read_payloads(request.user)
            and detail.message.payload_cleared_at is None
            else None,
            "cleared": cleared_note(detail.message)
            if detail.message.payload_cleared_at is not None
            else "",
            "can_operate": policies.can_operate(request.user),
        },
    )


@login_required
@require_POST
def replay(request: HttpRequest, message_id: int) -> HttpResponse:
    """Send a dead letter again (the service asks the policy as well)."""
    if not policies.can_operate(request.user):
        raise PermissionDenied("Chỉ quản trị tỉnh được gửi lại thông điệp lỗi.")
    try:
        message = dead_letter_replay(
            actor=request.user,  # type: ignore[arg-type]
            message_id=message_id,
        )
    except OutboxMessage.DoesNotExist as error:
        raise Http404("Không có thông điệp này.") from error
    except NotAllowedError as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, f"Không gửi lại được: {error.message}")
    else:
        messages.success(
            request,
            f"Đã đưa thông điệp {message.idempotency_key} trở lại hàng đợi; "
            "hệ thống sẽ gửi lại trong giây lát.",
        )
    if request.POST.get("tro_ve") == "chi-tiet":
        return redirect(reverse("interop:dead_letter", args=[message_id]))
    return redirect(reverse("interop:bus") + "#thu-loi")


@login_required
@require_POST
def discard(request: HttpRequest, message_id: int) -> HttpResponse:
    """Give up on a dead letter the partner refuses for good (the service asks the policy)."""
    if not policies.can_operate(request.user):
        raise PermissionDenied("Chỉ quản trị tỉnh được hủy thông điệp lỗi.")
    try:
        message = dead_letter_discard(
            actor=request.user,  # type: ignore[arg-type]
            message_id=message_id,
            reason=request.POST.get("reason", ""),
        )
    except OutboxMessage.DoesNotExist as error:
        raise Http404("Không có thông điệp này.") from error
    except NotAllowedError as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, f"Không hủy được: {error.message}")
    else:
        messages.success(
            request,
            f"Đã hủy thông điệp {message.idempotency_key}; các thông điệp sau nó được gửi tiếp.",
        )
    return redirect(reverse("interop:dead_letter", args=[message_id]))


def _body(row: Any, *, response: bool, readable: frozenset[str]) -> dict[str, str]:
    """What the row page shows of one body: the text, or why there is none."""
    kept = row.response_body if response else row.request_body
    if row.body_storage == BodyStorage.DIGEST:
        return {"note": "Nội dung có dữ liệu cá nhân: chỉ lưu mã băm, không lưu nội dung."}
    if not kept:
        return {"note": "Không có nội dung được lưu (trống, hoặc quá dài nên chỉ lưu mã băm)."}
    if row.body_storage not in readable:
        return {"note": "Nội dung có dữ liệu cá nhân, được mã hóa; chỉ quản trị tỉnh xem được."}
    try:
        text = body_read(row, response=response)
    except InvalidToken:
        return {"note": "Không giải mã được nội dung (khóa mã hóa đã thay đổi)."}
    with contextlib.suppress(ValueError):  # not JSON: shown as it is
        text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    return {"text": text}


@login_required
@require_GET
def log_row(request: HttpRequest, seq: int) -> HttpResponse:
    """One row of the message log, with its bodies where they are kept and may be read."""
    _require_viewer(request)
    row = message_log_get(seq=seq)
    if row is None:
        raise Http404("Không có bản ghi này trong nhật ký.")
    readable = policies.readable_body_storages(request.user)
    return render(
        request,
        "interop/log_row.html",
        {
            "row": row,
            "request_body": _body(row, response=False, readable=readable),
            "response_body": _body(row, response=True, readable=readable),
        },
    )
