"""Read the counts a month's scorecard needs into the engine's Dataset, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet, Sum

from indicators.engine import AreaInfo, Dataset, UnitInfo
from lib.months import Month
from returns.models import ApprovedValue, Return, ReturnValue
from teams.models import Area, Population

_GROUP = ("ret__team__code", "ret__team__area__code", "ret__team__team_type__code", "ret__month", "measure__code")


def _grouped(queryset: QuerySet) -> QuerySet:
    return queryset.order_by().values_list(*_GROUP).annotate(total=Sum("value"))


def approved_values(until: Month) -> QuerySet:
    """Return the approved counts up to the month, one per (team, month, measure).

    An approved return's values are locked, so they are its approved values; a
    reopened one's last approved values were kept aside when it was reopened.
    A return never approved has none: its unit is no data, never zero. A value
    returned blank (not available) comes as None.
    """
    approved = ReturnValue.objects.filter(ret__month__lte=until.first_day, ret__state=Return.State.APPROVED)
    kept = ApprovedValue.objects.filter(ret__month__lte=until.first_day).exclude(ret__state=Return.State.APPROVED)
    return _grouped(approved).union(_grouped(kept), all=True)


def latest_values(until: Month) -> QuerySet:
    """Return the latest saved counts up to the month, whatever their return's state (a provisional view)."""
    return _grouped(ReturnValue.objects.filter(ret__month__lte=until.first_day))


def scorecard_dataset(*, until: Month, approved_only: bool = True) -> Dataset:
    """Return every count up to and including the month, with the areas and populations (3 queries).

    Approved values only unless `approved_only` is False (the performance
    team's provisional preview of the latest saved values).

    Each team reaches the engine as its own unit (the council's own return, no
    team, as the unit with neither area nor type): a ratio leaves out a team
    whose return has some of the measures it needs blank, which the engine can
    only do while it still sees that team's other counts. A blank value (not
    available) is no count: it goes to the Dataset's blanks instead.
    """
    rows = approved_values(until) if approved_only else latest_values(until)
    months: dict[dt.date, Month] = {}  # one Month per date: a few dozen, not thousands of conversions
    values: dict[tuple[str, Month, str], int] = {}
    units: dict[str, UnitInfo] = {}
    blanks: set[tuple[str, Month, str]] = set()
    for team, area, team_type, day, measure, total in rows:
        unit = team or ""
        units.setdefault(unit, UnitInfo(area=area, team_type=team_type))
        month = months.get(day) or months.setdefault(day, Month.of(day))
        key = (unit, month, measure)
        if total is None:
            blanks.add(key)
            continue
        # A team's return for a month is in one half of the approved union only; adding is merely safe.
        values[key] = values.get(key, 0) + total
    return Dataset(
        values=values,
        units=units,
        areas=[AreaInfo(a.code, a.name, a.kind) for a in Area.objects.order_by("order", "code")],
        populations={(area, year): pop for area, year, pop in
                     Population.objects.values_list("area__code", "year", "population_0_17")},
        blanks=frozenset(blanks),
    )
