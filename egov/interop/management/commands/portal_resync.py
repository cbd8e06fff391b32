"""Queue a full sync to the National Public Service Portal for every dossier it has not heard
of (those received before the bus existed): the outbox worker sends them."""

from typing import Any

from django.core.management.base import BaseCommand

from egov.interop.services.portal import portal_resync


class Command(BaseCommand):
    help = "Đồng bộ lên Cổng DVC quốc gia các hồ sơ chưa từng được đồng bộ."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = portal_resync()
        self.stdout.write(f"Đã xếp hàng đồng bộ {queued} hồ sơ.")
