"""The admin site for agencies, staff roles and the province's calendar.

Who may do what here is asked of egov.orgs.policies, not of Django's per-model permissions:
province administrators manage everything, agency administrators give their own agency's
staff the agency-level roles, auditors read. Every write goes through egov.orgs.services.
"""

import unicodedata
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.formsets import DELETION_FIELD_NAME
from django.http import HttpRequest
from django.utils.text import capfirst

from egov.core.errors import DomainError

from . import policies, services
from .models import PROVINCE_WIDE_ROLES, Agency, CalendarEntry, Membership, Role

admin.site.site_header = "Quản trị MotCua"
admin.site.site_title = "Quản trị MotCua"
admin.site.index_title = "Danh mục và cấu hình"
admin.site.empty_value_display = "—"


class LabelledInlineFormSet(forms.BaseInlineFormSet):
    """A tabular inline's inputs sit under column headings, which do not name them for a
    screen reader: each input gets its column's name and its row's number."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        row = f" (dòng {index + 1})" if index is not None else ""
        for name, field in form.fields.items():
            widget: forms.Widget = getattr(field.widget, "widget", None) or field.widget
            if widget.is_hidden:
                continue
            label = "Xóa dòng này" if name == DELETION_FIELD_NAME else capfirst(field.label)
            widget.attrs["aria-label"] = f"{label}{row}"


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
    list_display = ["code", "code_qd20", "name", "kind", "phone", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code", "code_qd20", "name"]
    autocomplete_fields = ["parent", "successor"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Nothing is recoded (DOMAIN §1): an agency keeps its identifiers for life.
        return ["code", "code_qd20"] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Agencies are temporal: close them with valid_to and a successor, never delete.
        return False

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        class AgencyForm(form):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                data = super().clean() or {}
                if obj is not None:
                    for field in ("parent", "successor"):
                        if data.get(field) == obj:
                            self.add_error(field, "Không thể chọn chính cơ quan này.")
                # The help phone and the address are printed on the forms as typed.
                for field in ("phone", "address"):
                    if any(unicodedata.category(c) == "Cc" for c in str(data.get(field) or "")):
                        self.add_error(field, "Không được chứa ký tự điều khiển.")
                return data

        return AgencyForm

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        services.agency_save(actor=request.user, agency=obj, changed=list(form.changed_data))


class MembershipForm(forms.ModelForm):
    """A role's title is printed on the forms: plain text on one line."""

    def clean_title(self) -> str:
        title = " ".join(str(self.cleaned_data.get("title") or "").split())
        if any(unicodedata.category(char) == "Cc" for char in title):
            raise forms.ValidationError("Chức vụ không được chứa ký tự điều khiển.")
        return title


class MembershipAddForm(MembershipForm):
    """The user is named by username, so nobody browses the province's list of accounts."""

    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.all(),
        to_field_name="username",
        widget=forms.TextInput,
        label="Tên đăng nhập",
        error_messages={"invalid_choice": "Không có tài khoản với tên đăng nhập này."},
    )
    actor: Any = None

    class Meta:
        model = Membership
        fields = ["user", "agency", "role", "title"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, role = data.get("agency"), data.get("role")
        if agency and role and not policies.can_grant_role(self.actor, agency, role):
            raise forms.ValidationError("Bạn không có quyền giao vai trò này tại cơ quan này.")
        return data


@admin.register(Membership)
class MembershipAdmin(PolicyAdmin):
    list_display = ["user", "agency", "role", "title", "active"]
    list_filter = ["role", "active"]
    search_fields = [
        "user__username",
        "user__first_name",
        "title",
        "agency__name",
        "agency__code",
    ]
    list_select_related = ["user", "agency"]
    list_per_page = 50

    def _managed_agency_ids(self, request: HttpRequest) -> list[int]:
        return [
            m.agency_id
            for m in policies.memberships_of(user=request.user)
            if m.role == Role.AGENCY_ADMIN
        ]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or bool(self._managed_agency_ids(request))

    def can_write(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return policies.is_province_admin(request.user) or bool(
                self._managed_agency_ids(request)
            )
        return policies.can_grant_role(request.user, obj.agency, obj.role)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A role is switched off, not deleted, so history keeps who held it.
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        memberships = super().get_queryset(request)
        if policies.can_read_everything(request.user):
            return memberships
        return memberships.filter(agency_id__in=self._managed_agency_ids(request))

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = type(
                "BoundMembershipAddForm", (MembershipAddForm,), {"actor": request.user}
            )
        else:
            kwargs["form"] = MembershipForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj:
            return ["user", "agency", "role", "title", "active"]
        return ["user", "agency", "role", "title"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # An existing role is only switched on or off; another role is another row.
        return ["user", "agency", "role"] if obj else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency" and not policies.is_province_admin(request.user):
            kwargs["queryset"] = Agency.objects.filter(pk__in=self._managed_agency_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role" and not policies.is_province_admin(request.user):
            kwargs["choices"] = [
                (role.value, role.label) for role in Role if role not in PROVINCE_WIDE_ROLES
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            if "title" in form.changed_data:
                services.membership_set_title(
                    actor=request.user, membership_id=obj.pk, title=obj.title
                )
            services.membership_set_active(
                actor=request.user, membership_id=obj.pk, active=obj.active
            )
            return
        membership = services.membership_grant(
            actor=request.user, user=obj.user, agency=obj.agency, role=obj.role, title=obj.title
        )
        obj.pk = membership.pk


@admin.register(CalendarEntry)
class CalendarEntryAdmin(PolicyAdmin):
    list_display = ["date", "kind", "name", "legal_basis"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name", "legal_basis"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["date"] if obj else []

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, through the service
        return actions

    def save_model(self, request: HttpRequest, obj: CalendarEntry, form: Any, change: bool) -> None:
        entry, _ = services.calendar_entry_set(
            actor=request.user,
            date=obj.date,
            kind=obj.kind,
            name=obj.name,
            legal_basis=obj.legal_basis,
        )
        obj.pk = entry.pk

    def delete_model(self, request: HttpRequest, obj: CalendarEntry) -> None:
        try:
            services.calendar_entry_delete(actor=request.user, date=obj.date)
        except DomainError as error:
            raise PermissionDenied(error.message) from error
