"""Check the message log's hash chain (Decree 47/2020 art. 45): changed, removed or cut-off
rows are reported with the first row where the chain breaks; exit status 1 if it does."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from egov.interop.services.log import log_verify


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của nhật ký trao đổi dữ liệu (chuỗi băm)."

    def handle(self, *args: Any, **options: Any) -> None:
        count, problem = log_verify()
        if problem is not None:
            raise CommandError(
                f"Nhật ký trao đổi không toàn vẹn tại bản ghi #{problem.seq}: {problem.reason}."
            )
        self.stdout.write(f"Nhật ký trao đổi toàn vẹn: {count} bản ghi.")
