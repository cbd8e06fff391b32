"""Deliver the outbox from the command line: one pass now (`--once`), or wake the task worker
(`--kick`, which `make demo` runs as the worker starts, so messages left by a stopped worker
go out)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from egov.interop.services.delivery import deliver_due, worker_name
from egov.interop.tasks import outbox_kick


class Command(BaseCommand):
    help = "Gửi các thông điệp đến hạn trong hàng đợi liên thông."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kick", action="store_true", help="chỉ đánh thức worker")
        parser.add_argument("--seconds", type=float, default=60.0, help="gửi tối đa bao lâu")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kick"]:
            outbox_kick()
            self.stdout.write("Đã đánh thức worker gửi thông điệp.")
            return
        tried = deliver_due(
            worker=worker_name(),
            batch=settings.MOTCUA_OUTBOX_BATCH,
            max_seconds=options["seconds"],
        )
        self.stdout.write(f"Đã gửi thử {tried} thông điệp.")
