from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "egov.orgs"
    verbose_name = "Cơ quan, cán bộ và lịch làm việc"
