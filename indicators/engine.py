"""The indicator engine: every scorecard figure from plain monthly counts.

Pure functions over plain values; no ORM. A selector elsewhere reads the
counts, populations and catalogue and hands them over as the dataclasses
below. Arithmetic is exact (fractions) so that rounding for display, half up,
is the only rounding there is.

Rules in one place:
- Team-level counts are summed to areas (and team types) and to the city; the
  council's own return (authority-level measures) counts for the city only.
- A measure no unit returned for a month is "no data", never zero; an
  expression over it has no value, and so does a zero denominator.
- A ratio or rate counts a unit in a month only when none of the measures its
  numerator and denominator name is blank (not available) for that unit: one
  that is blank is left out of both, and the figure says how many units were.
- A rolling window needs every month of the window.
- Baselines: the previous N months pooled (sum over sum) or their average or
  total for a count; or the year-end month (e.g. last March) N years back; or
  a fixed month.
- Rates per 10,000 use the population estimate of the latest year before the
  month's year (mid-2016 for 2017), else the earliest estimate held.
- Ratings compare the figure as printed (rounded to the indicator's precision)
  with the target in force that month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from indicators.expressions import POPULATION, compile_expression, names_in
from lib.months import Month
from lib.numbers import round_half_up
from lib.vocab import ComparatorKind, ConflictRule, Polarity, Rating, Trend, Window

CITY = "city"
WINDOW_MONTHS = {Window.MONTH: 1, Window.SNAPSHOT: 1, Window.ROLLING_12: 12, Window.ROLLING_36: 36}


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class UnitInfo:
    """Where a reporting unit's counts go: its area and team type (none for the council)."""

    area: str | None = None
    team_type: str | None = None


@dataclass(frozen=True)
class AreaInfo:
    code: str
    name: str
    kind: str  # "locality" (has a population) or "citywide"


@dataclass(frozen=True)
class LineSpec:
    """One row of a panel; the headline is one of them."""

    code: str
    label: str
    unit: str
    numerator: str
    denominator: str = ""
    area_numerator: str = ""
    multiplier: Fraction = Fraction(1)
    precision: int = 0
    team_type: str | None = None
    is_headline: bool = False


@dataclass(frozen=True)
class TargetSpec:
    effective_from: Month
    value: Decimal
    tolerance: Decimal = Decimal(0)


@dataclass(frozen=True)
class ComparatorSpec:
    kind: ComparatorKind
    period: str
    value: Decimal
    source: str = ""
    line: str = ""  # the line it compares with; "" for the headline


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    number: int
    title: str
    short_title: str
    unit: str
    polarity: Polarity
    lines: tuple[LineSpec, ...]  # in panel order, the headline among them
    window: Window = Window.MONTH
    baseline_rule: str = "previous_average"
    baseline_months: int = 6
    baseline_year_end_month: int = 3
    baseline_years_back: int = 0
    baseline_month: Month | None = None
    trend_threshold: Decimal = Decimal(0)
    breakdown: str = "none"
    definition: str = ""
    targets: tuple[TargetSpec, ...] = ()
    comparators: tuple[ComparatorSpec, ...] = ()
    change_points: tuple[Month, ...] = ()  # SPC: months from which the process changed
    spc_baseline: tuple[Month, Month] | None = None  # SPC: a locked baseline period
    spc_conflict_rule: ConflictRule = ConflictRule.IMPROVEMENT  # SPC: what a point flagged both ways reads as
    spc_screen_outliers: bool = False  # SPC: screen moving ranges above 3.267 mR-bar out of the limits

    @property
    def headline(self) -> LineSpec:
        return next(line for line in self.lines if line.is_headline)

    @property
    def precision(self) -> int:
        return self.headline.precision


@dataclass(frozen=True)
class Dataset:
    """Raw counts and the reference data needed to add them up."""

    values: Mapping[tuple[str, Month, str], int]  # (unit code, month, measure code) -> count
    units: Mapping[str, UnitInfo]
    areas: Sequence[AreaInfo]
    populations: Mapping[tuple[str, int], int] = field(default_factory=dict)  # (area, year) -> 0-17
    blanks: frozenset[tuple[str, Month, str]] = frozenset()  # (unit, month, measure) returned as not available


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Figure:
    """A computed value with the numerator and denominator behind it (None = no data)."""

    value: Fraction | None
    numerator: Fraction | None = None
    denominator: Fraction | None = None
    excluded: int = 0  # units left out because some measure the figure needs is blank for them


NO_DATA = Figure(None)


@dataclass(frozen=True)
class AreaFigure:
    area: str
    name: str
    figure: Figure


