from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The officers' pages: worklists and the dossier page. No business rules here."""

    name = "egov.desk"
    verbose_name = "Bàn làm việc của cán bộ"
