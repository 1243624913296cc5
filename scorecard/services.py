"""A month's scorecard: computed from approved values, or read back from its published snapshot.

Reading is `returns.dataset` and `indicators.selectors`; computing is the pure
`indicators.engine` and `indicators.spc`; this module only joins them. A
published month is never recomputed: its pages and files come from the
snapshot frozen when it was published (`scorecard.snapshots`), so later
corrections change nothing a leader sees until the month is restated. An
unpublished month is a provisional view of the latest saved values, for the
performance team only, naming the returns not yet approved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings

from indicators import spc
from indicators.engine import (
    AreaInfo,
    Dataset,
    Figure,
    IndicatorResult,
    Totals,
    compute_indicator,
    headline_history,
    target_in_force,
)
from indicators.selectors import commentary_for, indicator_specs
from lib.months import Month
from lib.numbers import format_number
from returns import selectors as return_selectors
from returns.dataset import scorecard_dataset
from returns.models import ReportingMonth, Return
from returns.policy import has_view_scorecard_permission
from teams.models import Council

PUBLISHED, PROVISIONAL = "published", "provisional"
DRAFT = PROVISIONAL  # the name older callers use for a month not yet published
CHART_MONTHS = 13
CACHE_SECONDS = 24 * 60 * 60

if TYPE_CHECKING:
    from teams.http import AnyUser


@dataclass(frozen=True)
class HistoryPoint:
    month: Month
    value: Figure
    target: Decimal | None


@dataclass(frozen=True)
class Panel:
    """One indicator's panel: the month's figures, its history and its SPC reading."""

    result: IndicatorResult
    history: tuple[HistoryPoint, ...]
    spc: spc.SpcResult | None

    @property
    def spec(self):
        return self.result.spec

    @property
    def chart_history(self) -> tuple[HistoryPoint, ...]:
        return self.history[-CHART_MONTHS:]


@dataclass(frozen=True)
class Restatement:
    """A restated month's note: when, why, and each figure that changed ('<figure> changed from A to B')."""

    version: int
    on: str  # the date restated, e.g. "3 December 2026"
    reason: str
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scorecard:
    month: Month
    status: str
    council: str
    areas: tuple[AreaInfo, ...]
    panels: tuple[Panel, ...]
    stamp: str = ""  # set on published months: what their cached renderings are keyed on (the snapshot)
    version: int = 0  # the published snapshot's version; 0 for a provisional view
    latest_version: int = 0  # the month's newest published version
    restatements: tuple[Restatement, ...] = ()
    unapproved: tuple[str, ...] = ()  # provisional: the returns not approved yet, e.g. "EAST-SG (draft)"

    @property
    def is_provisional(self) -> bool:
        return self.status != PUBLISHED

    @property
    def comparator_periods(self) -> list[str]:
        """Return the periods the comparators describe, most common first."""
        periods: dict[str, int] = {}
        for panel in self.panels:
            for comparator in panel.result.comparators:
                periods[comparator.period] = periods.get(comparator.period, 0) + 1
        return sorted(periods, key=lambda p: (-periods[p], p))


def month_status(month: Month) -> str | None:
    """Return published, provisional (returns exist, not published) or None for a month with nothing."""
    record = ReportingMonth.objects.filter(month=month.first_day).first()
    if record and record.is_published:
        return PUBLISHED
    return PROVISIONAL if Return.objects.filter(month=month.first_day).exists() else None


def visible_months(user: AnyUser) -> list[tuple[Month, str]]:
    """Return the months whose scorecard the user may see, oldest first, with their status (1-2 queries)."""
    published = {
        Month.of(d) for d in ReportingMonth.objects.filter(published_at__isnull=False).values_list("month", flat=True)
    }
    months = dict.fromkeys(published, PUBLISHED)
    if has_view_scorecard_permission(user, published=False):
        for day in Return.objects.order_by().values_list("month", flat=True).distinct():
            months.setdefault(Month.of(day), PROVISIONAL)
    return sorted(months.items())


def get_scorecard(month: Month, status: str, *, version: int | None = None) -> Scorecard:
    """Return a published month's snapshot (the latest version unless one is named), else a provisional view."""
    if status != PUBLISHED:
        return provisional_scorecard(month)
    from scorecard import snapshots  # snapshots builds scorecards with this module

    return snapshots.published_scorecard(month, version=version)


def provisional_scorecard(month: Month) -> Scorecard:
    """Return the month computed from the latest saved values, naming the returns not approved yet."""
    scorecard = build_scorecard(month, PROVISIONAL, approved_only=False)
    return Scorecard(**{**scorecard.__dict__, "unapproved": tuple(unapproved_returns(month))})


