from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: object) -> None:
    # Reference data: the default roles exist once permissions do (like Django's own permissions).
    from .roles import sync_roles

    sync_roles()


class CoreConfig(AppConfig):
    name = "hearth.core"
    label = "core"
    verbose_name = "Hearth core"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self)
