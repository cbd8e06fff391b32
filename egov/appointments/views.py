"""Citizen pages for appointments (/dat-lich/): book in short steps — procedure, desk, day,
time, who comes, check — then see, change or cancel by the secret link.

One question per page; the answers wait in the session until the booking is made. Pages
parse and render; the selectors say what may be chosen and the services decide. A wrong
input answers 400 with the error summary, a broken rule 422, a slot taken meanwhile 409, an
unknown link 404.
"""

import datetime
import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from egov.core.errors import DomainError
from egov.core.ratelimit import allow

from . import policies, selectors, services
from .errors import AppointmentNotFoundError, AppointmentRuleError, SlotTakenError
from .models import Appointment
from .rules import Person, person_problems

SESSION_DRAFT = "appointment_draft"
SESSION_BOOKED = "appointment_booked"  # the link just booked: its page says so
BOOKING_RATE = "20/h"  # bookings per address: enough for a family, too few for a bot
MAX_QUERY_LENGTH = 200

_DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME_RE = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")

# The steps in order, each with the draft key it fills.
STEPS = [
    ("procedure", "appointments:procedure"),
    ("desk", "appointments:desk"),
    ("day", "appointments:day"),
    ("time", "appointments:time"),
    ("phone", "appointments:details"),
]
PERSON_FIELDS = ["full_name", "phone", "email", "id_number"]
# Where an error on a field is fixed: its page and the input the summary links to.
FIELD_STEP = {
    "procedure": "appointments:procedure",
    "desk": "appointments:desk",
    "day": "appointments:day",
    "time": "appointments:time",
    **dict.fromkeys(PERSON_FIELDS, "appointments:details"),
}
FIELD_ANCHOR = {
    "procedure": "#thu-tuc-1",
    "desk": "#noi-nop",
    "day": "#chon-ngay",
    "time": "#chon-gio",
    **{field: f"#{field}" for field in PERSON_FIELDS},
}


# ---------------------------------------------------------------- helpers


def _draft(request: HttpRequest) -> dict[str, str]:
    return dict(request.session.get(SESSION_DRAFT) or {})


def _save(request: HttpRequest, draft: dict[str, str]) -> None:
    request.session[SESSION_DRAFT] = draft


def _next(draft: dict[str, str]) -> HttpResponse:
    """The first step still unanswered, else the check page (so a change made from the
    check page comes back to it, and a change that voids later answers asks them again)."""
    for key, name in STEPS:
        if not draft.get(key):
            return redirect(reverse(name))
    return redirect(reverse("appointments:check"))


def _errors(
    fields: dict[str, str], fallback: str = "", anchors: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """The error summary's lines, each linking to its input."""
    where = {**FIELD_ANCHOR, **(anchors or {})}
    lines = [
        {"href": where.get(field, "#noi-dung"), "message": message}
        for field, message in fields.items()
    ]
    if not lines and fallback:
        lines.append({"href": "#noi-dung", "message": fallback})
    return lines


def _status(error: DomainError) -> int:
    if isinstance(error, SlotTakenError):
        return 409
    return 422


def parse_day(text: str) -> datetime.date | None:
    if not _DAY_RE.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def parse_start(day: datetime.date, text: str) -> datetime.datetime | None:
    """The aware start of the slot "HH:MM" of that day, in the province's time."""
    match = _TIME_RE.fullmatch(text)
    if match is None:
        return None
    at = datetime.time(int(match[1]), int(match[2]))
    return timezone.make_aware(datetime.datetime.combine(day, at))


def _chosen(draft: dict[str, str]) -> dict[str, Any]:
    """The draft's procedure, desk, day and start, resolved; a value no longer valid is left
    out (the step asks it again)."""
    chosen: dict[str, Any] = {}
    try:
        if draft.get("procedure"):
            chosen["procedure"] = selectors.procedure_for_booking(national_code=draft["procedure"])
        if draft.get("desk"):
            chosen["desk"] = selectors.desk_for_booking(code=draft["desk"])
    except AppointmentRuleError:
        return chosen
    day = parse_day(draft.get("day", ""))
    if day is not None:
        chosen["day"] = day
        start = parse_start(day, draft.get("time", ""))
        if start is not None:
            chosen["starts_at"] = start
    return chosen


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    fields: dict[str, str] | None = None,
    error: str = "",
    anchors: dict[str, str] | None = None,
) -> HttpResponse:
    fields = fields or {}
    context = {**context, "field_errors": fields, "errors": _errors(fields, error, anchors)}
    return render(request, f"appointments/{template}", context, status=status)


