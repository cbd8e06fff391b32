"""The sign-in and password forms, with the words an officer should read.

Django's forms do the checking; what changes here is what they say (its Vietnamese catalogue
is stilted in places: "Vui lòng điền vào tên đăng nhập và mật khẩu chính xác…") and that a
new password, once accepted, is set through egov.accounts.services.password_set, which ends
the account's other sessions and its API tokens.
"""

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import User

from .services import password_set

WRONG_SIGN_IN = (
    "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý mật khẩu phân biệt chữ hoa, chữ thường."
)
MISMATCH = "Hai lần nhập mật khẩu mới không khớp nhau."
REPEAT_HELP = "Gõ lại đúng mật khẩu mới ở trên."


class SignInForm(auth_forms.AuthenticationForm):
    error_messages = {  # noqa: RUF012 - Django's own attribute, read per form
        # An account that is switched off gets this too: Django's backend refuses it before
        # the form could tell, and saying so would confirm the password to anyone.
        "invalid_login": WRONG_SIGN_IN,
        "inactive": "Tài khoản này đã ngừng hoạt động. Hãy liên hệ quản trị cơ quan.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Hãy nhập tên đăng nhập."
        self.fields["password"].error_messages["required"] = "Hãy nhập mật khẩu."


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="Thư điện tử của tài khoản",
        max_length=254,
        error_messages={
            "required": "Hãy nhập địa chỉ thư điện tử.",
            "invalid": "Địa chỉ thư điện tử chưa đúng dạng, ví dụ: ten.canbo@angiang.gov.vn.",
            "max_length": "Địa chỉ thư điện tử dài quá 254 ký tự; hãy kiểm tra lại.",
        },
    )


def _new_password_fields(form: forms.Form, first: str, second: str) -> None:
    form.fields[first].label = "Mật khẩu mới"
    form.fields[second].label = "Nhập lại mật khẩu mới"
    form.fields[second].help_text = REPEAT_HELP
    form.fields[first].error_messages["required"] = "Hãy nhập mật khẩu mới."
    form.fields[second].error_messages["required"] = "Hãy nhập lại mật khẩu mới."


class NewPasswordForm(auth_forms.SetPasswordForm):
    """The reset link's page: a new password, twice."""

    error_messages = {"password_mismatch": MISMATCH}  # noqa: RUF012 - as Django's

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        _new_password_fields(self, "new_password1", "new_password2")

    def clean(self) -> dict[str, Any]:
        # A refused password is said under the password, not under its repetition.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, password_field_name="new_password1")  # noqa: S106
        return self.cleaned_data

    def save(self, commit: bool = True) -> User:
        return password_set(user=self.user, password=self.cleaned_data["new_password1"])


class OwnPasswordChangeForm(NewPasswordForm):
    """The page "Đổi mật khẩu": the current password, then the new one twice."""

    old_password = forms.CharField(
        label="Mật khẩu hiện tại",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": "Hãy nhập mật khẩu hiện tại."},
    )
    field_order = ["old_password", "new_password1", "new_password2"]  # noqa: RUF012

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if not self.user.check_password(old_password):
            raise forms.ValidationError("Mật khẩu hiện tại không đúng.", code="password_incorrect")
        return old_password


class AdminPasswordForm(auth_forms.AdminPasswordChangeForm):
    """The admin site's "đặt mật khẩu" for an officer: a new password twice; an officer's
    account always keeps a password (no "disable password sign-in" choice)."""

    error_messages = {"password_mismatch": MISMATCH}  # noqa: RUF012 - as Django's

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = True
        self.fields["password2"].required = True
        _new_password_fields(self, "password1", "password2")

    def clean(self) -> dict[str, Any]:
        # Django 5.1's mixins, which django-stubs does not know yet.
        self.validate_passwords()  # type: ignore[attr-defined]
        self.validate_password_for_user(  # type: ignore[attr-defined]
            self.user,
            password_field_name="password1",  # noqa: S106
        )
        return self.cleaned_data

    def save(self, commit: bool = True) -> User:
        return password_set(user=self.user, password=self.cleaned_data["password1"])
