"""Forms that read the desk's inputs. They parse; the engine decides (rules live there)."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.validators import RegexValidator

from egov.catalog.forms import eform_answers, eform_fields
from egov.dossiers.models import ApplicantType, Gender, ReturnMethod
from egov.orgs.selectors import WardChoice, ward_get, ward_resolve

__all__ = ["CounterIntakeForm", "eform_answers", "eform_fields"]

DECISIONS = [
    ("receive", "Tiếp nhận (in Giấy tiếp nhận, Mẫu 01)"),
    ("request_supplement", "Yêu cầu bổ sung (in Mẫu 02)"),
    ("refuse", "Từ chối tiếp nhận (in Mẫu 03)"),
]
ORIGINAL_LABEL = "Đã kiểm tra bản chính tại quầy"
# How many ward names an ambiguous one lists in its error.
_NAMED_AT_MOST = 5


class CounterIntakeForm(forms.Form):
    """The counter's form: the applicant, the papers' ticks, the e-form (added by the view,
    fields `f_<name>`) and the desk's decision. The scans themselves are read by the view.

    `province_code` is the desk's province: the ward is one of its wards, chosen by name
    (`ward_name`, typed or picked from the search) and recorded by its code (`ward_code`,
    set by the picker). `documents` are the procedure's components: each gets a tick
    `original_<code>` (its original paper checked at the counter) and `drop_<code>` (let go
    of the scan held for it after an error)."""

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
    ward_name = forms.CharField(label="Xã, phường nơi cư trú", max_length=120, required=False)
    ward_code = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    street = forms.CharField(label="Địa chỉ (số nhà, đường, ấp)", max_length=255, required=False)
    submitter_name = forms.CharField(
        label="Người nộp thay (nếu có)", max_length=255, required=False
    )
    return_method = forms.ChoiceField(
        label="Hình thức nhận kết quả", choices=ReturnMethod.choices, initial="counter"
    )
    decision = forms.ChoiceField(
        label="Quyết định", choices=DECISIONS, initial="receive", widget=forms.RadioSelect
    )
    desk = forms.ChoiceField(label="Bộ phận tiếp nhận", choices=[], required=False)
    # One form, one dossier: the view remembers the tokens it has already handled, and
    # holds the form's scans under it.
    token = forms.CharField(
        widget=forms.HiddenInput,
        max_length=32,
        validators=[RegexValidator(r"^[0-9a-f]{32}$")],
    )
    note = forms.CharField(
        label="Giấy tờ còn thiếu, mỗi dòng một loại (yêu cầu bổ sung) hoặc lý do từ chối",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        province_code: int | None = None,
        documents: Sequence[dict[str, Any]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.province_code = province_code
        self.ward: WardChoice | None = None
        for document in documents:
            self.fields[f"original_{document['code']}"] = forms.BooleanField(
                label=ORIGINAL_LABEL, required=False
            )
            self.fields[f"drop_{document['code']}"] = forms.BooleanField(
                label="Bỏ tệp này", required=False
            )

    def add_eform(self, fields: dict[str, forms.Field]) -> None:
        """The procedure's e-form fields (`f_<name>`), then every field's messages in plain
        words that name it, instead of the framework's stock "Trường này là bắt buộc."."""
        self.fields.update(fields)
        for field in self.fields.values():
            label = str(field.label or "").removesuffix(" (nếu có)")
            field.error_messages.update(_messages(field, label))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.ward = self._ward(str(data.get("ward_code") or ""), str(data.get("ward_name") or ""))
        data["ward_code"] = self.ward.code if self.ward is not None else None
        return data

    def _ward(self, code: str, text: str) -> WardChoice | None:
        """The ward the officer chose: the picker's code while the name shown is still its
        name, else the one ward the typed name means (the page without JavaScript)."""
        if self.province_code is None:
            return None
        text = text.strip()
        code = code.strip()
        chosen = (
            ward_get(province_code=self.province_code, code=int(code))
            if code.isdigit() and len(code) < 10
            else None
        )
        if chosen is not None and (
            not text or ward_resolve(province_code=self.province_code, text=text) == [chosen]
        ):
            return chosen
        if not text:
            if code:
                self.add_error(
                    "ward_name", "Mã xã, phường này không thuộc tỉnh; hãy chọn theo tên."
                )
            return None
        found = ward_resolve(province_code=self.province_code, text=text)
        if len(found) == 1:
            return found[0]
        if not found:
            self.add_error(
                "ward_name",
                f"Không có xã, phường nào của tỉnh tên “{text[:60]}”; hãy gõ lại tên và chọn "
                "trong danh sách.",
            )
        else:
            names = ", ".join(ward.name for ward in found[:_NAMED_AT_MOST])
            more = " …" if len(found) > _NAMED_AT_MOST else ""
            self.add_error(
                "ward_name",
                f"Có {len(found)} xã, phường khớp với “{text[:60]}” ({names}{more}); hãy gõ đủ "
                "tên để chọn một.",
            )
        return None


def _messages(field: forms.Field, label: str) -> dict[str, str]:
    messages = {"required": f"Cần điền {label[:1].lower()}{label[1:]}."}
    if isinstance(field, forms.DateField):
        messages["invalid"] = f"{label} chưa đúng: ghi ngày, tháng, năm (ví dụ 17/05/2001)."
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = f"{label} chưa đúng dạng (ví dụ: ten@gmail.com)."
    elif isinstance(field, forms.DecimalField):
        messages["invalid"] = f"{label} phải là một số."
    if isinstance(field, forms.ChoiceField):
        messages["required"] = f"Hãy chọn {label[:1].lower()}{label[1:]}."
        messages["invalid_choice"] = "Hãy chọn một trong danh sách."
    if isinstance(field, forms.CharField):
        messages["max_length"] = (
            f"{label} dài quá: tối đa %(limit_value)d ký tự (đang có %(show_value)d)."
        )
    return messages
