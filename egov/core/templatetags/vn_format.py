"""Numbers, dates and times as Vietnamese documents write them: 1.250.000 đồng, 83,3%,
16/11/2026, 08:30 16/11/2026.

Dates and times anywhere else in a template go through Django's `date` filter, whose formats
for Vietnamese are ours (egov/core/formats/vi): `{{ value|date }}` is 16/11/2026,
`{{ value|date:"DATETIME_FORMAT" }}` and a bare `{{ value }}` 08:30 16/11/2026. The filters
here are for what the `date` filter cannot take: a date kept as ISO text in a JSON field (the
answers of an e-form)."""

import datetime
import re
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()

# How an e-form's date answer is stored (an <input type="date"> sends it so).
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# The one way the site writes a date, and a moment.
DATE = "%d/%m/%Y"
DATETIME = "%H:%M %d/%m/%Y"


@register.filter
def thousands(value: int | Decimal | None) -> str:
    """Group thousands with dots. Django's vi locale sets no grouping, so intcomma won't."""
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", ".")


@register.filter
def decimal_vn(value: Decimal | int | None) -> str:
    """1.50 → "1,5", 8.00 → "8": no trailing zeros, a decimal comma as Vietnamese writes it."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


@register.filter
def percent(value: float | Decimal | None) -> str:
    """A ratio as a percentage to one decimal: 0.8333 → "83,3%", 1 → "100%"; "—" for none
    (nothing to divide by)."""
    if value is None:
        return "—"
    rounded = Decimal(str(value * 100)).quantize(Decimal("0.1"))
    return f"{decimal_vn(rounded)}%"


@register.filter
def vn_date(value: Any) -> Any:
    """16/11/2026 from a date, a moment (in the province's time zone) or a date kept as ISO
    text ("2026-11-16"); "" for none; anything else as it is (a text answer stays a text)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return _local(value).strftime(DATE)
    if isinstance(value, datetime.date):
        return value.strftime(DATE)
    if isinstance(value, str) and (match := _ISO_DATE.fullmatch(value.strip())):
        try:
            day = datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            return value  # not a real day (2026-02-30): shown as it was typed
        return day.strftime(DATE)
    return value


@register.filter
def vn_datetime(value: datetime.datetime | None) -> str:
    """08:30 16/11/2026, in the province's time zone; "" for none."""
    if value is None or value == "":
        return ""
    return _local(value).strftime(DATETIME)


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value
