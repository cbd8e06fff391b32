from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from egov.dossiers.services.deadlines import deadlines_flag
from egov.dossiers.tasks import flag_deadlines


class Command(BaseCommand):
    help = (
        "Mark dossiers and process steps that are due within one working day or overdue. "
        "Cheap and idempotent: run it from cron every few minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="hand it to the task worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = flag_deadlines.enqueue()
            self.stdout.write(f"Đã đưa vào hàng đợi: {result.id}")
            return
        counts = deadlines_flag(now=timezone.now())
        self.stdout.write(
            f"Đã cập nhật cờ hạn: {counts.dossiers_changed} hồ sơ, {counts.tasks_changed} bước."
        )
