import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from egov.core import workcal
from egov.orgs.selectors import working_calendar


class Command(BaseCommand):
    help = (
        "Show the due time of a limit counted from a receipt, on the province's calendar, e.g. "
        'due_time --received "2027-02-03 16:30" --limit 3 --unit working_days'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--received", required=True, help="local time, YYYY-MM-DD HH:MM")
        parser.add_argument("--limit", required=True, help="a number, e.g. 3 or 0.5")
        parser.add_argument("--unit", required=True, choices=[unit.value for unit in workcal.Unit])

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            naive = datetime.datetime.strptime(options["received"], "%Y-%m-%d %H:%M")  # noqa: DTZ007 - made aware just below, in the province's zone
        except ValueError as error:
            raise CommandError("--received phải có dạng YYYY-MM-DD HH:MM.") from error
        try:
            limit = Decimal(options["limit"])
        except InvalidOperation as error:
            raise CommandError("--limit phải là một số.") from error
        if not limit.is_finite() or limit < 0:
            raise CommandError("--limit phải là một số không âm.")
        calendar = working_calendar()
        received = timezone.make_aware(naive, calendar.tz)
        try:
            due = calendar.due_time(received, limit, workcal.Unit(options["unit"]))
        except ValueError as error:
            raise CommandError(f"Không tính được thời hạn: {error}.") from error
        except OverflowError as error:
            raise CommandError("Thời hạn quá lớn, vượt ra ngoài lịch có thể tính.") from error
        self.stdout.write(due.strftime("%Y-%m-%d %H:%M"))
