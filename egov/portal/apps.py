from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "egov.portal"
    verbose_name = "Cổng dịch vụ công"
