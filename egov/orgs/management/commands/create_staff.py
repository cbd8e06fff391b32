from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.core.errors import DomainError
from egov.orgs.services import staff_provision


class Command(BaseCommand):
    help = (
        "Provision a staff account with roles in an agency, e.g. "
        "create_staff --username U --password P --agency 000.00.31.H01 --roles reception,leader"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--password", help="required for a new account; replaces an existing one's"
        )
        parser.add_argument("--agency", required=True, help="the agency's QCVN 102 code")
        parser.add_argument(
            "--roles",
            required=True,
            help="comma-separated: reception, specialist, leader, clerk, agency_admin, "
            "province_admin, auditor",
        )
        # Forms, the event log and the national portal name officers by name, never by login.
        parser.add_argument("--full-name", required=True, help="họ và tên, như in trên phiếu")
        parser.add_argument("--title", default="", help="chức vụ tại cơ quan này")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, added = staff_provision(
                username=options["username"],
                password=options["password"],
                agency_code=options["agency"],
                roles=[role for role in options["roles"].split(",") if role.strip()],
                full_name=options["full_name"],
                email=options["email"],
                title=options["title"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        roles = ", ".join(membership.role for membership in added) or "không thêm vai trò mới"
        self.stdout.write(f"{user.get_username()} @ {options['agency']}: {roles}")
