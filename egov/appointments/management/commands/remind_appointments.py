from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from egov.appointments.services import appointments_remind
from egov.appointments.tasks import remind_appointments


class Command(BaseCommand):
    help = (
        "Remind everyone booked at a desk for tomorrow (SMS, e-mail as they chose), once per "
        "appointment and day. Run it daily from cron, weekends included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="hand it to the task worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = remind_appointments.enqueue()
            self.stdout.write(f"Đã đưa vào hàng đợi: {result.id}")
            return
        reminded = appointments_remind(now=timezone.now())
        self.stdout.write(f"Đã nhắc {reminded} lịch hẹn của ngày mai.")
