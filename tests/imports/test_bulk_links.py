"""A bulk import on PostgreSQL checks its links once, set-based, and leaves every constraint as it was.

returns.services.links_checked_once drops the values' and audit's foreign keys
to returns, measures and import records for the writes and adds them back, which
checks every row; these tests hold it to that, and to stepping aside when the
tables are busy.
"""

from __future__ import annotations

import copy

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from returns import services
from returns.imports import _Staging, returns_import
from returns.models import ImportRecord, Return, ReturnValue, ValueChange
from tests.imports.conftest import csv_file

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk path is PostgreSQL's: set DATABASE_URL"),
]

HEADER = ["month", "team", "measure", "value"]
ROWS = [
    HEADER,
    ["2017-11", "EAST-SG", "open_cases", "118"],
    ["2017-12", "EAST-SG", "open_cases", "120"],
    ["2017-12", "EAST-SG", "unallocated_cases", "4"],
]


def foreign_keys() -> set[tuple]:
    """Every foreign key of the values and audit tables: (table, name, definition, validated)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid IN (%s::regclass, %s::regclass)",
            [ReturnValue._meta.db_table, ValueChange._meta.db_table],
        )
        return set(cursor.fetchall())


def statements(queries) -> list[str]:
    return [query["sql"] or "" for query in queries.captured_queries]


def analyse() -> None:
    """Have the planner count the values and audit tables as they are now.

    ANALYZE's counts outlive a rolled-back test, and the bulk write reads them
    (returns.services._cheaper_checked_once), so a test that counts what the
    write drops takes them afresh first.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ReturnValue._meta.db_table}, {ValueChange._meta.db_table}")


def test_a_bulk_import_writes_with_its_links_dropped_and_puts_every_one_back_checked(council, settings):
    settings.IMPORT_BULK_VALUES = 3
    analyse()
    before = foreign_keys()
    assert len(before) == 6  # values: return, measure; audit: return, measure, import record, actor
    with CaptureQueriesContext(connection) as queries:
        result = returns_import(file_name="bulk.csv", data=csv_file(ROWS))
    ran = statements(queries)
    assert any("LOCK TABLE" in sql for sql in ran)
    dropped = [sql for sql in ran if "DROP CONSTRAINT" in sql]
    added = [sql for sql in ran if "ADD CONSTRAINT" in sql]
    assert len(dropped) == len(added) == 5  # the links to the acting user are never dropped
    assert not any("auth_user" in sql for sql in dropped + added)
    assert sum(ImportRecord._meta.db_table in sql for sql in added) == 1  # the audit's link to its record
    assert foreign_keys() == before
    assert (result.new, result.audit_rows) == (3, 3)
    assert ReturnValue.objects.count() == ValueChange.objects.count() == 3


def test_the_size_that_counts_is_values_not_rows(council, settings):
    """A wide-form file gives many values a row: one row of three values is a bulk write of three."""
    settings.IMPORT_BULK_VALUES = 3
    wide = [
        ["month", "team", "open_cases", "unallocated_cases", "cpp_children"],
        ["2017-12", "EAST-SG", "120", "4", "40"],
    ]
    analyse()
    with CaptureQueriesContext(connection) as queries:
        result = returns_import(file_name="wide.csv", data=csv_file(wide))
    assert result.new == 3
    assert sum("DROP CONSTRAINT" in sql for sql in statements(queries)) == 5


def test_a_table_grown_large_against_the_write_keeps_its_links_and_checks_them_row_by_row(council, settings):
    """Checking once reads the whole table: once it holds many times the rows written, row by row costs less."""
    settings.IMPORT_BULK_VALUES = 3
    returns_import(file_name="one.csv", data=csv_file(ROWS[:2]))  # one value: not a bulk write
    change = ValueChange.objects.get()
    change.pk = None
    ValueChange.objects.bulk_create([copy.copy(change) for _ in range(40)])  # 41 audit rows: over 10 x 3
    ReturnValue.objects.all().delete()
    analyse()
    before = foreign_keys()
    with CaptureQueriesContext(connection) as queries:
        result = returns_import(file_name="bulk.csv", data=csv_file(ROWS))
    dropped = [sql for sql in statements(queries) if "DROP CONSTRAINT" in sql]
    assert len(dropped) == 2 and all(ReturnValue._meta.db_table in sql for sql in dropped)  # the values' alone
    assert (result.new, result.audit_rows) == (3, 3)
    assert foreign_keys() == before
    assert ValueChange.objects.count() == 44


