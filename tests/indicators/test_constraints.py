"""The database refuses a month of the catalogue stored as any day but the first, on every backend."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from indicators.models import ChangePoint, Commentary, DismissedChangePoint, Indicator, Target

SECOND = dt.date(2017, 12, 2)

BAD_WRITES = {
    "target from the 2nd": lambda i: Target.objects.create(indicator=i, effective_from=SECOND, value=10),
    "commentary on the 2nd": lambda i: Commentary.objects.create(indicator=i, month=SECOND, text="Fell."),
    "change point on the 2nd": lambda i: ChangePoint.objects.create(indicator=i, month=SECOND, reason="New model"),
    "dismissal on the 2nd": lambda i: DismissedChangePoint.objects.create(indicator=i, month=SECOND),
    "fixed baseline on the 2nd": lambda i: Indicator.objects.filter(pk=i.pk).update(
        baseline_rule="fixed_month", baseline_month=SECOND
    ),
    "SPC baseline from the 2nd": lambda i: Indicator.objects.filter(pk=i.pk).update(
        spc_baseline_from=SECOND, spc_baseline_to=dt.date(2018, 3, 1)
    ),
    "SPC baseline to the 2nd": lambda i: Indicator.objects.filter(pk=i.pk).update(
        spc_baseline_from=dt.date(2017, 1, 1), spc_baseline_to=SECOND
    ),
}


def stored(indicator):
    row = Indicator.objects.values("baseline_month", "spc_baseline_from", "spc_baseline_to").get(pk=indicator.pk)
    return [row, Target.objects.count(), Commentary.objects.count()] + [
        model.objects.count() for model in (ChangePoint, DismissedChangePoint)
    ]


@pytest.mark.parametrize("write", list(BAD_WRITES))
def test_the_database_refuses(db, write):
    indicator = Indicator.objects.get(code="re_referrals")
    before = stored(indicator)
    with pytest.raises(IntegrityError), transaction.atomic():
        BAD_WRITES[write](indicator)
    assert stored(indicator) == before


def test_the_first_of_the_month_and_a_blank_month_are_stored(db):
    indicator = Indicator.objects.get(code="re_referrals")
    Target.objects.create(indicator=indicator, effective_from=dt.date(2017, 12, 1), value=10)
    Indicator.objects.filter(pk=indicator.pk).update(
        baseline_rule="fixed_month", baseline_month=dt.date(2017, 3, 1), spc_baseline_from=None, spc_baseline_to=None
    )
    assert Target.objects.get().effective_from == dt.date(2017, 12, 1)
