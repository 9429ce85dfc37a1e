"""Existing councils' default roles get the new case-audit permission, as new installs do."""

from django.db import migrations

ROLES = ("auditor", "service_manager", "head_of_service", "director")


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("core", "Role")
    content_type, _ = ContentType.objects.get_or_create(app_label="core", model="user")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="manage_case_audits",
        defaults={"name": "Run case audit programmes and moderate audits"},
    )
    for role in Role.objects.filter(code__in=ROLES):
        role.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_manage_case_audits_permission"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
