from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Messages to staff (in the desk, and by e-mail) and to applicants (by e-mail)."""

    name = "egov.notifications"
    verbose_name = "Thông báo"

    def ready(self) -> None:
        # This app sits above the engine and the bus, which may not import it: it tells them
        # what it does for them. Each registration is idempotent (ready() may run again).
        from egov.interop.services import alerts, delivery

        from .delivery import applicant_notice_send
        from .handlers import TOPIC, register_handlers
        from .services import staff_alert

        register_handlers()
        # One by one: the mail server is not an HTTP partner to send to side by side.
        delivery.route_register(TOPIC, delivery.Route(send=applicant_notice_send, concurrent=False))
        alerts.alert_sender_register(staff_alert)
