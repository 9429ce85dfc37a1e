from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "hearth.escalations"
    label = "escalations"
    verbose_name = "Escalations"
