from django.apps import AppConfig


class InteropConfig(AppConfig):
    """The interconnection axis (LGSP). For now: the outbox that services write to."""

    name = "egov.interop"
    verbose_name = "Trục liên thông"