def test_a_bulk_import_holding_the_tables_locks_no_returns_row(council, settings, monkeypatch):
    """Nobody can write a return while the import holds the tables, so a lock on each return's row adds nothing."""
    streamed: list[str] = []  # the plan reads the returns' states through a cursor of its own
    stream = _Staging.stream
    monkeypatch.setattr(_Staging, "stream", lambda self, sql, *args: streamed.append(sql) or stream(self, sql, *args))
    changed = [HEADER, *([month, team, measure, str(int(value) + 1)] for month, team, measure, value in ROWS[1:])]

    def row_locks(rows, bulk_values: int) -> int:
        settings.IMPORT_BULK_VALUES = bulk_values
        streamed.clear()
        with CaptureQueriesContext(connection) as queries:
            returns_import(file_name="returns.csv", data=csv_file(rows))
        assert any("LOCK TABLE" in sql for sql in statements(queries)) == (bulk_values <= 3)
        return sum("FOR UPDATE" in sql for sql in streamed)

    assert row_locks(ROWS, 100) == 1  # a smaller import: its stored returns' rows locked (none stored yet)
    assert row_locks(changed, 3) == 0
    assert ReturnValue.objects.filter(ret__month="2017-12-01").count() == 2
    assert sorted(ReturnValue.objects.values_list("value", flat=True)) == [5, 119, 121]


def test_a_smaller_import_checks_its_links_row_by_row_and_never_alters_a_table(council, settings):
    settings.IMPORT_BULK_VALUES = 4
    with CaptureQueriesContext(connection) as queries:
        returns_import(file_name="small.csv", data=csv_file(ROWS))
    assert not any("LOCK TABLE" in sql or "ALTER TABLE" in sql for sql in statements(queries))


def test_a_dry_run_never_takes_the_tables(council, settings):
    settings.IMPORT_BULK_VALUES = 1
    with CaptureQueriesContext(connection) as queries:
        returns_import(file_name="bulk.csv", data=csv_file(ROWS), dry_run=True)
    assert not any("LOCK TABLE" in sql or "ALTER TABLE" in sql for sql in statements(queries))


def test_a_broken_link_written_while_the_links_are_dropped_refuses_the_write(council):
    """Adding the constraints back checks every row: an orphan value fails it and the transaction keeps nothing."""
    before = foreign_keys()
    returns_import(file_name="one.csv", data=csv_file(ROWS[:2]))
    ret = Return.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        assert services.lock_for_bulk_write()
        with connection.cursor() as cursor, services.links_checked_once(cursor, models=services.LINKING):
            cursor.execute(
                f"INSERT INTO {ReturnValue._meta.db_table} (ret_id, measure_id, value, unavailable_reason) "
                "VALUES (%s, %s, 1, '')",
                [ret.pk, 987654321],  # no such measure
            )
    assert foreign_keys() == before
    assert ReturnValue.objects.count() == 1


def test_an_audit_row_naming_no_import_record_refuses_the_write(council):
    """The audit's link to its import's record is dropped with the others, and checked as they are."""
    returns_import(file_name="one.csv", data=csv_file(ROWS[:2]))
    change = ValueChange.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        assert services.lock_for_bulk_write()
        with connection.cursor() as cursor, services.links_checked_once(cursor, models=[ValueChange]):
            cursor.execute(
                f"INSERT INTO {ValueChange._meta.db_table} (ret_id, measure_id, new_value, unavailable_reason, at, "
                "source, reason, import_record_id) VALUES (%s, %s, 1, '', now(), 'import', '', %s)",
                [change.ret_id, change.measure_id, 987654321],  # no such import
            )
    assert ValueChange.objects.count() == ImportRecord.objects.count() == 1


def test_a_write_that_fails_leaves_every_constraint_in_place_even_when_its_error_is_caught(council):
    before = foreign_keys()
    with transaction.atomic():
        assert services.lock_for_bulk_write()
        with (
            pytest.raises(ZeroDivisionError),
            connection.cursor() as cursor,
            services.links_checked_once(cursor, models=services.LINKING),
        ):
            1 / 0  # noqa: B018 - a write failing half way
        assert foreign_keys() == before  # in the same transaction, which goes on


