"""Deliver the outbox from the command line for up to `--seconds`, or wake the task worker
(`--kick`, which `make demo` runs as the worker starts: messages left by a stopped worker go
out, and the periodic tax poll starts)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from egov.interop.services.delivery import deliver_due, worker_name
from egov.interop.tasks import periodic_start


class Command(BaseCommand):
    help = "Gửi các thông điệp đến hạn trong hàng đợi liên thông."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kick", action="store_true", help="chỉ đánh thức worker")
        parser.add_argument("--seconds", type=float, default=60.0, help="gửi tối đa bao lâu")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kick"]:
            periodic_start()
            self.stdout.write("Đã đánh thức worker: gửi thông điệp, tra cứu nghĩa vụ tài chính.")
            return
        tried = deliver_due(
            worker=worker_name(),
            batch=settings.MOTCUA_OUTBOX_BATCH,
            max_seconds=options["seconds"],
        )
        self.stdout.write(f"Đã gửi thử {tried} thông điệp.")
