from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: working time, text folding, errors. It has no models of its own."""

    name = "egov.core"
    verbose_name = "Lõi dùng chung"
