from decimal import Decimal

from django.db import migrations

# The documented defaults (docs/allocation.md); councils change them at /workforce/settings/.
DEFAULTS = {
    "assessment": Decimal("1.0"),
    "child_in_need": Decimal("1.0"),
    "child_protection": Decimal("1.5"),
    "child_in_care": Decimal("1.5"),
    "care_leaver": Decimal("0.5"),
}


def seed(apps, schema_editor):
    CaseWeight = apps.get_model("workforce", "CaseWeight")
    for case_type, weight in DEFAULTS.items():
        CaseWeight.objects.get_or_create(case_type=case_type, defaults={"weight": weight})


class Migration(migrations.Migration):
    dependencies = [("workforce", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
