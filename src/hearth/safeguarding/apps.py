from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "hearth.safeguarding"
    label = "safeguarding"
    verbose_name = "Risk and missing"
