import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from egov.catalog.selectors import procedures_export


class Command(BaseCommand):
    help = "Write the procedure catalogue as JSON to standard output (docs/catalogue-format.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "codes", nargs="*", help="national codes to export (default: every procedure)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        document = procedures_export(national_codes=options["codes"] or None)
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
