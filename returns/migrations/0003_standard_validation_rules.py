"""Install the standard validation rules: each "of those" count within the count it is part of."""

from django.db import migrations

from returns import standard_rules


def install(apps, schema_editor):
    standard_rules.install(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0002_validation_rules_and_versions"),
        ("indicators", "0002_standard_catalogue"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
