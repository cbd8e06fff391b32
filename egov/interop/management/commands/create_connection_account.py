"""Create the connection account of an outside system that calls the LGSP (OAuth2 client
credentials) and print its client id and secret, once: only a hash of the secret is kept.

    python manage.py create_connection_account --system thue --name "Cục Thuế An Giang" \\
        --scopes tax.payment [--rate 120/m]
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.interop.inbound.errors import ConnectionAccountError
from egov.interop.inbound.services import connection_account_create


class Command(BaseCommand):
    help = "Tạo tài khoản kết nối (OAuth2 client credentials) cho một hệ thống gọi vào LGSP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--system", required=True, help="mã hệ thống kết nối, ví dụ thue")
        parser.add_argument("--name", required=True, help="tên đơn vị dùng tài khoản")
        parser.add_argument(
            "--scopes",
            required=True,
            nargs="+",
            help="phạm vi được cấp (cách nhau bởi dấu cách hoặc dấu phẩy), ví dụ tax.payment",
        )
        parser.add_argument("--rate", default="120/m", help="giới hạn tần suất, mặc định 120/m")

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = [part for value in options["scopes"] for part in value.split(",") if part]
        try:
            account, secret = connection_account_create(
                system_code=options["system"],
                name=options["name"],
                scopes=scopes,
                rate=options["rate"],
            )
        except ConnectionAccountError as error:
            raise CommandError(error.message) from error
        application = account.application
        self.stdout.write(
            f"Đã tạo tài khoản kết nối “{application.name}” cho hệ thống "
            f"{account.system.code} ({account.system.name}).\n"
            f"  Phạm vi được cấp: {account.scopes}\n"
            f"  Giới hạn tần suất: {account.rate}\n"
            f"  client_id:     {application.client_id}\n"
            f"  client_secret: {secret}\n"
            "Mã bí mật chỉ hiển thị một lần này (hệ thống chỉ lưu bản băm): hãy chuyển cho "
            "đơn vị kết nối qua kênh an toàn. Lấy mã truy cập tại /lgsp/oauth/token/ với "
            "grant_type=client_credentials."
        )
