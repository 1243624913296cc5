"""Read the counts a month's scorecard needs into the engine's Dataset, in a fixed number of queries."""

from __future__ import annotations

from indicators.engine import AreaInfo, Dataset, UnitInfo
from lib.months import Month
from returns.models import ReturnValue
from teams.models import Area, Council, Population, Team


def scorecard_dataset(*, until: Month) -> Dataset:
    """Return every count up to and including the month, with the units, areas and populations (5 queries)."""
    council_code = Council.objects.values_list("code", flat=True).first() or "council"
    units = {council_code: UnitInfo()}
    for code, area, team_type in Team.objects.values_list("code", "area__code", "team_type__code"):
        units[code] = UnitInfo(area=area, team_type=team_type)
    rows = ReturnValue.objects.filter(ret__month__lte=until.first_day, value__isnull=False).values_list(
        "ret__team__code", "ret__month", "measure__code", "value"
    )
    values = {(team or council_code, Month.of(month), measure): value for team, month, measure, value in rows}
    return Dataset(
        values=values,
        units=units,
        areas=[AreaInfo(a.code, a.name, a.kind) for a in Area.objects.order_by("order", "code")],
        populations={(area, year): pop for area, year, pop in
                     Population.objects.values_list("area__code", "year", "population_0_17")},
    )
