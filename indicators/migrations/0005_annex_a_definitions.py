"""Add how each figure is derived from Annex A to the definitions of the indicators it feeds.

Appended (once) rather than replaced, so definitions the performance team has edited keep their words.
"""

from django.db import migrations

from indicators.catalogue import ANNEX_A_DEFINITIONS


def add_definitions(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for indicator in Indicator.objects.filter(code__in=ANNEX_A_DEFINITIONS):
        text = ANNEX_A_DEFINITIONS[indicator.code]
        if text not in indicator.definition:
            indicator.definition = f"{indicator.definition} {text}".strip()
            indicator.save(update_fields=["definition"])


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_spc_conflict_rule_screening_and_dismissed_change_points")]

    operations = [migrations.RunPython(add_definitions, migrations.RunPython.noop)]
