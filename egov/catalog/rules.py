"""Pure catalogue rules shared by the import, the admin and the pages (no ORM here)."""

from decimal import Decimal

WORKING_DAY_HOURS = 8
# A month's share of working hours when step shares are compared with a limit in months.
MONTH_WORKING_DAYS = 22


def limit_in_working_hours(value: Decimal, unit: str) -> Decimal:
    """The most working hours a limit can hold: what the process steps may share.

    A calendar day holds at most one working day; a month is taken as 22 working days.
    """
    factor = {
        "hours": 1,
        "working_days": WORKING_DAY_HOURS,
        "days": WORKING_DAY_HOURS,
        "months": MONTH_WORKING_DAYS * WORKING_DAY_HOURS,
    }[unit]
    return value * factor


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
