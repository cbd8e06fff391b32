"""Forms that read the desk's inputs. They parse; the engine decides (rules live there)."""

from django import forms

from egov.catalog.forms import eform_answers, eform_fields
from egov.dossiers.models import ApplicantType, Gender, ReturnMethod

__all__ = ["CounterIntakeForm", "eform_answers", "eform_fields"]

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
