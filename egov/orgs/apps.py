from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "egov.orgs"
    verbose_name = "Cơ quan, cán bộ và lịch làm việc"

    def ready(self) -> None:
        from egov.core.reference import track_reference_models

        from . import models

        # Each process caches agencies, roles and the calendar (egov.core.reference).
        track_reference_models([models.Agency, models.Membership, models.CalendarEntry])