def _missing(
    draft: dict[str, str], chosen: dict[str, Any], needed: list[str]
) -> HttpResponse | None:
    """Send the person back to the first earlier step they have not answered (validly)."""
    keys = {"procedure": "procedure", "desk": "desk", "day": "day", "time": "starts_at"}
    for key, name in STEPS:
        if key not in needed:
            continue
        if key == "phone":
            if not draft.get("phone"):
                return redirect(reverse(name))
        elif keys[key] not in chosen:
            return redirect(reverse(name))
    return None


# ---------------------------------------------------------------- booking steps


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """What booking is for; from a procedure's page (`?thu_tuc=1.001193`) it starts with
    that procedure chosen."""
    code = request.GET.get("thu_tuc", "").strip()
    if code:
        try:
            procedure = selectors.procedure_for_booking(national_code=code)
        except AppointmentRuleError:
            pass  # an unknown or closed procedure: the person chooses on the first page
        else:
            draft = _draft(request)
            draft["procedure"] = procedure.national_code
            _save(request, draft)
            return _next(draft)
    return _render(request, "start.html", {})


@never_cache
@require_http_methods(["GET", "POST"])
def choose_procedure(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    query = (request.GET.get("q") or request.POST.get("q") or "")[:MAX_QUERY_LENGTH]
    fields: dict[str, str] = {}
    if request.method == "POST":
        try:
            procedure = selectors.procedure_for_booking(
                national_code=request.POST.get("procedure", "").strip()
            )
        except AppointmentRuleError as error:
            fields = error.fields
        else:
            draft["procedure"] = procedure.national_code
            _save(request, draft)
            return _next(draft)
    results = selectors.procedures_for_booking(query=query) if query.strip() else []
    current = _chosen(draft).get("procedure")
    if current is not None and current not in results:
        results = [current, *results]
    return _render(
        request,
        "procedure.html",
        {"query": query, "results": results, "chosen": draft.get("procedure", "")},
        status=400 if fields else 200,
        fields=fields,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def choose_desk(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    chosen = _chosen(draft)
    if back := _missing(draft, chosen, ["procedure"]):
        return back
    fields: dict[str, str] = {}
    if request.method == "POST":
        try:
            desk = selectors.desk_for_booking(code=request.POST.get("desk", "").strip())
        except AppointmentRuleError as error:
            fields = error.fields
        else:
            if draft.get("desk") != desk.code:
                # Another desk has other places: the day and time are asked again.
                draft.pop("day", None)
                draft.pop("time", None)
            draft["desk"] = desk.code
            _save(request, draft)
            return _next(draft)
    return _render(
        request,
        "desk.html",
        {"desks": selectors.desks_for_booking(), "chosen": draft.get("desk", ""), **chosen},
        status=400 if fields else 200,
        fields=fields,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def choose_day(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    chosen = _chosen(draft)
    if back := _missing(draft, chosen, ["procedure", "desk"]):
        return back
    desk = chosen["desk"]
    fields: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        day = parse_day(request.POST.get("ngay", "").strip())
        if day is None:
            fields, status = {"day": "Hãy chọn một ngày trong danh sách."}, 400
        else:
            try:
                selectors.day_for_booking(desk=desk, day=day)
            except AppointmentRuleError as error:
                fields, status = error.fields, _status(error)
            else:
                if draft.get("day") != day.isoformat():
                    draft.pop("time", None)
                draft["day"] = day.isoformat()
                _save(request, draft)
                return _next(draft)
    days = selectors.booking_days(desk=desk)
    return _render(
        request,
        "day.html",
        {"days": days, "chosen": draft.get("day", ""), **chosen},
        status=status,
        fields=fields,
        anchors={"day": _first_open_day(days)},
    )


def slot_groups(slots: list[selectors.SlotOption]) -> list[dict[str, Any]]:
    """The slots under "Buổi sáng" and "Buổi chiều", leaving out an empty half."""
    groups = [
        {"label": "Buổi sáng", "slots": [slot for slot in slots if slot.morning]},
        {"label": "Buổi chiều", "slots": [slot for slot in slots if not slot.morning]},
    ]
    return [group for group in groups if group["slots"]]


def _first_open(slots: list[selectors.SlotOption]) -> str:
    """The anchor of the first slot with a place, where the error summary links."""
    for slot in slots:
        if slot.remaining:
            return f"#gio-{slot.value.replace(':', '')}"
    return "#chon-gio"


def _first_open_day(days: list[selectors.DayOption]) -> str:
    for option in days:
        if option.remaining:
            return f"#ngay-{option.day:%Y%m%d}"
    return "#chon-ngay"


@never_cache
@require_http_methods(["GET", "POST"])
def choose_time(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    chosen = _chosen(draft)
    if back := _missing(draft, chosen, ["procedure", "desk", "day"]):
        return back
    desk, day = chosen["desk"], chosen["day"]
    fields: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        start_at = parse_start(day, request.POST.get("gio", "").strip())
        if start_at is None:
            fields, status = {"time": "Hãy chọn một khung giờ trong danh sách."}, 400
        else:
            try:
                selectors.slot_choice(desk=desk, starts_at=start_at)
            except AppointmentRuleError as error:
                fields, status = error.fields, _status(error)
                if "day" in fields:  # the day itself went by meanwhile
                    fields = {"time": fields["day"]}
            else:
                draft["time"] = f"{start_at:%H:%M}"
                _save(request, draft)
                return _next(draft)
    slots = selectors.booking_slots(desk=desk, day=day)
    return _render(
        request,
        "time.html",
        {
            "groups": slot_groups(slots),
            "any_open": any(slot.remaining for slot in slots),
            "chosen": draft.get("time", ""),
            **chosen,
        },
        status=status,
        fields=fields,
        anchors={"time": _first_open(slots)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    chosen = _chosen(draft)
    if back := _missing(draft, chosen, ["procedure", "desk", "day", "time"]):
        return back
    fields: dict[str, str] = {}
    if request.method == "POST":
        typed = Person(
            **{field: request.POST.get(field, "")[:300] for field in PERSON_FIELDS}
        ).cleaned()
        values = {field: getattr(typed, field) for field in PERSON_FIELDS}
        fields = person_problems(typed)
        if not fields:
            draft.update(values)
            _save(request, draft)
            return _next(draft)
    elif draft.get("phone"):
        values = {field: draft.get(field, "") for field in PERSON_FIELDS}
    else:
        # A signed-in citizen: what the national e-identity says (contract: accounts).
        identity = getattr(request.user, "citizen_identity", None)
        values = {field: str(getattr(identity, field, "") or "") for field in PERSON_FIELDS}
    return _render(
        request,
        "details.html",
        {"values": values, **chosen},
        status=400 if fields else 200,
        fields=fields,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    chosen = _chosen(draft)
    if back := _missing(draft, chosen, ["procedure", "desk", "day", "time", "phone"]):
        return back
    person = Person(**{field: draft.get(field, "") for field in PERSON_FIELDS})
    context = {"person": person, **chosen}
    if request.method == "POST":
        if not allow(request, scope="appointment_book", rate=BOOKING_RATE):
            return _render(
                request,
                "check.html",
                context,
                status=429,
                error="Bạn đã đặt quá nhiều lịch hẹn trong thời gian ngắn; hãy thử lại sau.",
            )
        try:
            appointment = services.appointment_book(
                actor=request.user,
                desk_code=chosen["desk"].code,
                procedure_code=chosen["procedure"].national_code,
                starts_at=chosen["starts_at"],
                person=person,
            )
        except AppointmentRuleError as error:
            # On this page each problem links to the step that fixes it.
            return _render(
                request,
                "check.html",
                context,
                status=_status(error),
                fields=error.fields,
                error=error.message,
                anchors={f: reverse(FIELD_STEP[f]) for f in error.fields if f in FIELD_STEP},
            )
        request.session.pop(SESSION_DRAFT, None)
        request.session[SESSION_BOOKED] = appointment.token
        return redirect(reverse("appointments:manage", args=[appointment.token]))
    return _render(request, "check.html", context)


# ---------------------------------------------------------------- the secret link


def _not_found(request: HttpRequest) -> HttpResponse:
    return _render(
        request, "not_found.html", {}, status=404, error=AppointmentNotFoundError().message
    )


def _manage_context(appointment: Appointment) -> dict[str, Any]:
    now = timezone.now()
    return {
        "appointment": appointment,
        "link": services.manage_url(appointment.token),
        "can_change": policies.can_change(appointment, now=now),
        "can_cancel": policies.can_cancel(appointment, now=now),
    }


@never_cache
@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        appointment = selectors.appointment_by_token(token=token)
    except AppointmentNotFoundError:
        return _not_found(request)
    just_booked = request.session.get(SESSION_BOOKED) == token
    if just_booked:
        request.session.pop(SESSION_BOOKED, None)
    context = {**_manage_context(appointment), "just_booked": just_booked}
    return _render(request, "manage.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    try:
        appointment = selectors.appointment_by_token(token=token)
    except AppointmentNotFoundError:
        return _not_found(request)
    if request.method == "POST":
        try:
            services.appointment_cancel(token=token)
        except AppointmentNotFoundError:
            return _not_found(request)
        except AppointmentRuleError as error:
            return _render(
                request,
                "manage.html",
                _manage_context(appointment),
                status=_status(error),
                error=error.message,
            )
        messages.success(request, "Đã hủy lịch hẹn.")
        return redirect(reverse("appointments:manage", args=[token]))
    if not policies.can_cancel(appointment, now=timezone.now()):
        return redirect(reverse("appointments:manage", args=[token]))
    return _render(request, "cancel.html", {"appointment": appointment})


@never_cache
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, token: str) -> HttpResponse:
    """Another slot at the same desk: pick the day (a GET form), then the time."""
    try:
        appointment = selectors.appointment_by_token(token=token)
    except AppointmentNotFoundError:
        return _not_found(request)
    if not policies.can_change(appointment, now=timezone.now()):
        messages.warning(request, "Lịch hẹn này không đổi được nữa.")
        return redirect(reverse("appointments:manage", args=[token]))
    desk = appointment.agency
    source = request.POST if request.method == "POST" else request.GET
    raw_day = source.get("ngay", "").strip()
    day = parse_day(raw_day)
    fields: dict[str, str] = {}
    status = 200
    if (raw_day or request.method == "POST") and day is None:
        fields, status = {"day": "Hãy chọn một ngày trong danh sách."}, 400
    elif day is not None:
        try:
            selectors.day_for_booking(desk=desk, day=day)
        except AppointmentRuleError as error:
            fields, status, day = error.fields, _status(error), None
    if request.method == "POST" and day is not None:
        start_at = parse_start(day, request.POST.get("gio", "").strip())
        if start_at is None:
            fields, status = {"time": "Hãy chọn một khung giờ trong danh sách."}, 400
        else:
            try:
                services.appointment_change(token=token, starts_at=start_at)
            except AppointmentNotFoundError:
                return _not_found(request)
            except AppointmentRuleError as error:
                fields = error.fields or {"time": error.message}
                if "day" in fields:  # the day went by meanwhile: said on the time page
                    fields = {"time": fields["day"]}
                status = _status(error)
            else:
                messages.success(request, "Đã đổi lịch hẹn sang giờ mới.")
                return redirect(reverse("appointments:manage", args=[token]))
    context: dict[str, Any] = {"appointment": appointment, "desk": desk}
    if day is None:
        days = selectors.booking_days(desk=desk)
        context["days"] = days
        anchors = {"day": _first_open_day(days), "time": _first_open_day(days)}
    else:
        slots = selectors.booking_slots(desk=desk, day=day)
        context.update(
            day=day, groups=slot_groups(slots), any_open=any(slot.remaining for slot in slots)
        )
        anchors = {"day": _first_open(slots), "time": _first_open(slots)}
    return _render(request, "change.html", context, status=status, fields=fields, anchors=anchors)
