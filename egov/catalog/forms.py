"""A procedure's e-form (tờ khai điện tử) as Django form fields, for every page that asks it:
the counter's intake and the citizen's online submission read the same fields the same way;
`catalog.rules.form_data_problems` then checks the answers, wherever they came from."""

from typing import Any

from django import forms


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
            # A number a form can mean (up to a hundred thousand billion): no exponent
            # notation that turns into thousands of digits.
            made = forms.DecimalField(
                label=label, required=required, max_digits=18, decimal_places=4
            )
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
