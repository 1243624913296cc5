"""The demo council for tests: loaded once per password and clock, then put back from a copy of its rows.

Loading the demo runs the product's own paths (reference data, four years of
approved returns through the services, 48 months published and frozen): 5 to
7 seconds, which every browser test paid in its setup, since the live server's
flush empties the database after each test. The first load for a password and
a clock (the minute a time-machine fixture travelled to, or the real clock) is
real, and a copy of every table is taken right after it; a later test asking
for the same gets the copy put back, in one transaction, in a fraction of a
second. A travelling test's clock is then moved on by as long as the real load
took, so what the test does next still comes after the demo's records. What
the loader itself does is tested by tests/scorecard/test_demo_command.py,
which always loads for real.
"""

from __future__ import annotations

import datetime as dt

import django.apps
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from scorecard.demo.loader import load_demo

# (password, the travelling clock's minute or None, database alias) -> how long the load took on the test's
# clock, and each table's name, columns and rows right after it
_copies: dict[tuple[str, dt.datetime | None, str], tuple[dt.timedelta, list[tuple[str, list[str], object]]]] = {}


def demo_council(*, password: str) -> None:
    """Have the demo council in the database: loaded, or put back from the copy of an earlier identical load."""
    started = timezone.now()
    travelling = time_machine.escape_hatch.is_travelling()
    # A load on the real clock is as good later in the session: its records only come before the test's.
    key = (password, started.replace(second=0, microsecond=0) if travelling else None, connection.alias)
    if key not in _copies:
        load_demo(password=password)
        _copies[key] = (timezone.now() - started, _copy_tables())
        return
    took, copy = _copies[key]
    _put_back(copy)
    if travelling:  # the test's trip goes on as late as after the real load
        # The trip the fixture started is the top of time-machine's stack: it offers no other way to shift it.
        time_machine.traveller_stack[-1].shift(took)


def _models() -> list:
    return [
        model
        for model in django.apps.apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _tables() -> list[tuple[str, list[str], str]]:
    """Each model table's name, columns and primary key column, quoted."""
    quote = connection.ops.quote_name
    return [
        (
            quote(model._meta.db_table),
            [quote(field.column) for field in model._meta.concrete_fields],
            quote(model._meta.pk.column),
        )
        for model in _models()
    ]


def _copy_tables() -> list[tuple[str, list[str], object]]:
    """Every model table's rows in key order, as the database gives them (COPY's text on PostgreSQL: exact for
    every type)."""
    copy = []
    with connection.cursor() as cursor:
        for table, columns, key in _tables():
            select = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {key}"
            if connection.vendor == "postgresql":
                data = bytearray()
                with cursor.cursor.copy(f"COPY ({select}) TO STDOUT") as stream:
                    for block in stream:
                        data += block
                copy.append((table, columns, bytes(data)))
            else:
                cursor.execute(select)
                copy.append((table, columns, cursor.fetchall()))
    return copy


def _put_back(copy: list[tuple[str, list[str], object]]) -> None:
    """Replace every model table's rows with the copy's, and move the id sequences past them.

    The links are checked at the commit (Django's are deferred), so the tables may be emptied and filled in any
    order. Content types are among the tables, so the cached ones are forgotten.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        for table, _, _ in copy:
            cursor.execute(f"DELETE FROM {table}")
        for table, columns, rows in copy:
            if connection.vendor == "postgresql":
                if rows:
                    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as stream:
                        stream.write(rows)
            elif rows:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        for statement in connection.ops.sequence_reset_sql(no_style(), _models()):
            cursor.execute(statement)
    ContentType.objects.clear_cache()
