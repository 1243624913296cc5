"""Install the standard catalogue: 29 measures, 14 indicators, the team types they use."""

from django.db import migrations

from indicators import catalogue


def install(apps, schema_editor):
    catalogue.install(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("teams", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
