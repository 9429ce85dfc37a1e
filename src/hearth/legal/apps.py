from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "hearth.legal"
    label = "legal"
    verbose_name = "Legal planning and orders"
