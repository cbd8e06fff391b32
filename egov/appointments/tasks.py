"""Background work for appointments: by time, call a service."""

from django.utils import timezone
from django_tasks import task

from .services import appointments_remind


@task()
def remind_appointments() -> dict[str, int]:
    """Remind everyone booked for tomorrow, once each. Run it daily, weekends included
    (`manage.py remind_appointments --enqueue` from cron in the afternoon, or directly)."""
    return {"reminded": appointments_remind(now=timezone.now())}
