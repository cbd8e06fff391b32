"""Forms that read the desk's inputs. They parse; the engine decides (rules live there)."""

from typing import Any

from django import forms

from egov.dossiers.models import ApplicantType, Gender, ReturnMethod

DECISIONS = [
    ("receive", "Tiếp nhận (in Giấy tiếp nhận, Mẫu 01)"),
    ("request_supplement", "Yêu cầu bổ sung (in Mẫu 02)"),
    ("refuse", "Từ chối tiếp nhận (in Mẫu 03)"),
]


class CounterIntakeForm(forms.Form):
    applicant_type = forms.TypedChoiceField(
        label="Loại người nộp", choices=ApplicantType.choices, coerce=int, initial=1
    )
    id_number = forms.CharField(label="Số định danh cá nhân", max_length=12, required=False)
    full_name = forms.CharField(label="Họ tên (hoặc tên tổ chức)", max_length=255)
    date_of_birth = forms.DateField(
        label="Ngày sinh", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    gender = forms.ChoiceField(
        label="Giới tính", choices=[("", "—"), *Gender.choices], required=False
    )
    tax_code = forms.CharField(label="Mã số thuế (tổ chức)", max_length=14, required=False)
    phone = forms.CharField(label="Điện thoại", max_length=15, required=False)
    email = forms.EmailField(label="Thư điện tử", required=False)
    ward_code = forms.IntegerField(label="Mã xã, phường nơi cư trú", required=False)
    street = forms.CharField(label="Địa chỉ (số nhà, đường, ấp)", max_length=255, required=False)
    submitter_name = forms.CharField(
        label="Người nộp thay (nếu có)", max_length=255, required=False
    )
    return_method = forms.ChoiceField(
        label="Hình thức nhận kết quả", choices=ReturnMethod.choices, initial="counter"
    )
    decision = forms.ChoiceField(label="Quyết định", choices=DECISIONS, initial="receive")
    desk = forms.ChoiceField(label="Bộ phận tiếp nhận", choices=[], required=False)
    # One form, one dossier: the view remembers the tokens it has already handled.
    token = forms.CharField(widget=forms.HiddenInput, max_length=32)
    note = forms.CharField(
        label="Giấy tờ còn thiếu, mỗi dòng một loại (yêu cầu bổ sung) hoặc lý do từ chối",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def eform_fields(schema: dict[str, Any]) -> dict[str, forms.Field]:
    """The procedure's e-form as form fields (named `f_<field>`), to read its answers."""
    built: dict[str, forms.Field] = {}
    for field in schema.get("fields", []):
        label, required = field.get("label", field["name"]), bool(field.get("required"))
        kind = field.get("type")
        made: forms.Field
        if kind == "textarea":
            made = forms.CharField(
                label=label, required=required, widget=forms.Textarea(attrs={"rows": 2})
            )
        elif kind == "date":
            made = forms.DateField(
                label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
            )
        elif kind == "number":
            made = forms.DecimalField(label=label, required=required)
        elif kind == "select":
            made = forms.ChoiceField(
                label=label, required=required, choices=[("", "—"), *field.get("choices", [])]
            )
        elif kind == "checkbox":
            made = forms.BooleanField(label=label, required=False)
        elif kind == "email":
            made = forms.EmailField(label=label, required=required)
        else:
            made = forms.CharField(label=label, required=required, max_length=2000)
        built[f"f_{field['name']}"] = made
    return built


def eform_answers(cleaned: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The answers as the dossier keeps them: JSON values by the schema's field names."""
    answers: dict[str, Any] = {}
    for field in schema.get("fields", []):
        value: Any = cleaned.get(f"f_{field['name']}")
        if value is None or value == "":
            continue
        if field.get("type") == "date":
            value = value.isoformat()
        elif field.get("type") == "number":
            value = float(value) if value != value.to_integral_value() else int(value)
        answers[field["name"]] = value
    return answers
