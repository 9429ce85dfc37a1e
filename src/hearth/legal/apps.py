from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "hearth.legal"
    label = "legal"
    verbose_name = "Legal planning and orders"

    def ready(self) -> None:
        from . import closure_checks  # noqa: F401  (registers the casework closure check)
