from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    """Appointments at a desk: slots from its working hours, queue numbers on arrival."""

    name = "egov.appointments"
    verbose_name = "Lịch hẹn"
