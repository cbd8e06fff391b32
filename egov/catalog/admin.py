"""The admin site for the procedure catalogue; province administrators edit, auditors read.

The forms check the same rules as the catalogue file (egov.catalog.rules). The procedure and
its parts are saved by the admin itself, then `procedure_record_change` keeps the search text
and the version history right, as the file import does.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from egov.orgs import policies
from egov.orgs.admin import LabelledInlineFormSet, PolicyAdmin

from .eform_builder import TYPE_LABELS, EFormSchemaField
from .models import FeeLine, Procedure, ProcessStep, RequiredDocument, Sector
from .rules import StepShape, procedure_problems, steps_problems, time_limit_problem
from .services import procedure_record_change, sector_save

# The e-form as who only reads the catalogue sees it.
EFORM = "eform_fields"


class ProcedureForm(forms.ModelForm):
    """Checks the same rules as the catalogue file, so what the admin saves exports and
    imports again."""

    # The admin field names of the rules' places.
    PLACES = {"online_time_limit": "online_time_limit_value"}

    form_schema = EFormSchemaField(label="Tờ khai điện tử")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value, unit = data.get("time_limit_value"), data.get("time_limit_unit")
        if value is not None and unit and (problem := time_limit_problem(value, unit)):
            self.add_error("time_limit_value", problem)
        problems = procedure_problems(
            level=data.get("level") or "",
            has_competent_agency=data.get("competent_agency") is not None,
            competent_agency_kind=data.get("competent_agency_kind") or "",
            online_level=data.get("online_level") or "",
            full_process_eligible=bool(data.get("full_process_eligible")),
            online_limit_value=data.get("online_time_limit_value"),
            online_limit_unit=data.get("online_time_limit_unit") or "",
        )
        for place, problem in problems.items():
            self.add_error(self.PLACES.get(place, place), problem)
        if "form_schema" in data and self.instance.pk:
            self._check_step_conditions(data["form_schema"])
        return data

    def _check_step_conditions(self, schema: dict[str, Any]) -> None:
        """A conditional step names an e-form field (`when`), as the file checks on import:
        that field may not be removed or renamed while the step needs it."""
        names = {field["name"] for field in schema["fields"]}
        for step in self.instance.steps.exclude(when=""):
            if step.when not in names:
                self.add_error(
                    "form_schema",
                    f"Bước “{step.name}” chỉ thực hiện khi tờ khai có trường “{step.when}”: "
                    "không thể xóa hay đổi tên trường này.",
                )


class StepFormSet(LabelledInlineFormSet):
    """The process as a whole, checked by the same rules as the catalogue file."""

    def clean(self) -> None:
        super().clean()
        procedure = self.instance  # carries the main form's cleaned values by now
        steps = [
            StepShape(
                agency_kind=form.cleaned_data.get("agency_kind") or "",
                hours=form.cleaned_data.get("hours") or Decimal(0),
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = steps_problems(
            level=procedure.level,
            steps=steps,
            limit_value=procedure.time_limit_value,
            limit_unit=procedure.time_limit_unit,
        )
        if problems:
            raise forms.ValidationError(
                [problem[0].upper() + problem[1:] + "." for problem in problems]
            )


class CatalogInline(admin.TabularInline):
    extra = 0
    formset = LabelledInlineFormSet

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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # procedures keep their sector; rename it instead

    def save_model(self, request: HttpRequest, obj: Sector, form: Any, change: bool) -> None:
        obj.pk = sector_save(actor=request.user, code=obj.code, name=obj.name).pk


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
    # search_text lets "khai sinh" typed without diacritics find "khai sinh" written with them.
    search_fields = ["national_code", "name", "search_text"]
    list_select_related = ["sector"]
    form = ProcedureForm
    inlines = [DocumentInline, FeeInline, StepInline]
    fieldsets = [
        (
            "Thông tin chung",
            {
                "fields": [
                    "national_code",
                    "code_verified",
                    "name",
                    "sector",
                    "level",
                    "competent_agency",
                    "competent_agency_kind",
                    "result_name",
                    "legal_basis",
                    "requirements",
                    "valid_from",
                    "valid_to",
                    "version",
                ]
            },
        ),
        (
            "Thời hạn giải quyết",
            {
                "fields": [
                    "time_limit_value",
                    "time_limit_unit",
                    "online_time_limit_value",
                    "online_time_limit_unit",
                    "supplement_time_limit_value",
                    "supplement_time_limit_unit",
                ]
            },
        ),
        (
            "Trực tuyến và bưu chính",
            {
                "fields": [
                    "online_level",
                    "legacy_online_level",
                    "full_process_eligible",
                    "postal_intake",
                    "postal_return",
                    "paper_result",
                ]
            },
        ),
        (
            "Tờ khai điện tử",
            {
                "fields": ["form_schema"],
                "classes": ["eform-fieldset"],
                "description": "Các ô người nộp hồ sơ khai khi nộp trực tuyến, và cán bộ tiếp "
                "nhận điền khi nhận hồ sơ tại quầy.",
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The national code identifies the procedure for good; the version is the service's.
        return ["national_code", "version"] if obj else ["version"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        # Who only reads sees the e-form as a list of its fields, not its JSON.
        return [
            (
                name,
                {
                    **options,
                    "fields": [EFORM if f == "form_schema" else f for f in options["fields"]],
                },
            )
            for name, options in fieldsets
        ]

    @admin.display(description="Tờ khai điện tử")
    def eform_fields(self, procedure: Procedure) -> str:
        fields = (procedure.form_schema or {}).get("fields", [])
        if not fields:
            return "Chưa có trường nào."
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{} <small>({}{})</small></li>",
                (
                    (
                        field.get("label", field.get("name", "")),
                        TYPE_LABELS.get(field.get("type", ""), field.get("type", "")),
                        ", bắt buộc" if field.get("required") else "",
                    )
                    for field in fields
                ),
            ),
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A procedure ends with valid_to; its revisions stay for the dossiers received under it.
        return False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        procedure_record_change(national_code=form.instance.national_code)
