"""The database refuses a published snapshot of a month stored as any day but the first, on every backend."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from scorecard.models import ScorecardSnapshot


def snapshot(day: dt.date) -> ScorecardSnapshot:
    return ScorecardSnapshot.objects.create(
        month=day, version=1, data="{}", figures="{}", sources="[]", published_at=timezone.now()
    )


def test_the_database_refuses_a_snapshot_month_on_another_day(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        snapshot(dt.date(2017, 12, 2))
    assert not ScorecardSnapshot.objects.exists()


def test_the_database_keeps_a_snapshot_of_the_first_of_the_month(db):
    assert snapshot(dt.date(2017, 12, 1)).month == dt.date(2017, 12, 1)
