from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "egov.catalog"
    verbose_name = "Thủ tục hành chính"

    def ready(self) -> None:
        from egov.core.reference import track_reference_models

        from . import models

        # Each process caches the catalogue (egov.core.reference): a change ends the caches.
        track_reference_models(
            [
                models.Sector,
                models.Procedure,
                models.ProcedureRevision,
                models.RequiredDocument,
                models.FeeLine,
                models.ProcessStep,
            ]
        )
