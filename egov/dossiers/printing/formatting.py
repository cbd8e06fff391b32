"""How the forms write things in Vietnamese: times, dates, addresses, labels, officers.

Pure functions of the values they are given: nothing here reads the database.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from egov.catalog.models import TimeUnit
from egov.core.templatetags.vn_format import decimal_vn
from egov.core.text import fold
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


def _ward(code: int | None) -> Ward | None:
    if not code:
        return None
    try:
        return Ward.from_code(WardCode(code))
    except ValueError:
        return None


def _province_in_text(ward: Ward) -> str:
    province = Province.from_code(ward.province_code).name
    return _lowered_division(province) if province.startswith("Thành phố ") else f"tỉnh {province}"


def _address_parts(dossier: Dossier) -> list[str]:
    ward = _ward(dossier.applicant_ward_code)
    if ward is None:
        return [dossier.applicant_street.strip()]
    return [
        street_only(dossier.applicant_street, ward.code),
        _lowered_division(ward.name),
        _province_in_text(ward),
    ]


def address(dossier: Dossier) -> str:
    """ "12 Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang"; the street alone when the ward
    code is not a known ward. A street that already ends with this ward or its province
    (an address line written whole, as the population database gives it) does not have
    them written twice (`street_only`)."""
    return ", ".join(part for part in _address_parts(dossier) if part)


def address_html(dossier: Dossier) -> SafeString:
    """The `address` for a form (HTML), the ward's and the province's names each kept on
    one line, as `unbroken` keeps an agency's."""
    street, *places = _address_parts(dossier)
    return format_html_join(
        "",
        "{}",
        [
            *([(street + (", " if places else ""),)] if street else []),
            *(
                (format_html('<span class="held">{}{}</span>', place, ", " if more else ""),)
                for place, more in zip(places, (True, False), strict=False)
            ),
        ],
    )


def street_only(text: str, ward_code: int | None) -> str:
    """The house-and-street part of an address line that may go on to name its ward and
    province: "Số 12 đường Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang" with Long
    Xuyên's code gives "Số 12 đường Trần Hưng Đạo". The population database writes the
    permanent residence whole; a form and a dossier keep the ward apart, by its code, and the
    forms add ward and province themselves (`address`). Only trailing parts that name this
    very ward or its province go, whatever their case, accents or division word; anything
    else (another ward, a hamlet) stays as written."""
    parts = [part.strip() for part in text.split(",")]
    ward = _ward(ward_code)
    if ward is None:
        return text.strip()
    province = Province.from_code(ward.province_code).name
    names = {
        fold(name)
        for name in (
            ward.name,
            _bare(ward.name),
            province,
            _bare(province),
            f"tỉnh {province}",
        )
    }
    while parts and fold(parts[-1]) in names:
        parts.pop()
    return ", ".join(part for part in parts if part)


def _bare(name: str) -> str:
    """ "Phường Long Xuyên" → "Long Xuyên"."""
    for division in ("Phường ", "Xã ", "Đặc khu ", "Thành phố ", "Tỉnh "):
        if name.startswith(division):
            return name[len(division) :]
    return name


def _lowered_division(name: str) -> str:
    """ "Phường Long Xuyên" → "phường Long Xuyên", as it reads inside a sentence."""
    for division in ("Phường ", "Xã ", "Đặc khu ", "Thành phố "):
        if name.startswith(division):
            return division.lower() + name[len(division) :]
    return name


# What an agency's name keeps on one line: the phrases of its kind, and the place it serves
# (a division word and the place's name, up to four words, ending the name).
_KIND_PHRASES = re.compile(
    r"\b(?:Ủy ban nhân dân|Hội đồng nhân dân|Trung tâm|Phục vụ|hành chính công|Bộ phận|"
    r"Một cửa|Văn phòng|Đăng ký đất đai|Tư pháp|Công an)\b",
    re.IGNORECASE,
)
_PLACE = re.compile(
    r"\b(?:xã|phường|đặc khu|tỉnh|thành phố)(?:\s+[^\s,;()-]+){1,4}$", re.IGNORECASE
)


def held_phrases(name: str) -> list[str]:
    """An agency's name cut where a line may break: between the phrases of its kind ("Ủy
    ban nhân dân", "hành chính công"), the place it serves ("xã Vĩnh Thạnh Trung"), and its
    other words; never inside one of those."""
    name = " ".join(name.split())
    spans: list[tuple[int, int]] = []
    for start, end in sorted(
        [match.span() for match in _KIND_PHRASES.finditer(name)]
        + [match.span() for match in _PLACE.finditer(name)]
    ):
        if spans and start < spans[-1][1]:  # overlapping: held as one
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    phrases: list[str] = []
    position = 0
    for start, end in spans:
        phrases.extend(name[position:start].split())
        phrases.append(name[start:end])
        position = end
    phrases.extend(name[position:].split())
    return phrases


def unbroken(name: str) -> SafeString:
    """An agency's name as the forms print it (HTML): each of its `held_phrases` on one
    line, so that a narrow column breaks it only between them ("ỦY BAN NHÂN DÂN / XÃ VĨNH
    THẠNH TRUNG"). Held by markup (class "held": `white-space: nowrap` in the forms'
    stylesheet) with the space after a phrase inside it, where the PDF keeps it as text;
    no-break spaces would come back from the PDF's text in place of every space."""
    phrases = held_phrases(name)
    last = len(phrases) - 1
    return format_html_join(
        "",
        '<span class="held">{}{}</span>',
        ((phrase, "" if index == last else " ") for index, phrase in enumerate(phrases)),
    )


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
