"""How notices to citizens write times and dates: "16 giờ 30, thứ Sáu 11/12/2026".

`{% load notify_format %}` in a message template (`<app>/messages/<name>.txt`) of any app
that sends notices through `egov.notifications.services.citizen_notify`."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def vn_day(value: datetime.date | datetime.datetime | None) -> str:
    """ "thứ Sáu 11/12/2026"; "" for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    return f"{WEEKDAYS[value.weekday()]} {value:%d/%m/%Y}"


@register.filter
def vn_due(value: datetime.datetime | None) -> str:
    """ "16 giờ 30, thứ Sáu 11/12/2026", in the province's time zone; "" for none."""
    if value is None or value == "":
        return ""
    local = _local(value)
    return f"{local:%H} giờ {local:%M}, {vn_day(local)}"
