"""Background work for dossiers: load by id or by time, call a service."""

from django.utils import timezone
from django_tasks import task

from .services.deadlines import deadlines_flag
from .services.supplements import supplements_lapse


@task()
def flag_deadlines() -> dict[str, int]:
    """Mark dossiers and steps due within a working day, or overdue. Run it every few
    minutes (`manage.py flag_deadlines --enqueue` from cron, or directly)."""
    counts = deadlines_flag(now=timezone.now())
    return {"dossiers": counts.dossiers_changed, "tasks": counts.tasks_changed}


@task()
def lapse_supplements() -> dict[str, int]:
    """Stop (or, at intake, refuse) the dossiers whose supplement deadline passed. Run it
    daily (`manage.py lapse_supplements --enqueue` from cron, or directly)."""
    counts = supplements_lapse(now=timezone.now())
    return {"stopped": counts.stopped, "refused": counts.refused}
