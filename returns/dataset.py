"""Read the counts a month's scorecard needs into the engine's Dataset, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Sum

from indicators.engine import AreaInfo, Dataset, UnitInfo
from lib.months import Month
from returns.models import ReturnValue
from teams.models import Area, Population


def scorecard_dataset(*, until: Month) -> Dataset:
    """Return every count up to and including the month, with the areas and populations (3 queries).

    Teams of the same area and type always add up together, so the database sums
    them per (area, team type) and each such group reaches the engine as one
    unit: the engine's figures are the same, with a fraction of the rows. The
    council's own return (no team) forms the group with neither.
    """
    rows = (
        ReturnValue.objects.filter(ret__month__lte=until.first_day, value__isnull=False)
        .order_by()
        .values_list("ret__team__area__code", "ret__team__team_type__code", "ret__month", "measure__code")
        .annotate(total=Sum("value"))
    )
    months: dict = {}  # one Month per date: a few dozen, not thousands of conversions
    values: dict[tuple[str, Month, str], int] = {}
    units: dict[str, UnitInfo] = {}
    for area, team_type, day, measure, total in rows:
        unit = f"{area or ''}/{team_type or ''}"
        units.setdefault(unit, UnitInfo(area=area, team_type=team_type))
        month = months.get(day) or months.setdefault(day, Month.of(day))
        values[(unit, month, measure)] = total
    return Dataset(
        values=values,
        units=units,
        areas=[AreaInfo(a.code, a.name, a.kind) for a in Area.objects.order_by("order", "code")],
        populations={(area, year): pop for area, year, pop in
                     Population.objects.values_list("area__code", "year", "population_0_17")},
    )
