"""Faster large imports, second step: indexes no query reads, and in-place version bumps.

A return's link to its team is served by the unique (team, month) index, and
its links to users are read only when a user is deleted; a value's link to its
measure only when a measure is (refused while values exist). Dropping their
indexes saves a write per index on every return and value an import starts.
On PostgreSQL the returns table leaves half of each page free, as the values
table does (0009), so raising a return's version rewrites it in place (a HOT
update, with no index entries to add).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def returns_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE returns_return SET (fillfactor = 50)")


def reverse_returns_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE returns_return RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_constraints"),
        ("returns", "0009_import_speed"),
        ("teams", "0003_team_name_mappings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(returns_fillfactor, reverse_returns_fillfactor),
        migrations.AlterField(
            model_name="return",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="return",
            name="team",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="Blank for the council's own return of authority-level measures.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="returns",
                to="teams.team",
            ),
        ),
        migrations.AlterField(
            model_name="return",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="returnvalue",
            name="measure",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="indicators.measure"
            ),
        ),
    ]
