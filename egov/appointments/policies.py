"""Who may see a desk's appointments, mark arrivals and set how the desk takes bookings.

Booking, changing and cancelling need no account: the secret link is the permission.
A desk's reception officers see its appointments and mark arrivals; its leaders and agency
administrators see them; province administrators and auditors read every desk's. A desk's
schedule (slot length, capacity) is set by its agency administrators and the province's.
"""

import datetime

from egov.orgs.models import SERVICE_CENTER_KINDS, Agency, Role
from egov.orgs.policies import Actor, can_manage_agency, can_read_everything
from egov.orgs.selectors import memberships_of

from .models import Appointment, AppointmentStatus

# Roles that see a desk's appointments; only reception acts on them.
VIEW_ROLES = frozenset({Role.RECEPTION, Role.LEADER, Role.AGENCY_ADMIN})


def desks_of(actor: Actor) -> list[Agency]:
    """The desks whose appointments the actor works with by their own roles, by name."""
    desks = {
        membership.agency_id: membership.agency
        for membership in memberships_of(user=actor)
        if membership.role in VIEW_ROLES and membership.agency.kind in SERVICE_CENTER_KINDS
    }
    return sorted(desks.values(), key=lambda desk: desk.name)


def can_view_desk(actor: Actor, desk: Agency) -> bool:
    if desk.kind not in SERVICE_CENTER_KINDS:
        return False
    if can_read_everything(actor):
        return True
    return any(m.agency_id == desk.pk and m.role in VIEW_ROLES for m in memberships_of(user=actor))


def can_mark_arrival(actor: Actor, desk: Agency) -> bool:
    """Only the desk's own reception officers give queue numbers (auditors read, never act)."""
    return any(
        m.agency_id == desk.pk and m.role == Role.RECEPTION for m in memberships_of(user=actor)
    )


def can_manage_schedule(actor: Actor, desk: Agency) -> bool:
    return desk.kind in SERVICE_CENTER_KINDS and can_manage_agency(actor, desk)


def can_change(appointment: Appointment, *, now: datetime.datetime) -> bool:
    """The link's holder moves a booking until its time comes."""
    return appointment.status == AppointmentStatus.BOOKED and appointment.starts_at > now


def can_cancel(appointment: Appointment, *, now: datetime.datetime) -> bool:
    """The link's holder cancels a booking until its slot is over."""
    return appointment.status == AppointmentStatus.BOOKED and appointment.ends_at > now
