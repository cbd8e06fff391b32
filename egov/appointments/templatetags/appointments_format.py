"""How appointment pages write days and phone numbers."""

import datetime

from django import template
from django.utils import timezone

from egov.appointments.rules import WEEKDAYS

register = template.Library()


@register.filter
def weekday_vn(value: datetime.date | datetime.datetime | None) -> str:
    """ "Thứ Ba" for a Tuesday (a datetime in the province's time)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return WEEKDAYS[value.weekday()]


@register.filter
def masked_phone(value: str) -> str:
    """ "0912•••678": enough to recognise one's own number on a forwarded link."""
    if len(value) < 7:
        return value
    return f"{value[:4]}•••{value[-3:]}"
