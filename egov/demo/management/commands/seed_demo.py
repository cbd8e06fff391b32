from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.demo.dossiers import seed_demo_dossiers
from egov.demo.seed import DEMO_CLIENTS, DEMO_LOGINS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Load the An Giang demo data (agencies, procedures, calendar, staff, and a month of "
        "dossiers); idempotent."
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
        self.stdout.write(
            f"Cơ quan: {report.agencies_total} ({report.agencies_written} ghi mới hoặc cập nhật). "
            f"Thủ tục: {len(procedures.created)} mới, {len(procedures.updated)} cập nhật, "
            f"{len(procedures.unchanged)} không đổi. "
            f"Lịch làm việc: {report.calendar_written} ngày ghi mới. "
            f"Tài khoản cán bộ: {report.staff_created} tạo mới."
        )
        if options["dossiers"]:
            self.stdout.write(seed_demo_dossiers(count=options["dossiers"]).summary())
        self.stdout.write("Tài khoản dùng thử (mật khẩu chung: " + DEMO_PASSWORD + "):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<22} {login.what}")
        self.stdout.write(
            "Công dân, doanh nghiệp: bấm “Đăng nhập VNeID” trên Cổng, rồi chọn một người trên "
            "trang VNeID mô phỏng, ví dụ Nguyễn Tấn An (mức 2, phường Long Xuyên; đã có hồ sơ và "
            "giấy tờ từ trước), Thái Mỹ Mai (mức 1) hoặc Công ty TNHH Nông sản Sông Hậu (tổ chức)."
        )
        self.stdout.write("Tài khoản kết nối trục liên thông (OAuth2, POST /lgsp/oauth/token/):")
        for client in DEMO_CLIENTS:
            self.stdout.write(
                f"  {client.client_id:<12} / {client.secret:<16} {client.name}: "
                f"{' '.join(client.scopes)}"
            )
