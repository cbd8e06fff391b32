"""The admin's e-form builder: a procedure's e-form (`Procedure.form_schema`) edited as a list
of fields — label, name, type, required, choices, order — instead of raw JSON.

The builder is a form field whose widget renders one row of inputs per e-form field (a Django
formset under the field's name), so it works without JavaScript: a blank row adds a field,
"Xóa trường này" removes one, "Thứ tự" orders them, and the preview shows the saved form.
`static/catalog/eform_builder.js` adds buttons to add, remove and move rows and redraws the
preview as the administrator types. Either way the field cleans to the same JSON the catalogue
file carries (docs/catalogue-format.md), checked once more by `exchange.form_schema_problems`.
"""

import re
import unicodedata
from typing import Any, ClassVar, cast

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME

from egov.core.text import fold

from .exchange import FIELD_NAME_RE, form_schema_problems

# The types the applicant's form knows (catalog.forms.eform_fields, exchange.FORM_FIELD_TYPES),
# as an editor calls them.
TYPE_LABELS = {
    "text": "Chữ, một dòng",
    "textarea": "Đoạn văn, nhiều dòng",
    "date": "Ngày",
    "number": "Số",
    "select": "Danh sách chọn",
    "checkbox": "Ô đánh dấu (có/không)",
    "email": "Địa chỉ thư điện tử",
    "phone": "Số điện thoại",
}

MAX_FIELDS = 100
MAX_CHOICES = 100
MAX_LABEL = 300  # as the catalogue file allows
MAX_NAME = 60
MAX_CHOICE_VALUE = 100


def name_from_label(label: str) -> str:
    """A field or choice name from its label: "Họ và tên" → "ho_va_ten"."""
    name = re.sub(r"[^a-z0-9]+", "_", fold(label)).strip("_")
    if name and not name[0].isalpha():
        name = f"truong_{name}"
    return name[:MAX_NAME].rstrip("_")


