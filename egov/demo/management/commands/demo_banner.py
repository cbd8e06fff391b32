from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from egov.demo.banner import banner
from egov.dossiers.models import Dossier


class Command(BaseCommand):
    help = (
        "Print make demo's banner: the site's and the simulators' addresses, the demo logins, "
        "and whether the month of dossiers is still to be loaded (no dossier yet)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", required=True, help="the site's base URL")
        parser.add_argument("--sims", required=True, help="the simulators' base URL")

    def handle(self, *args: Any, **options: Any) -> None:
        filling = not Dossier.objects.exists()
        self.stdout.write(banner(site=options["site"], sims=options["sims"], filling=filling))
