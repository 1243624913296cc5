"""Who imported which file, recorded once an import rather than on each of its audit rows.

A file's import (returns or Annex A) is an ImportRecord: the user, the time,
the file's name and SHA-256. Its value changes name the record and carry no
user or file of their own; a change from a form, the admin or the system keeps
its user on the row. Earlier imports' rows are moved onto one record per
(user, time, file), then the rows' file columns go.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def _check_links_now(schema_editor):
    """Run the links' checks the updates queued: PostgreSQL alters no table with checks pending."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def to_records(apps, schema_editor):
    ValueChange = apps.get_model("returns", "ValueChange")
    ImportRecord = apps.get_model("returns", "ImportRecord")
    imports = list(
        ValueChange.objects.exclude(file_name="")
        .order_by("at")
        .values_list("actor_id", "at", "file_name", "file_sha256")
        .distinct()
    )
    for actor_id, at, file_name, file_sha256 in imports:
        record = ImportRecord.objects.create(actor_id=actor_id, at=at, file_name=file_name, file_sha256=file_sha256)
        ValueChange.objects.filter(actor_id=actor_id, at=at, file_name=file_name, file_sha256=file_sha256).update(
            import_record=record, actor=None
        )
    _check_links_now(schema_editor)


def from_records(apps, schema_editor):
    ValueChange = apps.get_model("returns", "ValueChange")
    ImportRecord = apps.get_model("returns", "ImportRecord")
    record = ImportRecord.objects.filter(pk=OuterRef("import_record_id"))
    ValueChange.objects.filter(import_record__isnull=False).update(
        actor=Subquery(record.values("actor_id")[:1]),
        file_name=Subquery(record.values("file_name")[:1]),
        file_sha256=Subquery(record.values("file_sha256")[:1]),
        import_record=None,
    )
    _check_links_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_constraints"),
        ("returns", "0010_fewer_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField()),
                ("file_name", models.CharField(max_length=255)),
                ("file_sha256", models.CharField(max_length=64)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-at", "-id"]},
        ),
        migrations.AddField(
            model_name="valuechange",
            name="import_record",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="value_changes",
                to="returns.importrecord",
            ),
        ),
        migrations.RunPython(to_records, from_records),
        migrations.RemoveField(model_name="valuechange", name="file_name"),
        migrations.RemoveField(model_name="valuechange", name="file_sha256"),
        migrations.AddConstraint(
            model_name="valuechange",
            constraint=models.CheckConstraint(
                condition=models.Q(("import_record__isnull", True), ("actor__isnull", True), _connector="OR"),
                name="value_change_import_says_who",
            ),
        ),
    ]
