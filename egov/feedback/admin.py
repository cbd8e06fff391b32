"""The admin site shows feedback to read only: province administrators and auditors look
things up here; every change goes through the services (the staff pages), so the history and
the deadlines stay true."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from egov.orgs.policies import can_read_everything

from .lifecycle import EVENT_LABELS
from .models import Feedback, FeedbackEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_read_everything(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_read_everything(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


class FeedbackEventInline(admin.TabularInline):
    model = FeedbackEvent
    extra = 0
    fields = ("at", "what", "from_status", "to_status", "actor_label", "late", "note")
    readonly_fields = fields
    can_delete = False

    @admin.display(description="thao tác")
    def what(self, event: FeedbackEvent) -> str:
        return EVENT_LABELS.get(event.action, event.action)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "kind",
        "agency",
        "status",
        "category",
        "received_at",
        "answer_due",
        "answer_late",
        "overdue",
    ]
    list_filter = ["status", "kind", "category", "overdue", "answer_late"]
    list_select_related = ["agency"]
    search_fields = ["title", "reference", "sender_name", "sender_phone", "sender_email"]
    date_hierarchy = "received_at"
    exclude = ["search_text"]
    raw_id_fields = ["procedure", "subject_agency", "dossier", "agency", "sender_user"]
    inlines = [FeedbackEventInline]
