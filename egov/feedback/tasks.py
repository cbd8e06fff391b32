"""Background work for feedback: call a service on the clock."""

from django.utils import timezone
from django_tasks import task

from .services import feedback_flag_overdue


@task()
def flag_feedback() -> int:
    """Mark feedback past its deadline to classify or answer (or no longer). Run it every few
    minutes (`manage.py flag_feedback --enqueue` from cron, or directly)."""
    return feedback_flag_overdue(now=timezone.now())
