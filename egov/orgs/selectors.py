"""Reads about agencies, staff and the working calendar."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet

from egov.core import workcal

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
    """The agency with this QCVN 102 code; UnknownAgencyError otherwise."""
    try:
        return Agency.objects.get(code=code)
    except Agency.DoesNotExist:
        raise UnknownAgencyError(code) from None


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.select_related("parent").order_by("code")


def memberships_of(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    """The user's active roles, with their agencies, for policies and page headers."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user_id=user.pk, active=True).select_related("agency")


def staff_with_role(*, role: str, agency: Agency | None = None) -> QuerySet[User]:
    """Active people holding an active membership with this role, at this agency (anywhere
    when None), by id: whom to tell about something that role looks after."""
    memberships = Membership.objects.filter(role=role, active=True)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by("pk")


def working_calendar() -> workcal.WorkingCalendar:
    """The province's working calendar: office hours from settings, its own entries from the
    database on top of the national holidays."""
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
