"""Faster large imports: fewer indexes, in-place updates.

The audit (ValueChange) loses the indexes no query uses (reads go by return,
through (ret, at)); its links stay checked by the database. A return's values
lose the index their unique (ret, measure) constraint already provides; returns
gain one by month, the order an import reads them in. On PostgreSQL the values
table leaves half of each page free, so a re-import that changes every value
rewrites each row in its own page (a HOT update, with no index entries to add)
instead of a new row in every index. Pages written before this migration stay
full until the table is rewritten.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def values_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE returns_returnvalue SET (fillfactor = 50)")


def reverse_values_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE returns_returnvalue RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_measure_team_types"),
        ("returns", "0008_constraints"),
        ("teams", "0003_team_name_mappings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(values_fillfactor, reverse_values_fillfactor),
        migrations.AlterField(
            model_name="returnvalue",
            name="ret",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="values", to="returns.return"
            ),
        ),
        migrations.AlterField(
            model_name="valuechange",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="valuechange",
            name="measure",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indicators.measure",
            ),
        ),
        migrations.AlterField(
            model_name="valuechange",
            name="ret",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="value_changes",
                to="returns.return",
            ),
        ),
        migrations.AddIndex(
            model_name="return",
            index=models.Index(fields=["month"], name="return_month_idx"),
        ),
    ]
