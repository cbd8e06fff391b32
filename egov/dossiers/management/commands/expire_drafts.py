from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from egov.dossiers.services.drafts import DRAFT_DAYS, drafts_expire


class Command(BaseCommand):
    help = (
        "Delete online drafts nobody touched for 30 days (or --days), with their files. "
        "Run it daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=DRAFT_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        expired = drafts_expire(now=timezone.now(), days=max(1, options["days"]))
        self.stdout.write(f"Đã xóa {expired} hồ sơ nháp bỏ dở.")
