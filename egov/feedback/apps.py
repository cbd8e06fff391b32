from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Feedback and petitions (phản ánh, kiến nghị): received, classified, answered, published."""

    name = "egov.feedback"
    verbose_name = "Phản ánh, kiến nghị"
