"""The admin site for agencies, staff roles and the province's calendar.

Who may do what here is asked of egov.orgs.policies, not of Django's per-model permissions:
province administrators manage everything, agency administrators their agency's staff,
auditors read.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import policies
from .models import Agency, CalendarEntry, Membership

admin.site.site_header = "Quản trị MotCua"
admin.site.site_title = "Quản trị MotCua"
admin.site.index_title = "Danh mục và cấu hình"


class PolicyAdmin(admin.ModelAdmin):
    """Admin permissions from the policies: reading for auditors, writing for admins."""

    def can_write(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.is_province_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.can_read_everything(request.user) or self.can_write(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.can_write(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.can_write(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.can_write(request, obj)


@admin.register(Agency)
class AgencyAdmin(PolicyAdmin):
    list_display = ["code", "code_qd20", "name", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code", "code_qd20", "name"]
    autocomplete_fields = ["parent", "successor"]
    list_select_related = ["parent"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Agencies are temporal: close them with valid_to and a successor, never delete.
        return False


@admin.register(Membership)
class MembershipAdmin(PolicyAdmin):
    list_display = ["user", "agency", "role", "active"]
    list_filter = ["role", "active"]
    search_fields = ["user__username", "user__first_name", "agency__name", "agency__code"]
    # Plain selects: agency administrators have no access to the user and agency lists.
    list_per_page = 50
    list_select_related = ["user", "agency"]

    def _managed_agency_ids(self, request: HttpRequest) -> list[int]:
        return [
            m.agency_id
            for m in policies.memberships_of(user=request.user).filter(role="agency_admin")
        ]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or bool(self._managed_agency_ids(request))

    def can_write(self, request: HttpRequest, obj: Any = None) -> bool:
        if policies.is_province_admin(request.user):
            return True
        if obj is None:
            return bool(self._managed_agency_ids(request))
        return policies.can_manage_agency(request.user, obj.agency)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        memberships = super().get_queryset(request)
        if policies.can_read_everything(request.user):
            return memberships
        return memberships.filter(agency_id__in=self._managed_agency_ids(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency" and not policies.is_province_admin(request.user):
            kwargs["queryset"] = Agency.objects.filter(pk__in=self._managed_agency_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CalendarEntry)
class CalendarEntryAdmin(PolicyAdmin):
    list_display = ["date", "kind", "name", "legal_basis"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name", "legal_basis"]
