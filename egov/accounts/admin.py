"""The admin site's staff accounts: details, switching an account off, a new password for
an officer who forgot theirs and has no e-mail address to reset it with, and the account's API
tokens (listed on its page, revoked one by one or all at once, also from the list's action).

Django's own user admin answers to Django's per-model permissions, which the province's
administrators do not hold (their rights are roles: egov.orgs.policies). This one asks
egov.accounts.policies instead and saves through egov.accounts.services; it lists staff
accounts only, never citizens'.
"""

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    ReadOnlyPasswordHashWidget,
    UserChangeForm,
    UsernameField,
)
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from egov.core.errors import DomainError
from egov.orgs.policies import is_province_admin

from . import policies, services
from .forms import AdminPasswordForm
from .selectors import (
    API_TOKENS_SHOWN,
    API_TOKENS_SHOWN_AFTER_END,
    accounts_visible_to,
    api_tokens_recent,
)

LABELS = {
    "username": "Tên đăng nhập",
    "first_name": "Họ và tên",
    "email": "Thư điện tử",
    "is_active": "Đang hoạt động",
}
HELP = {
    "first_name": "Như in trên phiếu và trong nhật ký hồ sơ.",
    "email": "Để cán bộ tự đặt lại mật khẩu khi quên (“Quên mật khẩu” ở trang đăng nhập).",
    "is_active": (
        "Bỏ chọn để khóa tài khoản: cán bộ không đăng nhập được nữa, các phiên đang mở và mã "
        "truy cập API của tài khoản hết hiệu lực."
    ),
    "username": "Chữ cái không dấu, chữ số và các ký tự @ . + - _; tối đa 150 ký tự.",
}


