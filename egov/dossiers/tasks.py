"""Background work for dossiers: load by id or by time, call a service."""

from django.utils import timezone
from django_tasks import task

from .services.deadlines import deadlines_flag


@task()
def flag_deadlines() -> dict[str, int]:
    """Mark dossiers and steps due within a working day, or overdue. Run it every few
    minutes (`manage.py flag_deadlines --enqueue` from cron, or directly)."""
    counts = deadlines_flag(now=timezone.now())
    return {"dossiers": counts.dossiers_changed, "tasks": counts.tasks_changed}
