"""Read the counts a month's scorecard needs into the engine's Dataset, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Exists, F, OuterRef, QuerySet, Sum, Value, When

from indicators.engine import AreaInfo, Dataset, UnitInfo
from lib.months import Month
from returns.models import ApprovedValue, Return, ReturnValue
from teams.models import Area, Population

_GROUP = ("blank_team", "ret__team__area__code", "ret__team__team_type__code", "ret__month", "measure__code")


def _grouped(queryset: QuerySet, blank_team: Case | Value) -> QuerySet:
    return queryset.order_by().annotate(blank_team=blank_team).values_list(*_GROUP).annotate(total=Sum("value"))


def _team_if_blank() -> Case:
    """The team's code where its return has a blank value (not available), else null: such a team stays apart."""
    has_blank = Exists(ReturnValue.objects.filter(ret=OuterRef("ret"), value__isnull=True))
    return Case(When(has_blank, then=F("ret__team__code")), default=Value(None), output_field=CharField())


def _no_team() -> Value:
    return Value(None, output_field=CharField())


def approved_values(until: Month) -> QuerySet:
    """Return the approved counts up to the month, summed per (area, team type, month, measure).

    A team whose return for the month has a blank value is a group of its own.

    An approved return's values are locked, so they are its approved values; a
    reopened one's last approved values were kept aside when it was reopened.
    A return never approved has none: its unit is no data, never zero. A value
    returned blank (not available) comes as None.
    """
    approved = ReturnValue.objects.filter(ret__month__lte=until.first_day, ret__state=Return.State.APPROVED)
    kept = ApprovedValue.objects.filter(ret__month__lte=until.first_day).exclude(ret__state=Return.State.APPROVED)
    return _grouped(approved, _team_if_blank()).union(_grouped(kept, _no_team()), all=True)


def latest_values(until: Month) -> QuerySet:
    """Return the latest saved counts up to the month, whatever their return's state (a provisional view)."""
    return _grouped(ReturnValue.objects.filter(ret__month__lte=until.first_day), _team_if_blank())


def scorecard_dataset(*, until: Month, approved_only: bool = True) -> Dataset:
    """Return every count up to and including the month, with the areas and populations (3 queries).

    Approved values only unless `approved_only` is False (the performance
    team's provisional preview of the latest saved values).

    Teams of the same area and type add up together, so the database sums them
    per (area, team type) and each such group reaches the engine as one unit:
    the same figures with a fraction of the rows. The council's own return (no
    team) forms the group with neither. A team whose return has a blank value
    (not available) reaches the engine as a unit of its own, with the blanks in
    the Dataset's blanks: a ratio needing a blank measure leaves that team out
    of numerator and denominator, which it can only do while it sees the team's
    other counts apart from its group's.
    """
    rows = approved_values(until) if approved_only else latest_values(until)
    months: dict[dt.date, Month] = {}  # one Month per date: a few dozen, not thousands of conversions
    values: dict[tuple[str, Month, str], int] = {}
    units: dict[str, UnitInfo] = {}
    blanks: set[tuple[str, Month, str]] = set()
    for team, area, team_type, day, measure, total in rows:
        unit = team or f"{area or ''}/{team_type or ''}"
        units.setdefault(unit, UnitInfo(area=area, team_type=team_type))
        month = months.get(day) or months.setdefault(day, Month.of(day))
        key = (unit, month, measure)
        if total is None:
            blanks.add(key)
            continue
        # The two halves of the approved union may both hold a group: a reopened team beside approved ones.
        values[key] = values.get(key, 0) + total
    return Dataset(
        values=values,
        units=units,
        areas=[AreaInfo(a.code, a.name, a.kind) for a in Area.objects.order_by("order", "code")],
        populations={
            (area, year): pop
            for area, year, pop in Population.objects.values_list("area__code", "year", "population_0_17")
        },
        blanks=frozenset(blanks),
    )
