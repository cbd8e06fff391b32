"""The admin site for the procedure catalogue; province administrators edit, auditors read.

Every save ends in `procedure_record_change`, which keeps the search text and the version
history right, as the file import does.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from egov.orgs import policies
from egov.orgs.admin import PolicyAdmin

from .models import FeeLine, Procedure, ProcessStep, RequiredDocument, Sector
from .rules import limit_in_working_hours
from .services import procedure_record_change


class StepFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        procedure = self.instance
        value, unit = procedure.time_limit_value, procedure.time_limit_unit
        if value is None or not unit:
            return
        total = sum(
            (
                form.cleaned_data.get("hours") or Decimal(0)
                for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ),
            Decimal(0),
        )
        allowed = limit_in_working_hours(value, unit)
        if total > allowed:
            raise forms.ValidationError(
                f"Tổng thời gian các bước ({total:g} giờ) vượt thời hạn giải quyết "
                f"({allowed:g} giờ làm việc)."
            )


class CatalogInline(admin.TabularInline):
    extra = 0

    # Inlines follow their procedure: whoever may read it sees them, editors edit them.

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_manage_catalog(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_manage_catalog(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_manage_catalog(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_read_everything(request.user) or policies.can_manage_catalog(
            request.user
        )


class StepInline(CatalogInline):
    model = ProcessStep
    formset = StepFormSet
    fields = ["position", "name", "agency", "agency_kind", "role", "hours"]


class DocumentInline(CatalogInline):
    model = RequiredDocument
    fields = ["position", "code", "name", "copy_kind", "quantity", "mandatory", "reusable"]


class FeeInline(CatalogInline):
    model = FeeLine
    fields = ["position", "code", "name", "kind", "amount", "note"]


@admin.register(Sector)
class SectorAdmin(PolicyAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Procedure)
class ProcedureAdmin(PolicyAdmin):
    list_display = [
        "national_code",
        "name",
        "level",
        "online_level",
        "postal_intake",
        "postal_return",
        "version",
    ]
    list_filter = ["level", "online_level", "postal_intake", "sector"]
    search_fields = ["national_code", "name"]
    list_select_related = ["sector"]
    readonly_fields = ["version"]
    inlines = [DocumentInline, FeeInline, StepInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        procedure_record_change(national_code=form.instance.national_code)