@pytest.fixture
def measures_in_use(transactional_db):
    """Another connection reading the measures table, in a transaction it keeps open until the test ends."""
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
    )
    other.execute("LOCK TABLE indicators_measure IN ACCESS SHARE MODE")
    yield
    other.rollback()
    other.close()


def test_when_the_tables_are_busy_a_bulk_import_checks_row_by_row_and_still_imports(
    council, measures_in_use, settings, monkeypatch
):
    settings.IMPORT_BULK_VALUES = 1
    monkeypatch.setattr(services, "BULK_LOCK_WAIT", "200ms")
    before = foreign_keys()
    with CaptureQueriesContext(connection) as queries:
        result = returns_import(file_name="bulk.csv", data=csv_file(ROWS))
    assert not any("ALTER TABLE" in sql for sql in statements(queries))
    assert result.new == 3
    assert ReturnValue.objects.count() == 3
    assert foreign_keys() == before


def bulk_import_ids(settings, rows):
    """Import `rows` (after a one-value first import) as a bulk write; return its statements and the new rows' ids."""
    returns_import(file_name="first.csv", data=csv_file(ROWS[:2]))  # one value: not a bulk write
    settings.IMPORT_BULK_VALUES = 3
    analyse()
    stored_value, stored_audit = ReturnValue.objects.get(), ValueChange.objects.get()
    with CaptureQueriesContext(connection) as queries:
        result = returns_import(file_name="bulk.csv", data=csv_file([HEADER, *rows]))
    ran = statements(queries)
    assert any("DROP CONSTRAINT" in sql for sql in ran)
    inserts = [
        sql for sql in ran if sql.startswith(('INSERT INTO "returns_returnvalue"', 'INSERT INTO "returns_valuechange"'))
    ]
    assert len(inserts) == 4 and all(" (id, " in sql for sql in inserts)  # no row draws its own id
    assert (result.new, result.changed, result.audit_rows) == (3, 1, 4)
    audit = ValueChange.objects.filter(
        pk__in=list(ValueChange.objects.exclude(pk=stored_audit.pk).values_list("pk", flat=True))
    )
    values = ReturnValue.objects.exclude(pk=stored_value.pk)
    # A row written afterwards the usual way draws its id past the block: no collision, no reuse.
    later = ValueChange.objects.create(
        ret=Return.objects.get(month="2017-12-01"),
        measure=stored_value.measure,
        new_value=5,
        at=stored_audit.at,
        source="form",
    )
    assert later.pk > max(audit.values_list("pk", flat=True))
    return inserts, audit, values


# A changed value of a stored return, a new value in it, then a new return's two values: return by return.
IN_RETURN_ORDER = [
    ["2017-11", "EAST-SG", "open_cases", "119"],  # changed: audited, updated in place
    ["2017-11", "EAST-SG", "unallocated_cases", "3"],  # new in a stored return
    ["2017-12", "EAST-SG", "unallocated_cases", "4"],  # a new return's values
    ["2017-12", "EAST-SG", "open_cases", "120"],
]


def test_a_bulk_import_in_return_order_numbers_its_rows_by_their_place_in_the_file_without_sorting(council, settings):
    """Held tables take their new rows' ids as one block: a file in return order is in key order already."""
    inserts, audit, values = bulk_import_ids(settings, IN_RETURN_ORDER)
    assert not any("ORDER BY" in sql or "row_number" in sql for sql in inserts)
    audit_ids = list(audit.order_by("pk").values_list("pk", flat=True))
    assert audit_ids == list(range(audit_ids[0], audit_ids[0] + 4))
    file_order = [(f"2017-{row[0][-2:]}-01", row[2]) for row in IN_RETURN_ORDER]
    by_id = audit.order_by("pk").values_list("ret__month", "measure__code")
    assert [(f"{month:%Y-%m-%d}", code) for month, code in by_id] == file_order
    # The values block leaves the changed value's place unused: the three new values follow it.
    value_ids = list(values.order_by("pk").values_list("pk", flat=True))
    assert value_ids == list(range(value_ids[0], value_ids[0] + 3))
    assert list(values.order_by("pk").values_list("measure__code", flat=True)) == [
        row[2] for row in IN_RETURN_ORDER[1:]
    ]


