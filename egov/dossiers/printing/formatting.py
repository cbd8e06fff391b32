"""How the forms write things in Vietnamese: times, dates, addresses, labels, officers.

Pure functions of the values they are given: nothing here reads the database.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.utils import timezone
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from egov.catalog.models import TimeUnit
from egov.core.templatetags.vn_format import decimal_vn
from egov.orgs.models import Agency

from ..models import Channel, Dossier

# The place line's name when the agency's province code is not a known province.
DEFAULT_PLACE_NAME = "An Giang"


def vn_time(value: datetime.datetime | None) -> str:
    """ "08 giờ 00 phút, ngày 16/11/2026", in the province's time zone; "" for none."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def vn_date(value: datetime.datetime | datetime.date | None) -> str:
    """ "16/11/2026"; "" for none."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value:%d/%m/%Y}"


def vn_long_date(day: datetime.date) -> str:
    """ "ngày 16 tháng 11 năm 2026": days below 10 and months 1, 2 take a leading zero
    (Decree 30/2020, annex I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_time(value: datetime.datetime | None) -> str:
    """ "08:00 16/11/2026": the book's narrow columns."""
    if value is None:
        return ""
    return f"{timezone.localtime(value):%H:%M %d/%m/%Y}"


def book_number(number: int | None) -> str:
    """A row of the tracking book as the forms write it, from "01" (TT 01/2018 art. 10);
    "" for a dossier that has none (received before the book was numbered)."""
    return "" if number is None else f"{number:02d}"


def lookup_path(key: str) -> str:
    """The public look-up page of a dossier, by its code (or its reference before one): a full
    address, so that a phone scanning the QR code opens it."""
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/tra-cuu/{key}/"


def place_name(agency: Agency) -> str:
    """The province as the place line writes it: "An Giang", "Hà Nội"."""
    try:
        province = Province.from_code(ProvinceCode(agency.province_code))
    except ValueError:
        return DEFAULT_PLACE_NAME
    return province.name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


def address(dossier: Dossier) -> str:
    """ "12 Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang"; the street alone when the ward
    code is not a known ward."""
    parts = [dossier.applicant_street.strip()]
    if dossier.applicant_ward_code:
        try:
            ward = Ward.from_code(WardCode(dossier.applicant_ward_code))
        except ValueError:
            return parts[0]
        province = Province.from_code(ward.province_code).name
        parts.append(_lowered_division(ward.name))
        parts.append(
            _lowered_division(province) if province.startswith("Thành phố ") else f"tỉnh {province}"
        )
    return ", ".join(part for part in parts if part)


def _lowered_division(name: str) -> str:
    """ "Phường Long Xuyên" → "phường Long Xuyên", as it reads inside a sentence."""
    for division in ("Phường ", "Xã ", "Đặc khu ", "Thành phố "):
        if name.startswith(division):
            return division.lower() + name[len(division) :]
    return name


def time_limit(dossier: Dossier) -> str:
    """ "1 ngày làm việc": the legal limit the dossier runs under."""
    content = dossier.procedure_revision.content
    limit = content["time_limit"]
    if dossier.channel == Channel.ONLINE and content.get("online_time_limit"):
        limit = content["online_time_limit"]
    return f"{decimal_vn(Decimal(str(limit['value'])))} {label(TimeUnit, limit['unit'])}"


def label(choices: type[models.TextChoices], value: str) -> str:
    """The Vietnamese label of a catalogue value; the value itself if the catalogue is newer."""
    return str(choices(value).label) if value in choices.values else value


def quantity(value: Any) -> str:
    """A number of papers as the forms write it: "01", "12"; what a stored list holds that
    is not a number is printed as it is."""
    try:
        return f"{int(value):02d}"
    except (TypeError, ValueError):
        return str(value or "")


def item_text(item: Any) -> str:
    """A supplement item as the service stored it: a string, or {"name", "note"}."""
    if isinstance(item, dict):
        name = str(item.get("name") or item.get("code") or "")
        note = str(item.get("note") or "")
        return f"{name}: {note}" if name and note else name or note
    return str(item)


# ---------------------------------------------------------------------------------- people


class _Person(Protocol):
    def get_full_name(self) -> str: ...


@dataclass(frozen=True)
class Officer:
    """An officer as the forms name them: the full name, and the title held at the agency
    the form concerns when one is recorded. Never the login: an account without a full name
    leaves the name blank for the officer to write in by hand, as on the paper forms."""

    name: str
    title: str = ""

    def __str__(self) -> str:
        """ "Võ Thị Kim Yến, Công chức Bộ phận Một cửa", inside a sentence or a table."""
        return ", ".join(part for part in (self.name, self.title) if part)

    def __bool__(self) -> bool:
        return bool(self.name or self.title)


def officer(person: _Person | None, title: str | None = "") -> Officer:
    """The one way the forms name an officer (see Officer); `title` is the person's
    Membership.title at the agency concerned, which the caller looks up (officer_titles)."""
    if person is None:
        return Officer(name="")
    return Officer(
        name=" ".join(person.get_full_name().split()), title=" ".join((title or "").split())
    )
