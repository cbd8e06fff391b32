import logging
from typing import Any

from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from egov.interop.tasks import periodic_start

# At verbosity 1 these say a line for every task started and finished.
WORKER_LOGGERS = (TASKS_LOGGER, "django_tasks_db")


class Command(DbWorkerCommand):
    help = (
        "The task worker as make demo runs it: db_worker that starts with a delivery round and "
        "the tax poll (as `deliver_outbox --kick`), and says only warnings and errors (a task "
        "that fails), not two lines for every delivery round."
    )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1:
            for name in WORKER_LOGGERS:
                logging.getLogger(name).setLevel(logging.WARNING)

    def handle(self, *args: Any, **options: Any) -> None:
        periodic_start()
        super().handle(*args, **options)
