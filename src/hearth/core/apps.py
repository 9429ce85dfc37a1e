from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: object) -> None:
    # Reference data: the default roles exist once permissions do (like Django's own permissions).
    # Roles hold permissions of apps migrated after core, so create every app's permissions first.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .roles import sync_roles

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    sync_roles()


class CoreConfig(AppConfig):
    name = "hearth.core"
    label = "core"
    verbose_name = "Hearth core"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self)
