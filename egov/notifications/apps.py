from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Messages to staff (in the desk, and by e-mail) and to applicants (by e-mail)."""

    name = "egov.notifications"
    verbose_name = "Thông báo"
