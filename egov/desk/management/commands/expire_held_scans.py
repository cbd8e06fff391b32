from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from egov.desk.services import HELD_HOURS, held_scans_expire


class Command(BaseCommand):
    help = (
        f"Delete the scans held for counter intake forms that never went through, "
        f"{HELD_HOURS} hours after they were attached, with their files. Run it daily from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = held_scans_expire(now=timezone.now())
        self.stdout.write(f"Đã xóa {expired} tệp đính kèm của phiếu tiếp nhận bỏ dở.")
