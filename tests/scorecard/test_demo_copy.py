"""The tests' copy of the demo (tests/demo_copy.py) puts back exactly what a real load stored."""

from __future__ import annotations

import pytest
from django.core.management.color import no_style
from django.db import connection

from returns.models import Return, ReturnValue
from tests.demo_copy import _copy_tables, demo_council


@pytest.mark.django_db
def test_a_demo_put_back_holds_every_row_the_load_stored_and_new_rows_take_new_ids():
    password = "only-this-test-loads-with-this"  # no other test's copy can be put back here
    demo_council(password=password)
    loaded = _copy_tables()
    value = ReturnValue.objects.order_by("pk").first()
    pk = value.pk
    value.delete()
    Return.objects.filter(month__year=2017).update(comment="changed since the load")
    # As a flush that resets sequences would: the returns' ids start again from 1.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_by_name_sql(
            no_style(), [{"table": Return._meta.db_table, "column": "id"}]
        ):
            cursor.execute(statement)

    demo_council(password=password)

    assert _copy_tables() == loaded
    assert ReturnValue.objects.filter(pk=pk, value=value.value).exists()
    # The ids go on past the copy's: a new row takes an unused one.
    ret = Return.objects.order_by("-pk").first()
    fresh = Return.objects.create(month=ret.month.replace(year=2030), team=ret.team, state=Return.State.DRAFT)
    assert fresh.pk > ret.pk
