"""The admin site for the interconnection axis: the registry of connected systems with their
services, the connection accounts of inbound callers, and — to read only — the outbox and
the message log.

Who may do what is asked of egov.interop.policies, not of Django's per-model permissions:
province administrators edit the registry and the accounts, auditors read. Nobody adds,
changes or deletes an outbox message or a log row here: the log is append-only (its hash
chain would break), and the outbox changes only through its services (a dead letter is
replayed from the operator page). Systems and services are paused, never deleted: the log and
the outbox name them by code.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from egov.core.ratelimit import parse_rate
from egov.orgs.admin import LabelledInlineFormSet

from . import policies, registry_snapshot
from .inbound.selectors import inbound_scopes
from .models import (
    ConnectedSystem,
    ConnectionAccount,
    MessageLog,
    OutboxMessage,
    SystemHealth,
    SystemService,
)
from .selectors import system_address
from .services import breaker


class BusAdmin(admin.ModelAdmin):
    """Reading for whoever may see the bus; writing for its operators; never deleting."""

    def can_write(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_operate(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.can_view_bus(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_view_bus(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.can_write(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.can_write(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyBusAdmin(BusAdmin):
    """Records nobody edits by hand."""

    def can_write(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


class SystemServiceInline(admin.TabularInline):
    model = SystemService
    formset = LabelledInlineFormSet
    extra = 0
    fields = [
        "code",
        "name",
        "direction",
        "version",
        "scope",
        "personal_data",
        "active",
        "schema_ref",
    ]

    # Services follow their system: its readers see them, its editors edit them; a service
    # is switched off, not deleted (the log names it).

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_view_bus(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_operate(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policies.can_operate(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _health(system: ConnectedSystem) -> SystemHealth | None:
    try:
        return system.health
    except SystemHealth.DoesNotExist:
        return None


_HEALTH_FIELDS = [
    "address",
    "breaker_state",
    "consecutive_failures",
    "last_success_at",
    "last_failure_at",
    "last_error",
    "last_duration_ms",
]


@admin.register(ConnectedSystem)
class ConnectedSystemAdmin(BusAdmin):
    list_display = ["code", "name", "owner", "version", "auth_kind", "active", "breaker_state"]
    list_filter = ["active", "auth_kind"]
    search_fields = ["code", "name", "owner"]
    list_select_related = ["health"]
    inlines = [SystemServiceInline]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        registry = [
            "code",
            "name",
            "owner",
            "version",
            "auth_kind",
            "schema_ref",
            "access_policy",
            "active",
        ]
        fieldsets: list[Any] = [(None, {"fields": registry})]
        if obj is not None:
            fieldsets.append(
                (
                    "Tình trạng kết nối (do bộ gửi ghi, chỉ xem)",
                    {
                        "fields": _HEALTH_FIELDS,
                        "description": (
                            "Địa chỉ và thông tin đăng nhập của hệ thống nằm trong cấu hình "
                            "triển khai (biến môi trường), không lưu trong cơ sở dữ liệu."
                        ),
                    },
                )
            )
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code names the system in the settings, the outbox and the log: it never changes.
        return ["code", *_HEALTH_FIELDS] if obj else []

    @admin.display(description="địa chỉ (cấu hình)")
    def address(self, obj: ConnectedSystem) -> str:
        if obj.code in breaker.LOCAL_SYSTEMS:
            return "Không cần (gửi qua máy chủ thư của hệ thống)"
        return system_address(obj.code) or "Chưa cấu hình"

    @admin.display(description="trạng thái kết nối")
    def breaker_state(self, obj: ConnectedSystem) -> str:
        health = _health(obj)
        if health is None:
            return "Chưa có số liệu"
        label = health.get_breaker_display()
        if health.breaker_until and health.breaker != "closed":
            return f"{label} (đến {_local(health.breaker_until)})"
        return label

    @admin.display(description="lỗi liên tiếp")
    def consecutive_failures(self, obj: ConnectedSystem) -> Any:
        health = _health(obj)
        return health.consecutive_failures if health else "—"

    @admin.display(description="thành công gần nhất")
    def last_success_at(self, obj: ConnectedSystem) -> str:
        health = _health(obj)
        return _local(health.last_success_at) if health else "—"

    @admin.display(description="lỗi gần nhất")
    def last_failure_at(self, obj: ConnectedSystem) -> str:
        health = _health(obj)
        return _local(health.last_failure_at) if health else "—"

    @admin.display(description="lỗi cuối")
    def last_error(self, obj: ConnectedSystem) -> str:
        health = _health(obj)
        return (health.last_error if health else "") or "—"

    @admin.display(description="thời gian lần gọi cuối (ms)")
    def last_duration_ms(self, obj: ConnectedSystem) -> Any:
        health = _health(obj)
        return health.last_duration_ms if health and health.last_duration_ms is not None else "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # A new system gets its health row, so the worker's breaker may call it.
            breaker.health_ensure()
        registry_snapshot.forget()  # this process reads the edit at once; workers within 30 s

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        registry_snapshot.forget()  # the services inline


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%H:%M:%S %d/%m/%Y") if moment else "—"


class ConnectionAccountForm(forms.ModelForm):
    """The same rules as `connection_account_create`: at least one scope, each one of an
    active inbound service of the registry; a rate such as "120/m" (s, m, h or d)."""

    class Meta:
        model = ConnectionAccount
        fields = ["scopes", "rate", "active"]

    def clean_scopes(self) -> str:
        granted = sorted(set(self.cleaned_data.get("scopes", "").replace(",", " ").split()))
        if not granted:
            raise forms.ValidationError("Cần cấp ít nhất một phạm vi (scope).")
        known = inbound_scopes()
        unknown = [scope for scope in granted if scope not in known]
        if unknown:
            raise forms.ValidationError(
                "Phạm vi không có trong danh mục dịch vụ nhận về: %(unknown)s. "
                "Các phạm vi hiện có: %(known)s.",
                params={
                    "unknown": ", ".join(unknown),
                    "known": ", ".join(sorted(known)) or "(chưa có)",
                },
            )
        return " ".join(granted)

    def clean_rate(self) -> str:
        rate = self.cleaned_data.get("rate", "").strip()
        try:
            limit, _ = parse_rate(rate)
        except (ValueError, KeyError):
            limit = 0
        if limit < 1:
            raise forms.ValidationError(
                "Giới hạn tần suất viết dạng số lần/đơn vị, ví dụ 120/m, 10/s, 5000/h "
                "(s: giây, m: phút, h: giờ, d: ngày)."
            )
        return rate


@admin.register(ConnectionAccount)
class ConnectionAccountAdmin(BusAdmin):
    """Accounts are created with `manage.py create_connection_account`, which shows the
    client secret once (only its hash is kept); here they are read, and their scopes, rate
    and state changed. An account is switched off, never deleted (its calls are logged)."""

    form = ConnectionAccountForm
    list_display = ["system", "application", "scopes", "rate", "active"]
    list_filter = ["active", "system"]
    search_fields = ["application__name", "application__client_id", "scopes"]
    list_select_related = ["system", "application"]
    fields = ["system", "application", "client_id", "scopes", "rate", "active", "created_at"]
    readonly_fields = ["system", "application", "client_id", "created_at"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    @admin.display(description="mã ứng dụng (client_id)")
    def client_id(self, obj: ConnectionAccount) -> str:
        return str(obj.application.client_id)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyBusAdmin):
    list_display = [
        "number",
        "system",
        "topic",
        "ordering_key",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "dead_at",
    ]
    list_filter = ["status", "system", "topic"]
    search_fields = ["idempotency_key", "ordering_key"]
    ordering = ["-pk"]
    list_per_page = 50
    # The outbox grows with every dossier event: no COUNT(*) of the whole table per page.
    show_full_result_count = False

    @admin.display(description="số", ordering="pk")
    def number(self, obj: OutboxMessage) -> int:
        return int(obj.pk)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A payload may carry personal data: the operators' page opens it, for them only.
        return [] if policies.can_read_payloads(request.user) else ["payload"]


@admin.register(MessageLog)
class MessageLogAdmin(ReadOnlyBusAdmin):
    list_display = [
        "seq",
        "at",
        "direction",
        "system",
        "service",
        "party",
        "response_status",
        "response_code",
        "duration_ms",
        "outcome",
        "body_storage",
    ]
    list_filter = ["direction", "outcome", "system"]
    search_fields = ["idempotency_key", "service", "party"]
    list_per_page = 50
    show_full_result_count = False
    # The bodies are read on the operator page, which asks who may open encrypted ones.
    exclude = ["request_body", "response_body"]
    readonly_fields = ["bodies"]

    @admin.display(description="nội dung")
    def bodies(self, obj: MessageLog) -> str:
        return format_html(
            '<a href="{}">Xem trên trang Trục liên thông</a>',
            reverse("interop:log_row", args=[obj.seq]),
        )
