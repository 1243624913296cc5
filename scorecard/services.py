"""A month's scorecard: the catalogue and the counts put together, and cached when published.

Reading is `returns.dataset` and `indicators.selectors`; computing is the pure
`indicators.engine` and `indicators.spc`; this module only joins them. A
published month's scorecard is cached under a key that includes a stamp of
everything it depends on (the latest audit and history rows), so a reopened
return, an import or an edited target or commentary makes a new key: nothing
has to remember to invalidate it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from indicators import spc
from indicators.engine import (
    AreaInfo,
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
from returns.dataset import scorecard_dataset
from returns.models import ReportingMonth, Return
from returns.policy import has_view_scorecard_permission
from teams.models import Council

PUBLISHED, DRAFT = "published", "draft"
CHART_MONTHS = 13
CACHE_SECONDS = 24 * 60 * 60

# Tables whose newest row changes whenever the catalogue, targets, commentary or reference data change.
# (A return's state is not among them: it changes no figure, and a month whose return is reopened is no
# longer published, so it is no longer served from the cache.)
_STAMP_SOURCES = (
    ("indicators_historicalindicator", "history_id"), ("indicators_historicalindicatorline", "history_id"),
    ("indicators_historicaltarget", "history_id"), ("indicators_historicalcomparator", "history_id"),
    ("indicators_historicalcommentary", "history_id"), ("indicators_historicalmeasure", "history_id"),
    ("teams_historicalpopulation", "history_id"), ("teams_historicalteam", "history_id"),
    ("teams_historicalarea", "history_id"), ("teams_historicalcouncil", "history_id"),
    ("indicators_historicalchangepoint", "history_id"),
)

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
class Scorecard:
    month: Month
    status: str
    council: str
    areas: tuple[AreaInfo, ...]
    panels: tuple[Panel, ...]
    stamp: str = ""  # set on published months: what their cached renderings are keyed on

    @property
    def comparator_periods(self) -> list[str]:
        """Return the periods the comparators describe, most common first."""
        periods: dict[str, int] = {}
        for panel in self.panels:
            for comparator in panel.result.comparators:
                periods[comparator.period] = periods.get(comparator.period, 0) + 1
        return sorted(periods, key=lambda p: (-periods[p], p))


def month_status(month: Month) -> str | None:
    """Return published, draft (returns exist, not published) or None for a month with nothing."""
    record = ReportingMonth.objects.filter(month=month.first_day).first()
    if record and record.is_published:
        return PUBLISHED
    return DRAFT if Return.objects.filter(month=month.first_day).exists() else None


def visible_months(user: AnyUser) -> list[tuple[Month, str]]:
    """Return the months whose scorecard the user may see, oldest first, with their status (1-2 queries)."""
    published = {Month.of(d) for d in ReportingMonth.objects.filter(published_at__isnull=False)
                 .values_list("month", flat=True)}
    months = dict.fromkeys(published, PUBLISHED)
    if has_view_scorecard_permission(user, published=False):
        for day in Return.objects.order_by().values_list("month", flat=True).distinct():
            months.setdefault(Month.of(day), DRAFT)
    return sorted(months.items())


def data_stamp(month: Month) -> str:
    """Return a fingerprint of everything the month's scorecard depends on, in one query.

    Every change to a return's values raises its version, so the count and the
    sum of versions of the returns up to the month change with any value they
    hold; returns of later months (this month's drafts) leave it alone.
    """
    selects = ", ".join(f"(SELECT MAX({column}) FROM {table})" for table, column in _STAMP_SOURCES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM returns_return WHERE month <= %s), "
            f"(SELECT SUM(version) FROM returns_return WHERE month <= %s), {selects}",
            [month.first_day, month.first_day],
        )
        return "-".join(str(value or 0) for value in cursor.fetchone())


def get_scorecard(month: Month, status: str, *, stamp: str | None = None) -> Scorecard:
    """Return the month's scorecard, from the cache when the month is published (pass the stamp if known)."""
    if status != PUBLISHED:
        return build_scorecard(month, status)
    stamp = stamp or data_stamp(month)
    key = f"scorecard:v2:{month}:{stamp}"
    scorecard = cache.get(key)
    if scorecard is None:
        scorecard = replace(build_scorecard(month, status), stamp=stamp)
        cache.set(key, scorecard, CACHE_SECONDS)
    return scorecard


def build_scorecard(month: Month, status: str, *, codes: list[str] | None = None) -> Scorecard:
    """Compute every panel of the month's scorecard."""
    data = scorecard_dataset(until=month)
    totals = Totals(data)
    commentary = commentary_for(month)
    months_held = sorted({key[1] for key in data.values})
    first = months_held[0] if months_held else month
    history_months = [first + n for n in range(month - first + 1)]
    panels = []
    for spec in indicator_specs(codes=codes):
        result = compute_indicator(totals, spec, month, data.areas, commentary.get(spec.code, ""))
        history = tuple(
            HistoryPoint(m, figure, _target_value(spec, m))
            for m, figure in headline_history(totals, spec, history_months)
        )
        panels.append(Panel(result, history, _spc(spec, history, result)))
    council = Council.objects.values_list("name", flat=True).first() or ""
    return Scorecard(month, status, council, tuple(data.areas), tuple(panels))


def _target_value(spec, month: Month) -> Decimal | None:
    target = target_in_force(spec, month)
    return target.value if target else None


def _spc(spec, history: tuple[HistoryPoint, ...], result: IndicatorResult) -> spc.SpcResult | None:
    series = [(point.month, None if point.value.value is None else float(point.value.value)) for point in history]
    # Trim leading months without data: the chart starts when the figure does.
    while series and series[0][1] is None:
        series.pop(0)
    if not series:
        return None
    target = float(result.target.value) if result.target else None
    change_points = [m for m in spec.change_points if series[0][0] < m <= series[-1][0]]
    baseline = spec.spc_baseline
    if baseline and (baseline[0] < series[0][0] or baseline[1] > series[-1][0]
                     or any(baseline[0] < m <= baseline[1] for m in change_points)):
        baseline = None  # outside the data, or across a change point: the default baseline applies
    return spc.xmr(series, polarity=spec.polarity, target=target, change_points=change_points, baseline=baseline,
                   run_length=settings.SPC_RUN_LENGTH,
                   format_target=lambda value: format_number(value, spec.precision, unit=spec.unit))


def indicators_needing_commentary(month: Month) -> list[str]:
    """Return the titles of indicators rated red or amber that have no commentary for the month."""
    scorecard = build_scorecard(month, DRAFT)
    return [
        f"{panel.spec.number}. {panel.spec.short_title}"
        for panel in scorecard.panels
        if panel.result.rating in ("red", "amber") and not panel.result.commentary.strip()
    ]
