from typing import Any

from django.core.management.base import BaseCommand, CommandError

from egov.dossiers.selectors import event_chain_breaks


class Command(BaseCommand):
    help = "Check every dossier's hash-chained event log and report each break."

    def handle(self, *args: Any, **options: Any) -> None:
        checked = 0
        breaks = 0
        for dossier_label, position, reason in event_chain_breaks():
            if position is None:
                checked += 1
                continue
            checked += 1
            breaks += 1
            self.stderr.write(f"  {dossier_label}: sự kiện thứ {position + 1}: {reason}")
        if breaks:
            raise CommandError(f"{breaks} trong {checked} hồ sơ có nhật ký bị thay đổi.")
        self.stdout.write(f"Đã kiểm tra {checked} hồ sơ: nhật ký sự kiện toàn vẹn.")
