from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from egov.feedback.services import feedback_flag_overdue
from egov.feedback.tasks import flag_feedback


class Command(BaseCommand):
    help = (
        "Mark feedback past its deadline to classify (2 working days) or answer (15), or no "
        "longer so. Run it from cron every few minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="hand it to the task worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = flag_feedback.enqueue()
            self.stdout.write(f"Đã đưa vào hàng đợi: {result.id}")
            return
        changed = feedback_flag_overdue(now=timezone.now())
        self.stdout.write(f"Đã cập nhật {changed} phản ánh, kiến nghị.")
