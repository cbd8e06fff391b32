"""Clear the payloads of the outbox messages delivered more than `MOTCUA_OUTBOX_PAYLOAD_DAYS`
days ago (`--days N` for another age): personal data is kept only as long as needed, the
digests and the message log stay. Run it daily from cron."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.interop.services.outbox import outbox_clear_delivered_payloads
from egov.interop.tasks import clear_outbox_payloads


class Command(BaseCommand):
    help = (
        "Clear the payloads (personal data) of outbox messages delivered more than "
        "MOTCUA_OUTBOX_PAYLOAD_DAYS days ago; their digests and the message log stay. Run it "
        "daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="age in days (MOTCUA_OUTBOX_PAYLOAD_DAYS)"
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="hand it to the task worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days: int | None = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days phải từ 1 trở lên.")
        if options["enqueue"]:
            if days is not None:
                raise CommandError("--enqueue dùng MOTCUA_OUTBOX_PAYLOAD_DAYS, không nhận --days.")
            result = clear_outbox_payloads.enqueue()
            self.stdout.write(f"Đã đưa vào hàng đợi: {result.id}")
            return
        days = days or settings.MOTCUA_OUTBOX_PAYLOAD_DAYS
        cleared = outbox_clear_delivered_payloads(older_than_days=days)
        self.stdout.write(f"Đã xóa nội dung của {cleared} thông điệp đã gửi được quá {days} ngày.")
