"""Migration 0011 moves earlier imports' audit rows onto one ImportRecord per (user, time, file), and back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("returns", "0010_fewer_indexes")]
AFTER = [("returns", "0011_import_records")]
AT = dt.datetime(2017, 12, 5, 9, 30, tzinfo=dt.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0010():
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_earlier_imports_move_onto_one_record_each_and_back(at_0010):
    apps = at_0010
    user = apps.get_model("auth", "User").objects.create(username="importer")
    ret = apps.get_model("returns", "Return").objects.create(month=dt.date(2017, 12, 1), version=3, updated_at=AT)
    measures = list(apps.get_model("indicators", "Measure").objects.filter(level="authority").order_by("pk")[:3])
    change = apps.get_model("returns", "ValueChange").objects.create
    common = {"ret": ret, "new_value": 1, "version": 2}
    change(measure=measures[0], actor=user, at=AT, source="import", file_name="dec.csv", file_sha256="a" * 64, **common)
    change(measure=measures[1], actor=user, at=AT, source="import", file_name="dec.csv", file_sha256="a" * 64, **common)
    later = AT + dt.timedelta(hours=1)
    change(
        measure=measures[2], actor=None, at=later, source="annex_a", file_name="a.xlsx", file_sha256="b" * 64, **common
    )
    change(measure=measures[0], actor=user, at=later, source="form", **common)

    apps = migrate(AFTER)
    records = apps.get_model("returns", "ImportRecord").objects.order_by("at")
    assert [(r.actor_id, r.at, r.file_name, r.file_sha256) for r in records] == [
        (user.pk, AT, "dec.csv", "a" * 64),
        (None, later, "a.xlsx", "b" * 64),
    ]
    rows = apps.get_model("returns", "ValueChange").objects.order_by("pk").values_list("actor_id", "import_record_id")
    assert list(rows) == [(None, records[0].pk), (None, records[0].pk), (None, records[1].pk), (user.pk, None)]

    apps = migrate(BEFORE)
    rows = apps.get_model("returns", "ValueChange").objects.order_by("pk")
    assert [(r.actor_id, r.file_name, r.file_sha256) for r in rows] == [
        (user.pk, "dec.csv", "a" * 64),
        (user.pk, "dec.csv", "a" * 64),
        (None, "a.xlsx", "b" * 64),
        (user.pk, "", ""),
    ]
