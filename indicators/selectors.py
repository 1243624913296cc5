"""Read the catalogue into the engine's plain specs, in a fixed number of queries."""

from __future__ import annotations

from fractions import Fraction

from django.db.models import Prefetch

from indicators.engine import ComparatorSpec, IndicatorSpec, LineSpec, TargetSpec
from indicators.models import Commentary, Indicator, IndicatorLine
from lib.months import Month
from lib.vocab import ComparatorKind, ConflictRule, Polarity, Window


def indicator_specs(*, codes: list[str] | None = None) -> list[IndicatorSpec]:
    """Return the active indicators as specs (5 queries: indicators, lines, targets, comparators, change points)."""
    queryset = (
        Indicator.objects.filter(active=True)
        .order_by("number")
        .prefetch_related(
            Prefetch("lines", queryset=IndicatorLine.objects.select_related("team_type").order_by("order")),
            "targets",
            "comparators",
            "change_points",
        )
    )
    if codes is not None:
        queryset = queryset.filter(code__in=codes)
    return [_spec(indicator) for indicator in queryset]


def _line_spec(source: Indicator | IndicatorLine, **identity) -> LineSpec:
    """Return a line's spec from the figure fields the headline (on the indicator) and supporting lines share."""
    return LineSpec(
        unit=source.unit,
        numerator=source.numerator,
        denominator=source.denominator,
        area_numerator=source.area_numerator,
        multiplier=Fraction(source.multiplier),
        precision=source.precision,
        **identity,
    )


def _spec(indicator: Indicator) -> IndicatorSpec:
    headline = _line_spec(indicator, code="headline", label=indicator.headline_label, is_headline=True)
    supporting = [
        (
            line.order,
            _line_spec(
                line, code=line.code, label=line.label, team_type=line.team_type.code if line.team_type else None
            ),
        )
        for line in indicator.lines.all()
    ]
    # The headline sits among the supporting lines at headline_order (ties: headline first).
    ordered = sorted(
        [(indicator.headline_order, headline), *supporting], key=lambda pair: (pair[0], not pair[1].is_headline)
    )
    return IndicatorSpec(
        code=indicator.code,
        number=indicator.number,
        title=indicator.title,
        short_title=indicator.short_title,
        definition=indicator.definition,
        unit=indicator.unit,
        polarity=Polarity(indicator.polarity),
        lines=tuple(line for _, line in ordered),
        window=Window(indicator.window),
        baseline_rule=indicator.baseline_rule,
        baseline_months=indicator.baseline_months,
        baseline_year_end_month=indicator.baseline_year_end_month,
        baseline_years_back=indicator.baseline_years_back,
        baseline_month=Month.of(indicator.baseline_month) if indicator.baseline_month else None,
        trend_threshold=indicator.trend_threshold,
        breakdown=indicator.breakdown,
        targets=tuple(TargetSpec(Month.of(t.effective_from), t.value, t.tolerance) for t in indicator.targets.all()),
        comparators=tuple(
            ComparatorSpec(kind=ComparatorKind(c.kind), period=c.period, value=c.value, source=c.source, line=c.line)
            for c in indicator.comparators.all()
        ),
        change_points=tuple(sorted(Month.of(c.month) for c in indicator.change_points.all())),
        spc_baseline=(Month.of(indicator.spc_baseline_from), Month.of(indicator.spc_baseline_to))
        if indicator.spc_baseline_from and indicator.spc_baseline_to
        else None,
        spc_conflict_rule=ConflictRule(indicator.spc_conflict_rule),
        spc_screen_outliers=indicator.spc_screen_outliers,
    )


def commentary_for(month: Month) -> dict[str, str]:
    """Return each indicator's commentary for the month (1 query)."""
    rows = Commentary.objects.filter(month=month.first_day).values_list("indicator__code", "text")
    return dict(rows)
