from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: working time, text folding, errors, uploads; its one table is the
    rate limits' counters (models.py)."""

    name = "egov.core"
    verbose_name = "Lõi dùng chung"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