def _words(form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        field.label = LABELS.get(name, field.label)
        field.help_text = HELP.get(name, field.help_text)


class PasswordLinkWidget(ReadOnlyPasswordHashWidget):
    """The account's password as the administrator needs it: a way to set a new one, not
    the hash's algorithm and salt."""

    template_name = "accounts/widgets/password_link.html"


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"username": UsernameField}
        # The admin site shows a field it does not let change with these words too.
        labels = {
            **LABELS,
            "last_login": "Lần đăng nhập gần nhất",
            "date_joined": "Ngày tạo tài khoản",
        }
        help_texts = {**HELP, "username": "Dùng để đăng nhập; không đổi được."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _words(self)
        password = self.fields.get("password")
        if password is not None:
            password.label = "Mật khẩu"
            password.widget = PasswordLinkWidget()
            password.help_text = (
                "Mật khẩu không được lưu ở dạng đọc được nên không ai xem được; quản trị chỉ "
                "đặt được mật khẩu mới."
            )


class AccountCreationForm(AdminUserCreationForm):
    """A new staff account always has a password: no "disable password sign-in" choice."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].label = "Mật khẩu"
        self.fields["password2"].label = "Nhập lại mật khẩu"
        self.fields["password2"].help_text = "Gõ lại đúng mật khẩu ở trên."
        _words(self)


class ActiveFilter(admin.SimpleListFilter):
    title = "trạng thái"
    parameter_name = "trang_thai"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("hoat-dong", "Đang hoạt động"), ("da-khoa", "Đã khóa")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "hoat-dong":
            return queryset.filter(is_active=True)
        if self.value() == "da-khoa":
            return queryset.filter(is_active=False)
        return queryset


admin.site.unregister(User)


@admin.register(User)
class StaffAccountAdmin(UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    change_password_form = AdminPasswordForm
    change_user_password_template = "accounts/admin_set_password.html"  # noqa: S105
    change_form_template = "accounts/admin_account_change_form.html"
    revoke_api_tokens_template = "accounts/admin_revoke_api_tokens.html"
    actions = ["revoke_api_tokens"]
    list_display = ["username", "full_name", "address", "active", "last_login"]
    list_filter = [ActiveFilter]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "first_name", "email", "password1", "password2"),
            },
        ),
    )
    # What an administrator who is not a superuser sees and changes on an account.
    staff_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin cán bộ", {"fields": ("first_name", "email")}),
        ("Trạng thái", {"fields": ("is_active", "last_login", "date_joined")}),
    )

    @admin.display(description="Họ và tên", ordering="first_name")
    def full_name(self, account: User) -> str:
        return account.get_full_name()

    @admin.display(description="Thư điện tử", ordering="email")
    def address(self, account: User) -> str:
        return account.email

    @admin.display(description="Đang hoạt động", boolean=True, ordering="is_active")
    def active(self, account: User) -> bool:
        return account.is_active

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.staff_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None or request.user.is_superuser:
            return ["last_login", "date_joined"] if obj else []
        if not policies.can_manage_account(request.user, obj):
            return ["username", "first_name", "email", "is_active", "last_login", "date_joined"]
        # A username is how the forms, the logs and the officer know the account: kept.
        return ["username", "last_login", "date_joined"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return accounts_visible_to(actor=request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.can_read_accounts(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_read_accounts(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return is_province_admin(request.user) or bool(
                policies.administered_agency_ids(request.user)
            )
        return policies.can_manage_account(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policies.can_create_account(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Dossiers' logs name their officers: an account is switched off, never deleted.
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        account = self.get_object(request, unquote(object_id))
        if account is not None:
            # The account's API tokens, under its details (the change form's template).
            extra_context = {
                **(extra_context or {}),
                "api_tokens": list(
                    api_tokens_recent()
                    .filter(user_id=account.pk)
                    .select_related("revoked_by")[:API_TOKENS_SHOWN]
                ),
                "api_tokens_days": API_TOKENS_SHOWN_AFTER_END.days,
                "can_revoke_api_tokens": policies.can_revoke_api_tokens(request.user, account),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list[URLPattern]:
        revoke = self.admin_site.admin_view(self.revoke_api_tokens_view)
        return [
            path(
                "<id>/ma-truy-cap/<uuid:token_id>/thu-hoi/",
                revoke,
                name="auth_user_api_token_revoke",
            ),
            path("<id>/ma-truy-cap/thu-hoi-tat-ca/", revoke, name="auth_user_api_tokens_revoke"),
            *super().get_urls(),
        ]

    def revoke_api_tokens_view(
        self, request: HttpRequest, id: str, token_id: uuid.UUID | None = None
    ) -> HttpResponse:
        """One token of the account (`token_id`), or all that still work: a page that asks,
        then the POST that revokes through egov.accounts.services."""
        account = self.get_object(request, unquote(id))
        if account is None:
            raise Http404("Không tìm thấy tài khoản.")
        tokens = api_tokens_recent().filter(user_id=account.pk)
        token = None
        if token_id is not None:
            token = tokens.filter(public_id=token_id).first()
            if token is None:
                raise Http404("Không tìm thấy mã truy cập API.")
        if not policies.can_revoke_api_tokens(request.user, account):
            raise PermissionDenied
        back = reverse("admin:auth_user_change", args=[account.pk])
        if request.method == "POST":
            try:
                if token is not None:
                    token = services.api_token_revoke(
                        actor=request.user, token_id=token.public_id, account=account
                    )
                    done = f"Đã thu hồi mã truy cập API {token.prefix or 'cũ'}…"
                else:
                    count = services.account_api_tokens_revoke(actor=request.user, account=account)
                    done = f"Đã thu hồi {count} mã truy cập API."
            except DomainError as error:
                raise PermissionDenied(error.message) from error
            self.log_change(request, account, done)
            messages.success(request, done)
            return HttpResponseRedirect(f"{back}#ma-truy-cap")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": account,
            "token": token,
            "working": [each for each in tokens if each.works] if token is None else [token],
            "back": back,
            "title": "Thu hồi mã truy cập API",
        }
        return TemplateResponse(request, self.revoke_api_tokens_template, context)

    @admin.action(description="Thu hồi mọi mã truy cập API", permissions=["change"])
    def revoke_api_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        revoked, refused = 0, []
        for account in queryset:
            try:
                count = services.account_api_tokens_revoke(actor=request.user, account=account)
            except DomainError:
                refused.append(account.get_username())
                continue
            if count:
                self.log_change(request, account, f"Đã thu hồi {count} mã truy cập API.")
            revoked += count
        messages.success(request, f"Đã thu hồi {revoked} mã truy cập API.")
        if refused:
            messages.warning(
                request,
                "Bạn không có quyền thu hồi mã của các tài khoản: " + ", ".join(refused) + ".",
            )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        try:
            services.account_save(
                actor=request.user, account=obj, changed=list(form.changed_data) if change else None
            )
        except DomainError as error:
            raise PermissionDenied(error.message) from error