@dataclass(frozen=True)
class LineResult:
    code: str
    label: str
    unit: str
    precision: int
    is_headline: bool
    current: Figure
    baseline: Figure
    breakdown: tuple[AreaFigure, ...]


@dataclass(frozen=True)
class IndicatorResult:
    spec: IndicatorSpec
    month: Month
    target: TargetSpec | None
    rating: Rating
    trend: Trend | None
    baseline_label: str
    lines: tuple[LineResult, ...]
    comparators: tuple[ComparatorSpec, ...]
    commentary: str = ""

    @property
    def headline(self) -> LineResult:
        return next(line for line in self.lines if line.is_headline)

    @property
    def excluded(self) -> int:
        """Return the most units any line's current figure leaves out for blank measures (0 when complete)."""
        return max((line.current.excluded for line in self.lines), default=0)


# ---------------------------------------------------------------- totals


class Totals:
    """Counts summed once per scope and month: the city, each area, team type, or both."""

    def __init__(self, data: Dataset) -> None:
        self._data = data
        # Add counts up in two steps: first by (area, team type, month), of which there are
        # few, then those few sums into their scopes. Far cheaper than adding every count
        # into every scope it belongs to.
        info_of = {unit: (info.area, info.team_type) for unit, info in data.units.items()}
        groups: dict[tuple, dict[str, int]] = defaultdict(dict)
        for (unit, month, measure), value in data.values.items():
            if value is not None:
                bucket = groups[(*info_of.get(unit, (None, None)), month)]
                bucket[measure] = bucket.get(measure, 0) + value
        self._sums: dict[tuple, dict[str, int]] = defaultdict(dict)
        for (area, team_type, month), counts in groups.items():
            for scope in _scopes(UnitInfo(area, team_type)):
                bucket = self._sums[(scope, month)]
                for measure, value in counts.items():
                    bucket[measure] = bucket.get(measure, 0) + value
        # Which measures each unit returned blank in each month: a ratio leaves those units out.
        self._blank: dict[Month, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for unit, month, measure in data.blanks:
            self._blank[month][unit].add(measure)
        self._partial: dict[tuple, dict[str, frozenset[str]]] = {}
        self._localities = [a.code for a in data.areas if a.kind == "locality"]
        self._population_years: dict[str, list[int]] = defaultdict(list)
        for area, year in sorted(data.populations):
            self._population_years[area].append(year)

    def measures(self, scope: tuple, months: Sequence[Month]) -> dict[str, int]:
        """Return each measure's total over the months; a measure missing in any month is left out."""
        if len(months) == 1:
            return self._sums.get((scope, months[0]), {})
        buckets = [self._sums.get((scope, month), {}) for month in months]
        common = set(buckets[0]).intersection(*buckets[1:])
        return {code: sum(bucket[code] for bucket in buckets) for code in common}

    def partial_units(self, scope: tuple, month: Month, needed: frozenset[str]) -> dict[str, frozenset[str]]:
        """Return the units in the scope with some needed measure blank (not available) in the month.

        Each comes with the needed measures it did return (to take back out of the scope's sums).
        """
        key = (scope, month, needed)
        if key not in self._partial:
            found: dict[str, frozenset[str]] = {}
            for unit, blank in self._blank.get(month, {}).items():
                if needed & blank and scope in _scopes(self._data.units.get(unit, UnitInfo())):
                    found[unit] = frozenset(code for code in needed if self._value(unit, month, code) is not None)
            self._partial[key] = found
        return self._partial[key]

    def complete_measures(
        self, scope: tuple, months: Sequence[Month], needed: frozenset[str]
    ) -> tuple[dict[str, int], int]:
        """Return `measures` over the units with no needed measure blank, and how many units were left out.

        A unit is left out only of the months in which it is blank; a measure
        no remaining unit returned is left out (no data).
        """
        if not any(month in self._blank for month in months):  # the usual case: nothing blank
            return self.measures(scope, months), 0
        excluded: set[str] = set()
        totals: list[dict[str, int]] = []
        for month in months:
            counts = self._sums.get((scope, month), {})
            partial = self.partial_units(scope, month, needed)
            if partial:
                excluded.update(partial)
                counts = dict(counts)
                for unit, have in partial.items():
                    for code in have:
                        counts[code] -= self._data.values[(unit, month, code)]
                kept = [
                    unit for unit, info in self._data.units.items() if unit not in partial and scope in _scopes(info)
                ]
                for code in needed & set(counts):
                    if all(self._value(unit, month, code) is None for unit in kept):
                        del counts[code]  # only the units left out returned it: no data
            totals.append(counts)
        if len(totals) == 1:
            return totals[0], len(excluded)
        common = set(totals[0]).intersection(*totals[1:])
        return {code: sum(bucket[code] for bucket in totals) for code in common}, len(excluded)

    def _value(self, unit: str, month: Month, measure: str) -> int | None:
        return self._data.values.get((unit, month, measure))

    def population(self, scope: tuple, month: Month) -> int | None:
        """Return the child population for a scope in a month; None where it has none."""
        kind, key = scope
        if kind == CITY:
            found = [self._area_population(area, month) for area in self._localities]
            found = [p for p in found if p is not None]
            return sum(found) if found else None
        if kind == "area":
            return self._area_population(key, month)
        return None

    def _area_population(self, area: str, month: Month) -> int | None:
        years = self._population_years.get(area)
        if not years:
            return None
        before = [year for year in years if year < month.year]
        return self._data.populations[(area, before[-1] if before else years[0])]


def _scopes(info: UnitInfo) -> list[tuple]:
    scopes: list[tuple] = [(CITY, None)]
    if info.area:
        scopes.append(("area", info.area))
    if info.team_type:
        scopes.append(("type", info.team_type))
        if info.area:
            scopes.append(("type_area", (info.team_type, info.area)))
    return scopes


def _scope(line: LineSpec, area: str | None) -> tuple:
    if area is None:
        return ("type", line.team_type) if line.team_type else (CITY, None)
    return ("type_area", (line.team_type, area)) if line.team_type else ("area", area)


# ---------------------------------------------------------------- figures


def line_figure(totals: Totals, spec: IndicatorSpec, line: LineSpec, month: Month, area: str | None = None) -> Figure:
    """Return a line's figure for one month, for the city (area None) or one area."""
    scope = _scope(line, area)
    months = month.window(WINDOW_MONTHS[spec.window])
    numerator_text = line.area_numerator if (area is not None and line.area_numerator) else line.numerator
    if not line.denominator:
        values: dict[str, Fraction | int | None] = dict(totals.measures(scope, months))
        values[POPULATION] = totals.population(scope, month)
        numerator = compile_expression(numerator_text)(values)
        return Figure(None if numerator is None else numerator * line.multiplier, numerator)
    # A ratio or rate: only units that returned everything it needs, in both parts.
    needed = (names_in(numerator_text) | names_in(line.denominator)) - {POPULATION}
    counts, excluded = totals.complete_measures(scope, months, needed)
    values = dict(counts)
    values[POPULATION] = totals.population(scope, month)
    numerator = compile_expression(numerator_text)(values)
    denominator = compile_expression(line.denominator)(values)
    return _ratio(numerator, denominator, line.multiplier, excluded)


def _ratio(numerator, denominator, multiplier, excluded: int = 0) -> Figure:
    if numerator is None or denominator is None or denominator == 0:
        return Figure(None, numerator, denominator, excluded)
    return Figure(numerator / denominator * multiplier, numerator, denominator, excluded)


def baseline_months(spec: IndicatorSpec, month: Month) -> list[Month]:
    """Return the months the baseline is drawn from."""
    if spec.baseline_rule in ("previous_average", "previous_cumulative"):
        return month.previous(spec.baseline_months)
    if spec.baseline_rule == "year_end":
        back = (month.month - spec.baseline_year_end_month) % 12 or 12
        return [month - back - 12 * spec.baseline_years_back]
    if spec.baseline_rule == "fixed_month" and spec.baseline_month is not None:
        return [spec.baseline_month]
    raise ValueError(f"{spec.code}: unknown baseline rule {spec.baseline_rule!r}")


def baseline_label(spec: IndicatorSpec, month: Month) -> str:
    """Return the baseline's column heading, e.g. 'Prev. 6 months average' or 'Mar-17'."""
    if spec.baseline_rule == "previous_average":
        return f"Prev. {spec.baseline_months} months average"
    if spec.baseline_rule == "previous_cumulative":
        return f"Prev. {spec.baseline_months} months cumulative"
    return baseline_months(spec, month)[0].label


def baseline_figure(totals: Totals, spec: IndicatorSpec, line: LineSpec, month: Month) -> Figure:
    """Return a line's baseline: pooled over the previous months, or one earlier month."""
    months = baseline_months(spec, month)
    figures = [line_figure(totals, spec, line, m) for m in months]
    if len(figures) == 1:
        return figures[0]
    numerators = [f.numerator for f in figures if f.numerator is not None]
    denominators = [f.denominator for f in figures if f.denominator is not None]
    if len(numerators) < len(figures) or (line.denominator and len(denominators) < len(figures)):
        return NO_DATA
    total_numerator = sum(numerators, Fraction(0))
    count = len(figures)
    cumulative = spec.baseline_rule == "previous_cumulative"
    if not line.denominator:
        numerator = total_numerator if cumulative else Fraction(total_numerator, count)
        return Figure(numerator * line.multiplier, numerator)
    # Pooled: sum of numerators over sum of denominators, whatever the label says.
    total_denominator = sum(denominators, Fraction(0))
    excluded = max(f.excluded for f in figures)
    pooled = _ratio(total_numerator, total_denominator, line.multiplier, excluded)
    if cumulative:
        return pooled
    return Figure(pooled.value, Fraction(total_numerator, count), Fraction(total_denominator, count), excluded)


def target_in_force(spec: IndicatorSpec, month: Month) -> TargetSpec | None:
    """Return the latest target effective on or before the month."""
    candidates = [t for t in spec.targets if t.effective_from <= month]
    return max(candidates, key=lambda t: t.effective_from) if candidates else None


def rating(value: Fraction | None, target: TargetSpec | None, polarity: Polarity, precision: int) -> Rating:
    """Return green, amber or red for the figure as printed against the target; none without one."""
    if target is None or value is None or polarity not in (Polarity.HIGHER, Polarity.LOWER):
        return Rating.NO_TARGET
    shown = round_half_up(value, precision)
    gap = (target.value - shown) if polarity == Polarity.HIGHER else (shown - target.value)
    if gap <= 0:
        return Rating.GREEN
    return Rating.AMBER if gap <= target.tolerance else Rating.RED


def trend(current: Fraction | None, baseline: Fraction | None, polarity: Polarity, threshold: Decimal) -> Trend | None:
    """Return the direction of the current figure against the baseline; None without both."""
    if current is None or baseline is None:
        return None
    change = current - baseline
    if abs(change) <= Fraction(threshold):
        return Trend.STABLE
    if polarity == Polarity.NEITHER:
        return Trend.UP if change > 0 else Trend.DOWN
    better = change > 0 if polarity == Polarity.HIGHER else change < 0
    return Trend.IMPROVING if better else Trend.DECLINING


def latest_comparators(spec: IndicatorSpec) -> tuple[ComparatorSpec, ...]:
    """Return the most recent comparator of each kind for each line."""
    latest: dict[tuple[str, str], ComparatorSpec] = {}
    for comparator in spec.comparators:
        key = (comparator.line, comparator.kind)
        if key not in latest or comparator.period > latest[key].period:
            latest[key] = comparator
    order = {ComparatorKind.NATIONAL: 0, ComparatorKind.STATISTICAL_NEIGHBOURS: 1}
    return tuple(sorted(latest.values(), key=lambda c: (c.line, order.get(c.kind, 9), c.kind)))


# ---------------------------------------------------------------- indicators


def compute_line(
    totals: Totals, spec: IndicatorSpec, line: LineSpec, month: Month, areas: Sequence[AreaInfo]
) -> LineResult:
    """Return one line's current figure, baseline and area breakdown."""
    breakdown = ()
    if spec.breakdown != "none":
        breakdown = tuple(
            AreaFigure(area.code, area.name, line_figure(totals, spec, line, month, area.code)) for area in areas
        )
    return LineResult(
        code=line.code,
        label=line.label,
        unit=line.unit,
        precision=line.precision,
        is_headline=line.is_headline,
        current=line_figure(totals, spec, line, month),
        baseline=baseline_figure(totals, spec, line, month),
        breakdown=breakdown,
    )


def compute_indicator(
    totals: Totals, spec: IndicatorSpec, month: Month, areas: Sequence[AreaInfo], commentary: str = ""
) -> IndicatorResult:
    """Return everything one panel of the scorecard shows for the month."""
    lines = tuple(compute_line(totals, spec, line, month, areas) for line in spec.lines)
    headline = next(line for line in lines if line.is_headline)
    target = target_in_force(spec, month)
    return IndicatorResult(
        spec=spec,
        month=month,
        target=target,
        rating=rating(headline.current.value, target, spec.polarity, spec.precision),
        trend=trend(headline.current.value, headline.baseline.value, spec.polarity, spec.trend_threshold),
        baseline_label=baseline_label(spec, month),
        lines=lines,
        comparators=latest_comparators(spec),
        commentary=commentary,
    )


def compute_scorecard(
    data: Dataset, specs: Iterable[IndicatorSpec], month: Month, commentary: Mapping[str, str] | None = None
) -> tuple[IndicatorResult, ...]:
    """Return every indicator's result for the month."""
    totals = Totals(data)
    commentary = commentary or {}
    return tuple(compute_indicator(totals, spec, month, data.areas, commentary.get(spec.code, "")) for spec in specs)


def headline_history(totals: Totals, spec: IndicatorSpec, months: Iterable[Month]) -> list[tuple[Month, Figure]]:
    """Return the headline figure for each month, oldest first."""
    return [(month, line_figure(totals, spec, spec.headline, month)) for month in months]
