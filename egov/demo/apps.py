from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo province's data and the seed_demo command; no models."""

    name = "egov.demo"
    verbose_name = "Dữ liệu mẫu"