def unapproved_returns(month: Month) -> list[str]:
    """Return each expected return of the month that is not approved, with its state (three queries)."""
    returns = {ret.team_id: ret for ret in return_selectors.month_returns(month)}
    names = []
    for unit in return_selectors.expected_units():
        ret = returns.get(unit.team.pk if unit.team else None)
        if ret is None or ret.state != Return.State.APPROVED:
            state = return_selectors.STATE_LABELS[ret.state if ret else return_selectors.NOT_STARTED]
            names.append(f"{unit.code} ({state.lower()})")
    return names


@dataclass(frozen=True)
class Inputs:
    """What computing scorecards reads, read once: counts up to a month, the catalogue and the council."""

    data: Dataset
    totals: Totals
    specs: tuple
    council: str
    # Headline points computed so far, by (indicator code, month): every later month's chart repeats them.
    headlines: dict[tuple[str, Month], HistoryPoint] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def first_month(self) -> Month | None:
        """Return the first month any count is held for, where every chart starts; None if none is."""
        return min((key[1] for key in self.data.values), default=None)

    def history(self, spec, month: Month) -> tuple[HistoryPoint, ...]:
        """Return the headline's charted points from the first month held to `month`, oldest first.

        Each point is computed once for these inputs, however many months' charts
        show it: publishing or checking four years of months charts each month
        once rather than once for every later month.
        """
        first = self.first_month or month
        points = []
        for n in range(month - first + 1):
            at = first + n
            point = self.headlines.get((spec.code, at))
            if point is None:
                [(_, figure)] = headline_history(self.totals, spec, [at])
                point = self.headlines[spec.code, at] = HistoryPoint(at, figure, target_value(spec, at))
            points.append(point)
        return tuple(points)


def read_inputs(until: Month, *, approved_only: bool = True, codes: list[str] | None = None) -> Inputs:
    """Read the counts up to the month, the indicators and the council (9 queries)."""
    data = scorecard_dataset(until=until, approved_only=approved_only)
    council = Council.objects.values_list("name", flat=True).first() or ""
    return Inputs(data, Totals(data), tuple(indicator_specs(codes=codes)), council)


def build_scorecard(
    month: Month,
    status: str,
    *,
    codes: list[str] | None = None,
    approved_only: bool = True,
    inputs: Inputs | None = None,
) -> Scorecard:
    """Compute every panel of the month's scorecard (from approved values unless `approved_only` is False).

    Pass `inputs` read up to this month or later to compute many months from one read.
    """
    inputs = inputs or read_inputs(month, approved_only=approved_only, codes=codes)
    data, totals = inputs.data, inputs.totals
    commentary = commentary_for(month)
    panels = []
    for spec in inputs.specs:
        result = compute_indicator(totals, spec, month, data.areas, commentary.get(spec.code, ""))
        history = inputs.history(spec, month)
        panels.append(Panel(result, history, history_spc(spec, history, result)))
    return Scorecard(month, status, inputs.council, tuple(data.areas), tuple(panels))


def target_value(spec, month: Month) -> Decimal | None:
    """Return the indicator's target in force in the month, or None."""
    target = target_in_force(spec, month)
    return target.value if target else None


def history_spc(spec, history: tuple[HistoryPoint, ...], result: IndicatorResult) -> spc.SpcResult | None:
    """Chart the headline's history with `indicators.spc` and explain it beside the rating and trend."""
    series = [(point.month, None if point.value.value is None else float(point.value.value)) for point in history]
    # Trim leading months without data: the chart starts when the figure does.
    while series and series[0][1] is None:
        series.pop(0)
    if not series:
        return None
    target = float(result.target.value) if result.target else None
    change_points = [m for m in spec.change_points if series[0][0] < m <= series[-1][0]]
    baseline = spec.spc_baseline
    if baseline and (
        baseline[0] < series[0][0]
        or baseline[1] > series[-1][0]
        or any(baseline[0] < m <= baseline[1] for m in change_points)
    ):
        baseline = None  # outside the data, or across a change point: the whole segment sets the limits
    options = spc.SpcOptions(
        shift_length=settings.SPC_SHIFT_LENGTH,
        trend_length=settings.SPC_TREND_LENGTH,
        screen_outliers=spec.spc_screen_outliers,
        conflict_rule=spec.spc_conflict_rule,
    )

    def format_target(value: float) -> str:
        return format_number(value, spec.precision, unit=spec.unit)

    reading = spc.xmr(
        series,
        polarity=spec.polarity,
        target=target,
        change_points=change_points,
        baseline=baseline,
        options=options,
        format_target=format_target,
    )
    return spc.explain(
        reading,
        trend=result.trend,
        rating=result.rating,
        baseline_label=result.baseline_label,
        format_target=format_target,
    )


def indicators_needing_commentary(month: Month) -> list[str]:
    """Return the titles of indicators rated red or amber that have no commentary for the month."""
    scorecard = build_scorecard(month, PROVISIONAL)
    return [
        f"{panel.spec.number}. {panel.spec.short_title}"
        for panel in scorecard.panels
        if panel.result.rating.needs_commentary and not panel.result.commentary.strip()
    ]