def test_a_bulk_import_out_of_return_order_numbers_its_rows_in_key_order(council, settings):
    """A file that gives a return's values apart sorts them: ids follow the (return, measure) key."""
    rows = [IN_RETURN_ORDER[2], *IN_RETURN_ORDER[:2], IN_RETURN_ORDER[3]]  # the new return's values apart
    inserts, audit, values = bulk_import_ids(settings, rows)
    assert all("ORDER BY" in sql and "row_number" in sql for sql in inserts if "SELECT" in sql)
    audit_ids = list(audit.order_by("pk").values_list("pk", flat=True))
    assert audit_ids == list(range(audit_ids[0], audit_ids[0] + 4))
    value_ids = list(values.order_by("pk").values_list("pk", flat=True))
    assert value_ids == list(range(value_ids[0], value_ids[0] + 3))
    for rows_written in (audit, values):  # each return's rows numbered in measure order, not the file's
        by_id = list(rows_written.order_by("pk").values_list("ret_id", "measure_id"))
        for ret_id in {ret for ret, _ in by_id}:
            measures = [measure for ret, measure in by_id if ret == ret_id]
            assert measures == sorted(measures)
    new_return = list(audit.filter(ret__month="2017-12-01").order_by("pk").values_list("measure__code", flat=True))
    assert new_return == ["open_cases", "unallocated_cases"]  # the file gives them the other way round


def updates_in_this_transaction(model) -> tuple[int, int]:
    """Return the rows of the model's table updated so far in this transaction, and how many of them in place (HOT)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relid = %s::regclass",
            [model._meta.db_table],
        )
        return cursor.fetchone()


def test_version_bumps_rewrite_returns_in_place_even_when_the_user_changes(council, performance, performance2):
    """Returns leave room in each page and carry no index on the user: a version bump is a HOT update."""
    months = [f"{year}-{month:02d}" for year in range(2013, 2018) for month in range(1, 13)]
    teams = ["EAST-SG", "EAST-ASM", "SOUTH-SG", "UASC"]
    first = [HEADER] + [[month, team, "open_cases", "10"] for month in months for team in teams]
    returns_import(file_name="first.csv", data=csv_file(first), actor=performance2)
    count = Return.objects.count()
    assert count == len(months) * len(teams) == 240  # more than fill one page
    changed = [HEADER] + [[month, team, "open_cases", "11"] for month in months for team in teams]
    returns_import(file_name="changed.csv", data=csv_file(changed), actor=performance)
    assert Return.objects.filter(updated_by=performance, version=3).count() == count
    updated, hot = updates_in_this_transaction(Return)
    assert updated >= count
    assert hot >= count


def test_a_re_import_rewrites_each_changed_value_in_place(council):
    """Values leave half of each page free (migration 0009): a changed value is a HOT update, no index entries."""
    months = [f"{year}-{month:02d}" for year in range(2013, 2018) for month in range(1, 13)]
    teams = ["EAST-SG", "EAST-ASM", "SOUTH-SG", "UASC"]
    measures = ["open_cases", "unallocated_cases"]
    rows = [[month, team, measure] for month in months for team in teams for measure in measures]
    returns_import(file_name="first.csv", data=csv_file([HEADER] + [[*row, "10"] for row in rows]))
    count = ReturnValue.objects.count()
    assert count == len(rows) == 480  # several pages of values
    returns_import(file_name="changed.csv", data=csv_file([HEADER] + [[*row, "11"] for row in rows]))
    assert ReturnValue.objects.filter(value=11).count() == count
    updated, hot = updates_in_this_transaction(ReturnValue)
    assert updated >= count
    assert hot >= count


def test_a_bulk_re_import_of_changed_values_checks_the_values_links_row_by_row(council, settings):
    """Values updated in place keep their links, so only the audit, which takes the new rows, drops its three."""
    returns_import(file_name="first.csv", data=csv_file(ROWS))
    settings.IMPORT_BULK_VALUES = 3
    changed = [HEADER] + [[month, team, measure, str(int(value) + 1)] for month, team, measure, value in ROWS[1:]]
    with CaptureQueriesContext(connection) as queries:
        result = returns_import(file_name="changed.csv", data=csv_file(changed))
    dropped = [sql for sql in statements(queries) if "DROP CONSTRAINT" in sql]
    assert len(dropped) == 3 and all(ValueChange._meta.db_table in sql for sql in dropped)
    assert (result.changed, result.audit_rows) == (3, 3)
    assert ReturnValue.objects.filter(value__in=[119, 121, 5]).count() == 3
