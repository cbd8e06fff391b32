import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.catalog.errors import CatalogueFileError
from egov.catalog.services import procedures_import


class Command(BaseCommand):
    help = (
        "Import procedures from a catalogue JSON file (docs/catalogue-format.md). "
        "All or nothing: any problem leaves the catalogue unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Không đọc được tệp {path}: {error.strerror}.") from error
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"Tệp {path} không phải JSON hợp lệ (UTF-8): {error}.") from error
        try:
            result = procedures_import(data=data)
        except CatalogueFileError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Đã nhập: {len(result.created)} thủ tục mới, {len(result.updated)} cập nhật, "
            f"{len(result.unchanged)} không đổi."
        )
