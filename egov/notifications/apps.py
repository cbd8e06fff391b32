from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Messages to staff (in the desk, and by e-mail) and to citizens (by e-mail, SMS and
    Zalo, through the outbox)."""

    name = "egov.notifications"
    verbose_name = "Thông báo"

    def ready(self) -> None:
        # This app sits above the engine and the bus, which may not import it: it tells them
        # what it does for them. Each registration is idempotent (ready() may run again).
        from egov.interop.services import alerts

        from . import handover
        from .delivery import routes_register
        from .handlers import register_handlers
        from .services import staff_alert

        register_handlers()
        handover.register_handlers()
        routes_register()
        alerts.alert_sender_register(staff_alert)
