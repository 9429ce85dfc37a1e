from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "hearth.reporting"
    label = "reporting"
    verbose_name = "Home pages and dashboards"
