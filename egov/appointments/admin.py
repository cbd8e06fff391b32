"""The admin site for how each desk takes appointments (slot length, places, how far ahead).

Permissions come from the policies: province administrators set every desk's schedule, an
agency administrator their own desk's, auditors read. The write goes through
`services.desk_schedule_save`. Appointments themselves are not edited here: they change only
through their services (the link's holder, the desk's reception).
"""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from egov.core.errors import DomainError
from egov.orgs import policies as org_policies
from egov.orgs.models import SERVICE_CENTER_KINDS, Agency, Role
from egov.orgs.selectors import memberships_of

from . import policies, services
from .models import DeskSchedule


def _managed_desk_ids(request: HttpRequest) -> list[int]:
    """The desks whose agency the user administers (their agency-admin roles)."""
    return [
        membership.agency_id
        for membership in memberships_of(user=request.user)
        if membership.role == Role.AGENCY_ADMIN and membership.agency.kind in SERVICE_CENTER_KINDS
    ]


@admin.register(DeskSchedule)
class DeskScheduleAdmin(admin.ModelAdmin):
    list_display = ["agency", "accepting", "slot_minutes", "capacity", "booking_days_ahead"]
    list_filter = ["accepting"]
    search_fields = ["agency__name", "agency__code"]
    list_select_related = ["agency"]
    fields = ["agency", "accepting", "slot_minutes", "capacity", "booking_days_ahead"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return (
            org_policies.can_read_everything(request.user)
            or org_policies.is_province_admin(request.user)
            or bool(_managed_desk_ids(request))
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return org_policies.is_province_admin(request.user) or bool(_managed_desk_ids(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return policies.can_manage_schedule(request.user, obj.agency)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A desk stops taking bookings by unticking "accepting"; its row stays.
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[DeskSchedule]:
        schedules = super().get_queryset(request)
        if org_policies.can_read_everything(request.user):
            return schedules
        return schedules.filter(agency_id__in=_managed_desk_ids(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["agency"] if obj else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency":
            desks = Agency.objects.filter(
                kind__in=list(SERVICE_CENTER_KINDS), appointment_schedule__isnull=True
            ).order_by("name")
            if not org_policies.is_province_admin(request.user):
                desks = desks.filter(pk__in=_managed_desk_ids(request))
            kwargs["queryset"] = desks
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: DeskSchedule, form: Any, change: bool) -> None:
        try:
            saved = services.desk_schedule_save(
                actor=request.user,  # type: ignore[arg-type]
                agency_id=obj.agency_id,
                accepting=obj.accepting,
                slot_minutes=obj.slot_minutes,
                capacity=obj.capacity,
                booking_days_ahead=obj.booking_days_ahead,
            )
        except DomainError as error:
            raise PermissionDenied(error.message) from error
        obj.pk = saved.pk
