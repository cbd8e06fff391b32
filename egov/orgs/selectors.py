"""Reads about agencies, staff and the working calendar."""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet
from vietnam_provinces import Province, ProvinceCode, Ward

from egov.core import workcal
from egov.core.reference import cached
from egov.core.text import fold

from .errors import UnknownAgencyError
from .models import (
    SERVICE_CENTER_KINDS,
    Agency,
    AgencyKind,
    CalendarEntry,
    CalendarEntryKind,
    Membership,
)


def agency_get(*, code: str) -> Agency:
    """The agency with this QCVN 102 code, with its parent; UnknownAgencyError otherwise.
    Read once per process until an agency changes (egov.core.reference): read it, never
    change it."""
    agency = cached(
        ("agency", code),
        lambda: Agency.objects.select_related("parent").filter(code=code).first(),
    )
    if agency is None:
        raise UnknownAgencyError(code)
    return agency


def agencies_by_id() -> dict[int, Agency]:
    """Every agency by id (a province has a few hundred): what a list of dossiers names of
    each, read once per process until an agency changes (egov.core.reference). Read it,
    never change it."""
    return cached(("agencies_by_id",), lambda: {a.pk: a for a in Agency.objects.all()})


def commune_of_ward(*, ward_code: int | None) -> Agency | None:
    """The People's Committee in force of the commune with this national ward code (cached
    like `agency_get`)."""
    if ward_code is None:
        return None
    return cached(
        ("commune_of_ward", ward_code),
        lambda: (
            Agency.objects.filter(
                kind=AgencyKind.COMMUNE_COMMITTEE, ward_code=ward_code, valid_to__isnull=True
            )
            .order_by("pk")
            .first()
        ),
    )


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.select_related("parent").order_by("code")


def memberships_of(*, user: AbstractBaseUser | AnonymousUser | None) -> tuple[Membership, ...]:
    """The user's active roles, with their agencies, for policies and page headers: read once
    per process until an administrator changes a role or an agency (egov.core.reference).
    Shared between requests: read them, never change them."""
    if user is None or not user.is_authenticated:
        return ()
    user_id = user.pk

    def load() -> tuple[Membership, ...]:
        rows = Membership.objects.filter(user_id=user_id, active=True).select_related("agency")
        return tuple(rows.order_by("pk"))

    return cached(("memberships", user_id), load)


def staff_with_role(*, role: str, agency: Agency | None = None) -> QuerySet[User]:
    """Active people holding an active membership with this role, at this agency (anywhere
    when None), by id: whom to tell about something that role looks after."""
    memberships = Membership.objects.filter(role=role, active=True)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by("pk")


def working_calendar() -> workcal.WorkingCalendar:
    """The province's working calendar: office hours from settings, its own entries from the
    database on top of the national holidays. Built once per process until an entry changes
    (egov.core.reference)."""
    return cached(("working_calendar",), _working_calendar)


def _working_calendar() -> workcal.WorkingCalendar:
    days_off: list = []
    working_days: list = []
    for date, kind in CalendarEntry.objects.values_list("date", "kind"):
        (days_off if kind == CalendarEntryKind.DAY_OFF else working_days).append(date)
    return workcal.WorkingCalendar(
        segments=workcal.parse_segments(settings.MOTCUA_WORKING_HOURS),
        extra_days_off=days_off,
        extra_working_days=working_days,
    )


def service_desks() -> QuerySet[Agency]:
    """The province's one-stop desks in force, the provincial centre first."""
    return Agency.objects.filter(kind__in=SERVICE_CENTER_KINDS, valid_to__isnull=True).order_by(
        "kind", "name"
    )


def communes() -> QuerySet[Agency]:
    """The communes' People's Committees in force, with their ward codes, by name."""
    return Agency.objects.filter(
        kind=AgencyKind.COMMUNE_COMMITTEE, valid_to__isnull=True, ward_code__isnull=False
    ).order_by("name")


def nearest_desk(*, ward_code: int | None, commune_procedure: bool) -> str:
    """The desk (QCVN 102 code) to suggest when none was chosen: for a commune procedure, the
    service center of the applicant's commune, where the committee that decides it sits;
    otherwise (or with no such commune) the province's service center; "" if neither exists.
    Any desk may still receive (intake regardless of administrative boundary)."""
    current = Agency.objects.filter(valid_to__isnull=True).order_by("code")
    if commune_procedure and ward_code is not None:
        commune_desk = current.filter(
            kind=AgencyKind.COMMUNE_SERVICE_CENTER, ward_code=ward_code
        ).first()
        if commune_desk is not None:
            return commune_desk.code
    province_desk = current.filter(kind=AgencyKind.PROVINCE_SERVICE_CENTER).first()
    return province_desk.code if province_desk is not None else ""


@dataclass(frozen=True)
class WardChoice:
    """A ward of the province (xã, phường, đặc khu) as a picker offers it."""

    code: int
    name: str  # "Phường Long Xuyên"
    province: str  # "Tỉnh An Giang", "Thành phố Cần Thơ"

    @property
    def label(self) -> str:
        """ "Phường Long Xuyên, Tỉnh An Giang": the ward named in full, never by its code."""
        return f"{self.name}, {self.province}"


@functools.cache
def _wards(province_code: int) -> tuple[tuple[WardChoice, str, str], ...]:
    """The province's wards by name, each with its folded name in full and without its kind
    ("phuong long xuyen", "long xuyen"), from the national list of administrative divisions
    in force (vietnam-provinces; two tiers since 1 July 2025)."""
    try:
        province = Province.from_code(ProvinceCode(province_code))
    except ValueError:
        return ()
    title = (
        province.name
        if province.name.startswith("Thành phố ")
        else f"{province.division_type.value.capitalize()} {province.name}"
    )
    rows = []
    for ward in Ward.iter_by_province(province.code):
        choice = WardChoice(code=int(ward.code), name=ward.name, province=title)
        bare = ward.name
        for kind in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
            bare = bare.removeprefix(kind)
        rows.append((choice, fold(ward.name), fold(bare)))
    return tuple(sorted(rows, key=lambda row: (row[2], row[0].code)))


def ward_get(*, province_code: int, code: int) -> WardChoice | None:
    """The province's ward with this national code; None if the code is not one of them."""
    return next((row[0] for row in _wards(province_code) if row[0].code == code), None)


def ward_search(*, province_code: int, query: str, limit: int = 10) -> list[WardChoice]:
    """The province's wards whose name holds what was typed, accents or not ("long xuyen",
    "Phường Long"): the one named exactly so first, then those whose name (without "Xã",
    "Phường") starts with it, then the others; each group by name."""
    wanted = fold(query)
    if not wanted:
        return []
    found = [row for row in _wards(province_code) if wanted in row[1]]
    found.sort(key=lambda row: (wanted not in (row[1], row[2]), not row[2].startswith(wanted)))
    return [row[0] for row in found[:limit]]


def ward_resolve(*, province_code: int, text: str) -> list[WardChoice]:
    """The wards a typed name may mean: the one it names exactly ("Long Xuyên", "phuong long
    xuyen", "Phường Long Xuyên, Tỉnh An Giang"), else every ward whose name holds it."""
    wanted = fold(text)
    if not wanted:
        return []
    rows = _wards(province_code)
    exact = [row[0] for row in rows if wanted in (row[1], row[2], fold(row[0].label))]
    if exact:
        return exact
    return [row[0] for row in rows if wanted in row[1]]
