from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from egov.dossiers.services.supplements import supplements_lapse
from egov.dossiers.tasks import lapse_supplements


class Command(BaseCommand):
    help = (
        "Stop the dossiers whose supplement deadline passed without a supplement (refuse "
        "those asked at intake, which have no code). Run it daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="hand it to the task worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = lapse_supplements.enqueue()
            self.stdout.write(f"Đã đưa vào hàng đợi: {result.id}")
            return
        counts = supplements_lapse(now=timezone.now())
        self.stdout.write(
            f"Quá hạn bổ sung: dừng {counts.stopped} hồ sơ, từ chối {counts.refused} hồ sơ."
        )
