from django.apps import AppConfig


class InteropConfig(AppConfig):
    """The interconnection bus (LGSP): registry, outbox delivery, message log, adapters to the
    national systems, inbound calls (docs/ARCHITECTURE.md, "The interconnection bus")."""

    name = "egov.interop"
    verbose_name = "Trục liên thông"

    def ready(self) -> None:
        # The bus hears of dossier events through the engine's registry.
        from .handlers import register_handlers

        register_handlers()
