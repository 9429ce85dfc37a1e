from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_reference_data(sender: AppConfig, **kwargs: object) -> None:
    # Bank holidays from the published calendar, and a row per local standard at its default.
    from .services import sync_bank_holidays, sync_local_standards

    sync_bank_holidays()
    sync_local_standards()


class TimescalesConfig(AppConfig):
    name = "hearth.timescales"
    label = "timescales"
    verbose_name = "Statutory timescales"

    def ready(self) -> None:
        post_migrate.connect(_sync_reference_data, sender=self)
