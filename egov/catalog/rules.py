"""Pure catalogue rules shared by the file import and the admin site (no ORM here).

Each check returns the problems it finds as Vietnamese sentences, so the import can place
them in the file and the admin form can show them beside the fields.
"""

import datetime
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from egov.core.identifiers import phone_problem
from egov.core.workcal import WORKING_DAY_HOURS

MAX_STEPS = 10
# Weekends leave 5 working days in 7, and a month is taken as 30 calendar days: the shares
# of a calendar-day or month limit are checked against that average. A limit that spans Tết
# holds less; the dossier's own clock (core.workcal) then decides the real due time.
_CALENDAR_DAY_SHARE = Decimal(5) / Decimal(7)
_MONTH_DAYS = 30


@dataclass(frozen=True)
class StepShape:
    """What the step rules need to know of a step, wherever it comes from."""

    agency_kind: str
    hours: Decimal


def limit_in_working_hours(value: Decimal, unit: str) -> Decimal:
    """The most working hours a limit can be counted to hold: what the steps may share."""
    day = Decimal(WORKING_DAY_HOURS)
    hours = {
        "hours": value,
        "working_days": value * day,
        "days": value * day * _CALENDAR_DAY_SHARE,
        "months": value * _MONTH_DAYS * day * _CALENDAR_DAY_SHARE,
    }[unit]
    return hours.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def time_limit_problem(value: Decimal, unit: str) -> str | None:
    if unit in {"days", "months"} and value != value.to_integral_value():
        return "phải là số nguyên với đơn vị ngày hoặc tháng"
    return None


def procedure_problems(
    *,
    level: str,
    has_competent_agency: bool,
    competent_agency_kind: str,
    online_level: str,
    full_process_eligible: bool,
    online_limit_value: Decimal | None,
    online_limit_unit: str,
) -> dict[str, str]:
    """Rules across a procedure's fields, by the field to blame."""
    problems: dict[str, str] = {}
    if online_level == "full" and not full_process_eligible:
        problems["full_process_eligible"] = "thủ tục toàn trình phải đủ điều kiện toàn trình"
    if level == "commune" and (has_competent_agency or not competent_agency_kind):
        problems["competent_agency_kind"] = "thủ tục cấp xã dùng commune_committee"
    if level == "province" and (competent_agency_kind or not has_competent_agency):
        problems["competent_agency"] = "thủ tục cấp tỉnh cần mã cơ quan có thẩm quyền"
    online_problem = (
        time_limit_problem(online_limit_value, online_limit_unit)
        if online_limit_value is not None and online_limit_unit
        else None
    )
    if online_problem:
        problems["online_time_limit"] = online_problem
    return problems


def steps_problems(
    *, level: str, steps: Sequence[StepShape], limit_value: Decimal | None, limit_unit: str
) -> list[str]:
    """The process as a whole: its length, its agencies, its shares of the time limit."""
    problems = []
    if not steps or len(steps) > MAX_STEPS:
        problems.append(f"quy trình cần từ 1 đến {MAX_STEPS} bước")
    if level == "province" and any(step.agency_kind for step in steps):
        problems.append("thủ tục cấp tỉnh phải ghi mã cơ quan cho từng bước")
    if limit_value and limit_unit:
        allowed = limit_in_working_hours(limit_value, limit_unit)
        total = sum((step.hours for step in steps), Decimal(0))
        if total > allowed:
            problems.append(
                f"tổng thời gian các bước ({total:g} giờ) vượt thời hạn giải quyết "
                f"({allowed:g} giờ làm việc)"
            )
    return problems


def is_inter_agency_step(
    *,
    role: str,
    agency_code: str | None,
    agency_kind: str,
    competent_agency_code: str | None,
    competent_agency_kind: str,
) -> bool:
    """A liên thông step: work (not reception) at an agency other than the competent one."""
    if role == "reception":
        return False
    if agency_code is not None:
        return agency_code != competent_agency_code
    return agency_kind not in {competent_agency_kind, "commune_service_center"}


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_FORM_TEXT = 2000
# An e-form number's whole part: 14 digits, as the pages' field takes it (catalog.forms).
MAX_FORM_NUMBER = 10**14


def _value_problem(field: dict[str, Any], value: Any) -> str | None:
    kind = field.get("type")
    if kind in {"text", "textarea", "email", "phone"}:
        if not isinstance(value, str) or len(value) > MAX_FORM_TEXT:
            return f"phải là chữ, tối đa {MAX_FORM_TEXT} ký tự"
        if kind == "email" and value and not _EMAIL.fullmatch(value):
            return "không phải địa chỉ thư điện tử"
        if kind == "phone" and value and (problem := phone_problem(value)):
            return problem
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "phải là một số"
        # A JSON body may carry NaN or Infinity, which a JSON column refuses, or a number of
        # any length: at most what the pages' field takes.
        finite = not isinstance(value, float) or math.isfinite(value)
        if not finite or abs(value) >= MAX_FORM_NUMBER:
            return "phải là một số, phần nguyên tối đa 14 chữ số"
    elif kind == "checkbox":
        if not isinstance(value, bool):
            return "phải là có hoặc không"
    elif kind == "date":
        try:
            datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return "phải là ngày dạng YYYY-MM-DD"
    elif kind == "select" and value not in [choice[0] for choice in field.get("choices", [])]:
        return "không có trong danh sách lựa chọn"
    return None


def form_data_problems(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """The e-form's answers against the procedure's e-form schema, by field."""
    fields = {field["name"]: field for field in schema.get("fields", [])}
    problems = {
        f"form_data.{name}": "không có trong tờ khai của thủ tục"
        for name in data
        if name not in fields
    }
    for name, field in fields.items():
        value = data.get(name)
        if value in (None, ""):
            if field.get("required"):
                problems[f"form_data.{name}"] = f"cần điền “{field.get('label', name)}”"
            continue
        if problem := _value_problem(field, value):
            problems[f"form_data.{name}"] = problem
    return problems
