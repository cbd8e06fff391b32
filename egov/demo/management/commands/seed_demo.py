from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.demo.banner import login_lines
from egov.demo.dossiers import seed_demo_dossiers
from egov.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Load the An Giang demo data (agencies, procedures, calendar, staff, and a month of "
        "dossiers); idempotent. `--verbosity 0` prints nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dossiers",
            type=int,
            default=300,
            help="how many demo dossiers to make over the last 30 days (0: none)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.MOTCUA_MODE == "production":
            # The demo accounts share a published password: never on a real deployment.
            raise CommandError(
                "seed_demo chỉ chạy với MOTCUA_MODE=demo hoặc test, không chạy trên hệ thống thật."
            )
        report = seed_demo()
        procedures = report.procedures
        summary = (
            f"Cơ quan: {report.agencies_total} ({report.agencies_written} ghi mới hoặc cập nhật). "
            f"Thủ tục: {len(procedures.created)} mới, {len(procedures.updated)} cập nhật, "
            f"{len(procedures.unchanged)} không đổi. "
            f"Lịch làm việc: {report.calendar_written} ngày ghi mới. "
            f"Tài khoản cán bộ: {report.staff_created} tạo mới."
        )
        dossiers = seed_demo_dossiers(count=options["dossiers"]) if options["dossiers"] else None
        if options["verbosity"] == 0:
            return
        self.stdout.write(summary)
        if dossiers is not None:
            self.stdout.write(dossiers.summary())
        self.stdout.write("\n".join(login_lines()))
