import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.demo.dossiers import seed_demo_dossiers
from egov.interop.tasks import outbox_kick


class Command(BaseCommand):
    help = (
        "Play the demo month of dossiers through the services (after seed_demo, on a database "
        "with no dossier; otherwise it says so and writes nothing), then wake the outbox worker. "
        "`make demo` runs it in the background once the site answers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=300, help="how many dossiers")
        parser.add_argument("--days", type=int, default=30, help="over how many past days")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.MOTCUA_MODE == "production":
            raise CommandError(
                "seed_demo_dossiers chỉ chạy với MOTCUA_MODE=demo hoặc test, không chạy trên hệ "
                "thống thật."
            )
        if options["count"] < 20 or options["days"] < 14:
            raise CommandError("Tháng hồ sơ mẫu cần ít nhất 20 hồ sơ trong ít nhất 14 ngày.")
        started = time.monotonic()
        try:
            report = seed_demo_dossiers(days=options["days"], count=options["count"])
        except RuntimeError as error:  # seed_demo has not run: no demo logins
            raise CommandError(str(error)) from error
        if report.skipped:
            self.stdout.write(report.summary())
            return
        # A run with MOTCUA_OUTBOX_KICK off (make demo's) leaves its messages for one round.
        outbox_kick()
        seconds = round(time.monotonic() - started)
        self.stdout.write(f"Đã nạp xong hồ sơ mẫu ({seconds} giây). {report.summary()}")