def _control_character(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cs") for char in text)


def choices_to_text(choices: list[list[str]]) -> str:
    """The choices as the builder shows them: one "value | label" a line."""
    return "\n".join(f"{value} | {label}" for value, label in choices)


def choices_from_text(text: str) -> tuple[list[list[str]], list[str]]:
    """The [value, label] pairs of the builder's text, and what is wrong with them.

    A line is "value | label"; a line with no "|" is a label whose value is made from it."""
    choices: list[list[str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if _control_character(line.replace("\t", " ")):
            problems.append(f"Dòng {number} chứa ký tự điều khiển.")
            continue
        value, bar, label = (part.strip() for part in line.partition("|"))
        if not bar:
            value, label = name_from_label(line), line.strip()
        if not value or not label:
            problems.append(f"Dòng {number} cần cả mã và nhãn, dạng “mã | nhãn”.")
        elif len(value) > MAX_CHOICE_VALUE or len(label) > MAX_LABEL:
            problems.append(
                f"Dòng {number} quá dài (mã tối đa {MAX_CHOICE_VALUE}, "
                f"nhãn tối đa {MAX_LABEL} ký tự)."
            )
        elif value in seen:
            problems.append(f"Dòng {number}: mã “{value}” đã có ở dòng trên.")
        else:
            seen.add(value)
            choices.append([value, label])
    if len(choices) > MAX_CHOICES:
        problems.append(f"Tối đa {MAX_CHOICES} lựa chọn.")
    return choices, problems


class EFormRowForm(forms.Form):
    """One field of the e-form."""

    label = forms.CharField(
        label="Nhãn hiển thị",
        max_length=MAX_LABEL,
        required=False,
        error_messages={"max_length": f"Nhãn tối đa {MAX_LABEL} ký tự."},
    )
    name = forms.CharField(
        label="Tên trường (mã)",
        max_length=MAX_NAME,
        required=False,
        help_text="Chữ thường không dấu, chữ số, dấu gạch dưới; để trống để tạo từ nhãn.",
        error_messages={"max_length": f"Tên trường tối đa {MAX_NAME} ký tự."},
    )
    type = forms.ChoiceField(
        label="Kiểu",
        choices=list(TYPE_LABELS.items()),
        initial="text",
        error_messages={"invalid_choice": "Kiểu trường không có trong danh sách."},
    )
    required = forms.BooleanField(label="Bắt buộc điền", required=False)
    choices = forms.CharField(
        label="Các lựa chọn",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Chỉ cho kiểu Danh sách chọn: mỗi dòng một lựa chọn, dạng “mã | nhãn”, "
        "ví dụ “nam | Nam”.",
    )

    # What makes a new row worth reading: a blank one is left out, whatever its type says.
    CONTENT = ("label", "name", "choices")

    def has_changed(self) -> bool:
        if self.initial:
            return super().has_changed()
        return any(str(self.data.get(self.add_prefix(field), "")).strip() for field in self.CONTENT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        label = str(data.get("label") or "").strip()
        name = str(data.get("name") or "").strip()
        if not label:
            self.add_error("label", "Cần nhập nhãn của trường (người nộp hồ sơ sẽ thấy).")
        elif _control_character(label):
            self.add_error("label", "Nhãn không được chứa ký tự điều khiển.")
        if not name and label:
            name = name_from_label(label)
            if not name:
                self.add_error("name", "Không tạo được tên từ nhãn này; hãy nhập tên trường.")
        if name and not FIELD_NAME_RE.match(name):
            self.add_error(
                "name",
                "Tên trường bắt đầu bằng chữ cái, chỉ gồm chữ thường không dấu, chữ số và "
                "dấu gạch dưới, ví dụ “ho_ten”.",
            )
        choices, problems = choices_from_text(str(data.get("choices") or ""))
        if data.get("type") == "select":
            for problem in problems:
                self.add_error("choices", problem)
            if not choices and not problems:
                self.add_error("choices", "Danh sách chọn cần ít nhất một lựa chọn.")
        elif choices or problems:
            self.add_error(
                "choices",
                "Chỉ kiểu “Danh sách chọn” có các lựa chọn: hãy xóa các dòng này hoặc đổi kiểu.",
            )
        data.update(label=label, name=name, parsed_choices=choices)
        return data

    def entry(self) -> dict[str, Any]:
        """The field as the schema writes it (the catalogue file's keys and order)."""
        data = self.cleaned_data
        entry: dict[str, Any] = {
            "name": data["name"],
            "label": data["label"],
            "type": data["type"],
            "required": bool(data.get("required")),
        }
        if data["type"] == "select":
            entry["choices"] = data["parsed_choices"]
        return entry


class EFormRowSet(forms.BaseFormSet):
    """The e-form's fields in the builder: rows, ordered by "Thứ tự", some marked to remove."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "missing_management_form": (
            "Biểu mẫu điện tử gửi lên không đầy đủ; hãy tải lại trang rồi sửa lại."
        ),
        "too_many_forms": f"Tờ khai có tối đa {MAX_FIELDS} trường.",
        "too_few_forms": "Tờ khai cần ít nhất %(num)d trường.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", self.MESSAGES)
        super().__init__(*args, **kwargs)

    @staticmethod
    def removed(form: forms.Form) -> bool:
        """Marked "Xóa trường này" (Django's formsets ask the same)."""
        return bool(getattr(form, "cleaned_data", {}).get(DELETION_FIELD_NAME))

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields[ORDERING_FIELD_NAME].label = "Thứ tự"
        form.fields[ORDERING_FIELD_NAME].error_messages["invalid"] = "Thứ tự là một số nguyên."
        form.fields[ORDERING_FIELD_NAME].widget.attrs["class"] = "eform-order"
        form.fields[DELETION_FIELD_NAME].label = "Xóa trường này"
        form.fields[DELETION_FIELD_NAME].widget.attrs["class"] = "eform-delete"

    def in_order(self) -> list[forms.Form]:
        """The rows as the administrator arranged them: by "Thứ tự" as sent (the script
        numbers it as rows move), else as saved; a row without a number goes last."""
        if not self.is_bound:
            return list(self.forms)

        def position(item: tuple[int, forms.Form]) -> tuple[int, int]:
            index, form = item
            try:
                return int(form.data.get(form.add_prefix(ORDERING_FIELD_NAME)) or ""), index
            except (TypeError, ValueError):
                return 10**9, index

        return [form for _, form in sorted(enumerate(self.forms), key=position)]

    def clean(self) -> None:
        seen: dict[str, int] = {}
        extra = set(self.forms[self.initial_form_count() :])
        for number, form in enumerate(self.in_order(), start=1):
            if form in extra and not form.has_changed():
                continue
            if self.removed(form) or not hasattr(form, "cleaned_data"):
                continue
            name = form.cleaned_data.get("name")
            if not name:
                continue
            if name in seen:
                form.add_error("name", f"Tên “{name}” đã dùng cho trường thứ {seen[name]}.")
            else:
                seen[name] = number

    def schema(self) -> dict[str, Any]:
        """The e-form schema, once the rows are valid."""
        return {"fields": [form.entry() for form in self.ordered_forms]}

    def problems(self) -> list[str]:
        """Every row's problems, one line each, for the summary above the builder."""
        lines = [str(error) for error in self.non_form_errors()]
        for number, form in enumerate(self.in_order(), start=1):
            if not form.errors or self.removed(form):
                continue
            label = str(form.data.get(form.add_prefix("label"), "")).strip()
            where = f"Trường thứ {number}" + (f" (“{label}”)" if label else "")
            for field in [*form.fields, "__all__"]:  # in the row's order
                title = f" — {form.fields[field].label}" if field in form.fields else ""
                lines.extend(f"{where}{title}: {error}" for error in form.errors.get(field, []))
        return lines


RowSet = forms.formset_factory(
    EFormRowForm,
    formset=EFormRowSet,
    extra=1,
    can_order=True,
    can_delete=True,
    can_delete_extra=True,
    max_num=MAX_FIELDS,
    validate_max=True,
    absolute_max=MAX_FIELDS + 20,
)


def rows_for(schema: Any, prefix: str) -> EFormRowSet:
    """The builder's rows for a saved schema (unbound)."""
    fields = schema.get("fields", []) if isinstance(schema, dict) else []
    initial = [
        {
            "label": field.get("label", ""),
            "name": field.get("name", ""),
            "type": field.get("type", "text"),
            "required": bool(field.get("required")),
            "choices": choices_to_text(field.get("choices", []))
            if field.get("type") == "select"
            else "",
        }
        for field in fields
        if isinstance(field, dict)
    ]
    return cast(EFormRowSet, RowSet(initial=initial, prefix=prefix))


def preview_fields(rows: EFormRowSet) -> list[dict[str, Any]]:
    """What the applicant would see for these rows, valid or not (the preview shows the rows
    as typed, in their order, leaving out blank and removed ones)."""
    return [values for form in rows.in_order() if (values := _row_values(form)) is not None]


def _row_values(form: forms.Form) -> dict[str, Any] | None:
    if not form.is_bound:
        initial = form.initial
        if not initial:
            return None
        choices = initial.get("choices", "")
        return {
            "label": initial.get("label", ""),
            "name": initial.get("name", ""),
            "type": initial.get("type", "text"),
            "required": bool(initial.get("required")),
            "choices": choices_from_text(choices)[0],
        }

    def raw(field: str) -> str:
        return str(form.data.get(form.add_prefix(field), "") or "").strip()

    if raw(DELETION_FIELD_NAME) or not any(raw(field) for field in EFormRowForm.CONTENT):
        return None
    kind = raw("type") if raw("type") in TYPE_LABELS else "text"
    return {
        "label": raw("label") or raw("name"),
        "name": raw("name") or name_from_label(raw("label")),
        "type": kind,
        "required": bool(raw("required")),
        "choices": choices_from_text(raw("choices"))[0] if kind == "select" else [],
    }


class EFormBuilderWidget(forms.Widget):
    """The rows, a blank row to add a field, and the preview; enhanced by eform_builder.js."""

    template_name = "catalog/eform_builder.html"

    class Media:
        css: ClassVar = {"all": ["catalog/eform_builder.css"]}
        js: ClassVar = ["catalog/eform_builder.js"]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> EFormRowSet:
        return cast(EFormRowSet, RowSet(data=data, prefix=name))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}-TOTAL_FORMS" not in data

    def id_for_label(self, id_: str) -> str:
        return ""  # the label names the whole builder, a group with its own heading

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        rows = value if isinstance(value, EFormRowSet) else rows_for(value, name)
        context["rows"] = rows
        context["preview"] = preview_fields(rows)
        context["types"] = TYPE_LABELS
        return context


class EFormSchemaField(forms.Field):
    """The e-form schema from the builder's rows, or the rows' problems in Vietnamese."""

    widget = EFormBuilderWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, EFormRowSet):
            raise forms.ValidationError(
                "Biểu mẫu điện tử gửi lên không đầy đủ; hãy tải lại trang rồi sửa lại."
            )
        if not value.is_valid():
            raise forms.ValidationError(value.problems())
        schema = value.schema()
        # The catalogue file's own check, so what the admin saves exports and imports again.
        if problems := form_schema_problems(schema):
            raise forms.ValidationError(problems)
        return schema

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.clean(data) != (initial or {"fields": []})
        except forms.ValidationError:
            return True
