"""Statistical process control: XmR charts read the NHS "Making Data Count" way.

Pure functions over a monthly series; nothing here touches Django or the
database, so charts, exports and board papers all read the same numbers.

The conventions, and where they come from (README, "Statistical process control"):

* Limits rest on every point of the current segment (from the last change
  point, or the start of the data), as the Making Data Count (MDC) SQL query
  and Excel tool, NHSRplotthedots (``fix_after_n_points = NULL``) and the
  PowerBI-SPC visual do. Moving ranges are not screened unless asked
  (MDC's default; NHSRplotthedots screens by default, ``screen_outliers``).
* A segment with fewer than 15 points is a run chart: no limits, no rules
  (MDC's ``@SettingMinimumPoints = 15``).
* Shift and trend lengths are separate settings, 7 each by default (MDC).
  A point on the centre line breaks a shift; two equal points break a trend.
* Two of three: of three points in a row, all strictly on one side of the
  centre line, at least two lie beyond two sigma but not beyond the process
  limit (MDC v2.1 onwards, NHSRplotthedots). Only those points are flagged.
* Shifts, trends and two-of-three never run across a change point. (MDC's
  SQL lets trends cross a recalculation; NHSRplotthedots, and this project,
  do not: a change point says the process before it is another process.)
* A point flagged both ways (a rising trend below the average, say) reads as
  the indicator's conflict rule says, improvement or concern (MDC's
  ``MetricConflictRule``), and the sentence names the conflict.
* Assurance compares the target with the current segment's limits, MDC's way:
  a target exactly on the limit the process can be relied on to reach passes,
  one exactly on the other limit fails.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import Any

from lib.months import Month
from lib.vocab import Assurance, ConflictRule, Polarity, Rating, Side, SpcRule, SpecialCause, Trend, Variation

# A point's flags read "<rule>_<side>", e.g. "shift_low"; RULES is also the order a sentence prefers.
RULES = tuple(SpcRule)
# Bound once as plain names: the rules compare sides point by point, and an enum's attribute lookup is slower.
HIGH, LOW = Side.HIGH, Side.LOW

# 2.66 = 3 / 1.128 (the d2 constant for ranges of two): three sigma from the mR-bar.
LIMIT_FACTOR = 2.66
# Making Data Count's "close to the limit" band sits at two sigma, two thirds of the way out.
NEAR_FRACTION = 2 / 3
# A moving range above 3.267 mR-bar (the moving-range chart's own limit) is screened out when asked.
SCREEN_FACTOR = 3.267
MIN_POINTS = 15  # fewer points in a segment: a run chart
RUN_LENGTHS = range(6, 9)  # MDC warns outside 6 to 8
SUGGEST_AFTER = 12  # a shift suggests a change point only after this many points of the segment


@dataclass(frozen=True)
class SpcOptions:
    """How to read a chart: the run lengths, the least points for limits, screening, the conflict rule."""

    shift_length: int = 7
    trend_length: int = 7
    min_points: int = MIN_POINTS
    screen_outliers: bool = False
    conflict_rule: ConflictRule = ConflictRule.IMPROVEMENT


@dataclass(frozen=True)
class Limits:
    """Centre line, process limits and the near-limit (two sigma) band of one segment."""

    centre: float
    upper: float
    lower: float
    upper_near: float
    lower_near: float

    def as_dict(self) -> dict[str, float]:
        """Return the limits as plain values."""
        return {
            "centre": self.centre,
            "upper": self.upper,
            "lower": self.lower,
            "upper_near": self.upper_near,
            "lower_near": self.lower_near,
        }


@dataclass(frozen=True)
class SpcPoint:
    """One month on the chart; limits are None where there was not enough data."""

    month: Month
    value: float | None
    centre: float | None
    upper: float | None
    lower: float | None
    upper_near: float | None
    lower_near: float | None
    rules: tuple[str, ...] = ()
    side: Side | None = None
    conflict: bool = False  # flagged as improvement and as concern; the conflict rule chose `side`

    def as_dict(self) -> dict[str, Any]:
        """Return the point as plain JSON-able values."""
        return {
            "month": str(self.month),
            "value": self.value,
            "centre": self.centre,
            "upper": self.upper,
            "lower": self.lower,
            "upper_near": self.upper_near,
            "lower_near": self.lower_near,
            "rules": list(self.rules),
            "side": self.side,
            "conflict": self.conflict,
        }


@dataclass(frozen=True)
class Suggestion:
    """A change point the chart suggests: a sustained shift, with the limits a new segment from it would have."""

    month: Month
    run: int  # points in the shift
    side: Side  # of the current centre line
    points: int  # points from the month to the end of the data
    limits: Limits | None  # None while those points are fewer than the least for limits

    def as_dict(self) -> dict[str, Any]:
        """Return the suggestion as plain JSON-able values."""
        return {
            "month": str(self.month),
            "run": self.run,
            "side": self.side,
            "points": self.points,
            "limits": self.limits.as_dict() if self.limits else None,
        }


@dataclass(frozen=True)
class SpcResult:
    """The whole chart and its reading for the latest month with data."""

    points: tuple[SpcPoint, ...]
    variation: Variation
    assurance: Assurance | None
    sentence: str
    enough_data: bool
    baseline_first: Month | None
    baseline_last: Month | None
    change_points: tuple[Month, ...]
    polarity: Polarity
    target: float | None
    # Added for issue 12; defaults keep older snapshots readable.
    segment_first: Month | None = None  # first month of the current segment (its limits' period starts here)
    limits: Limits | None = None  # the current segment's limits
    period: str = ""  # the limits' period in words, e.g. "since Jan-17"
    conflict: bool = False  # the latest point was flagged both ways
    suggestion: Suggestion | None = None
    baseline_special_causes: tuple[Month, ...] = ()  # months the limits rest on that show special cause
    note: str = ""  # why the SPC reading and the rating or trend point different ways, when they do
    options: SpcOptions = field(default_factory=SpcOptions)

    @property
    def full_sentence(self) -> str:
        """Return the sentence with its note, as the panel prints it."""
        return f"{self.sentence} {self.note}".strip()

    def as_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON-able values, months as 'YYYY-MM'."""
        return {
            "points": [point.as_dict() for point in self.points],
            "variation": self.variation,
            "assurance": self.assurance,
            "sentence": self.sentence,
            "note": self.note,
            "enough_data": self.enough_data,
            "baseline_first": _month_text(self.baseline_first),
            "baseline_last": _month_text(self.baseline_last),
            "segment_first": _month_text(self.segment_first),
            "period": self.period,
            "limits": self.limits.as_dict() if self.limits else None,
            "conflict": self.conflict,
            "change_points": [str(month) for month in self.change_points],
            "suggested_change_point": self.suggestion.as_dict() if self.suggestion else None,
            "baseline_special_causes": [str(month) for month in self.baseline_special_causes],
            "polarity": self.polarity,
            "target": self.target,
            "shift_length": self.options.shift_length,
            "trend_length": self.options.trend_length,
            "min_points": self.options.min_points,
            "screen_outliers": self.options.screen_outliers,
            "conflict_rule": self.options.conflict_rule,
        }


@dataclass(frozen=True)
class _Segment:
    """The charted points of one segment, with what the reading of it needs."""

    first: Month  # the segment's first month (a change point, or the first month charted)
    points: tuple[SpcPoint, ...]
    months: tuple[Month, ...]  # months with data
    values: tuple[float, ...]
    baseline: tuple[Month, ...]  # the months the limits rest on
    limits: Limits | None
    locked: bool


def xmr(
    series: Iterable[tuple[Month, float | None]],
    *,
    polarity: Polarity,
    target: float | None = None,
    change_points: Iterable[Month] = (),
    baseline: tuple[Month, Month] | None = None,
    options: SpcOptions | None = None,
    format_target: Callable[[float], str] = str,
) -> SpcResult:
    """Chart a monthly series as an XmR chart and read its latest month."""
    series = list(series)
    options = options or SpcOptions()
    _check_inputs(series, polarity, baseline, options)
    # Callers may pass the stored strings: the reading carries the vocabularies' members.
    polarity = Polarity(polarity)
    options = replace(options, conflict_rule=ConflictRule(options.conflict_rule))
    breaks = tuple(sorted(set(change_points)))
    segments = _chart_segments(series, breaks, baseline, polarity, options)
    points = tuple(point for segment in segments for point in segment.points)
    current = next((s for s in reversed(segments) if s.values), None)
    return _read(points, current, polarity, target, breaks, options, format_target)


def limits_from(values: Sequence[float], *, screen_outliers: bool = False) -> Limits:
    """Return the centre line and limits that two or more values set (mean and mean moving range)."""
    centre = math.fsum(values) / len(values)
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    mr_bar = math.fsum(ranges) / len(ranges)
    if screen_outliers:
        # Nelson (1982): a moving range beyond the mR chart's limit is a special cause, not routine spread.
        kept = [r for r in ranges if r <= SCREEN_FACTOR * mr_bar]
        mr_bar = math.fsum(kept) / len(kept)
    spread = LIMIT_FACTOR * mr_bar
    near = NEAR_FRACTION * spread
    return Limits(centre, centre + spread, centre - spread, centre + near, centre - near)


def point_variation(point: SpcPoint, polarity: Polarity) -> Variation:
    """Return the Making Data Count variation of one point, e.g. 'concern_low'."""
    if point.centre is None:
        return Variation.NOT_ENOUGH_DATA
    if point.side is None:
        return Variation.COMMON_CAUSE
    return Variation.special(_cause(point.side, polarity), point.side)


def assurance(limits: Limits | None, polarity: Polarity, target: float | None) -> Assurance | None:
    """Return whether the process will pass, fail, or hit and miss the target.

    At a limit, Making Data Count's v2 convention: for higher-is-better a
    target at or below the lower limit passes, at or above the upper limit
    fails (mirrored for lower-is-better); strictly between is hit and miss.
    """
    if target is None or limits is None or polarity == Polarity.NEITHER:
        return None
    worst, best = (limits.lower, limits.upper) if polarity == Polarity.HIGHER else (limits.upper, limits.lower)
    if _meets(worst, target, polarity):
        return Assurance.PASS
    if not _strictly_beats(best, target, polarity):
        return Assurance.FAIL
    return Assurance.HIT_AND_MISS


# --- input checks -----------------------------------------------------------


def _check_inputs(
    series: Sequence[tuple[Month, float | None]],
    polarity: Polarity,
    baseline: tuple[Month, Month] | None,
    options: SpcOptions,
) -> None:
    """Refuse inputs that would make a chart silently wrong."""
    if polarity not in tuple(Polarity):
        raise ValueError(f"polarity must be one of {tuple(map(str, Polarity))}, not {polarity!r}")
    for name in ("shift_length", "trend_length"):
        if getattr(options, name) not in RUN_LENGTHS:
            raise ValueError(f"{name} must be 6, 7 or 8, not {getattr(options, name)!r}")
    if options.conflict_rule not in tuple(ConflictRule):
        raise ValueError(f"conflict_rule must be one of {tuple(map(str, ConflictRule))}, not {options.conflict_rule!r}")
    if options.min_points < 3:
        raise ValueError("min_points must be at least 3")
    months = [month for month, _ in series]
    if any(later <= earlier for earlier, later in itertools.pairwise(months)):
        raise ValueError("series must be sorted by month, one value a month")
    if baseline is not None and baseline[0] > baseline[1]:
        raise ValueError("baseline must run from its first month to its last")


# --- charting ---------------------------------------------------------------


def _chart_segments(
    series: Sequence[tuple[Month, float | None]],
    breaks: Sequence[Month],
    baseline: tuple[Month, Month] | None,
    polarity: Polarity,
    options: SpcOptions,
) -> list[_Segment]:
    """Split the series at the change points and chart each part on its own limits."""
    locked_in = _segment_of(baseline[0], breaks) if baseline else None
    if baseline and _segment_of(baseline[1], breaks) != locked_in:
        raise ValueError("the baseline period must not span a change point")
    segments = []
    for key, group in groupby(series, key=lambda item: _segment_of(item[0], breaks)):
        locked = baseline if key == locked_in else None
        segments.append(_chart_segment(list(group), locked, polarity, options))
    return segments


def _segment_of(month: Month, breaks: Sequence[Month]) -> int:
    """Return how many change points have started by this month."""
    return bisect_right(breaks, month)


def _chart_segment(
    items: list[tuple[Month, float | None]], locked: tuple[Month, Month] | None, polarity: Polarity, options: SpcOptions
) -> _Segment:
    """Set one segment's limits from its points (or its locked baseline) and flag its points."""
    data = [(month, value) for month, value in items if value is not None and _has_data(value)]
    months = tuple(month for month, _ in data)
    values = tuple(value for _, value in data)
    base = data if locked is None else [(m, v) for m, v in data if locked[0] <= m <= locked[1]]
    base_months = tuple(month for month, _ in base)
    first = items[0][0]
    if len(data) < options.min_points or len(base) < min(options.min_points, len(data)):
        # Too few points to know the process: show the data as a run chart, never guessed limits.
        points = tuple(SpcPoint(month, _value(value), None, None, None, None, None) for month, value in items)
        return _Segment(first, points, months, values, base_months, None, locked is not None)
    limits = limits_from([value for _, value in base], screen_outliers=options.screen_outliers)
    found = _flags(values, limits, options)
    by_month = {month: sorted(found[i], key=_flag_order) for i, month in enumerate(months)}
    points = tuple(
        _point(month, value, limits, by_month.get(month, ()), polarity, options.conflict_rule) for month, value in items
    )
    return _Segment(first, points, months, values, base_months, limits, locked is not None)


def _point(
    month: Month,
    value: float | None,
    limits: Limits,
    flags: Sequence[str],
    polarity: Polarity,
    conflict_rule: ConflictRule,
) -> SpcPoint:
    """Build one charted point carrying its segment's limits."""
    # Only a point with a value is ever flagged.
    side, conflict = (
        _side_of(flags, value, limits.centre, polarity, conflict_rule) if flags and value is not None else (None, False)
    )
    return SpcPoint(
        month,
        _value(value),
        limits.centre,
        limits.upper,
        limits.lower,
        limits.upper_near,
        limits.lower_near,
        tuple(flags),
        side,
        conflict,
    )


def _side_of(
    flags: Sequence[str], value: float, centre: float, polarity: Polarity, conflict_rule: ConflictRule
) -> tuple[Side, bool]:
    """Return the one side a flagged point reports, and whether its rules disagreed."""
    sides = {Side(flag.rsplit("_", 1)[1]) for flag in flags}
    if len(sides) == 1:
        return sides.pop(), False
    # A rising trend below the average, say: the indicator's conflict rule decides.
    if polarity != Polarity.NEITHER:
        good = _good_side(polarity)
        return (good if conflict_rule == ConflictRule.IMPROVEMENT else _other(good)), True
    # A neutral measure has no better side: where the point sits decides (on the average: high).
    return _position(value, centre) or HIGH, True


# --- the four special-cause rules --------------------------------------------


def _flags(values: Sequence[float], limits: Limits, options: SpcOptions) -> dict[int, set[str]]:
    """Return the flags every rule raises, keyed by position in the values."""
    flags: dict[int, set[str]] = defaultdict(set)
    rules = (
        _outside(values, limits),
        _shift(values, limits.centre, options.shift_length),
        _trend(values, options.trend_length),
        _two_of_three(values, limits),
    )
    for rule in rules:
        for index, flag in rule:
            flags[index].add(flag)
    return flags


def _outside(values: Sequence[float], limits: Limits) -> Iterator[tuple[int, str]]:
    """Flag points strictly beyond a process limit (a point on the limit is inside)."""
    for index, value in enumerate(values):
        side = _beyond(value, limits.upper, limits.lower)
        if side:
            yield index, f"{SpcRule.OUTSIDE}_{side}"


def _shift(values: Sequence[float], centre: float, length: int) -> Iterator[tuple[int, str]]:
    """Flag every point of a run of `length` or more on one side of the average."""
    for side, start, end in _shift_runs(values, centre, length):
        yield from ((index, f"{SpcRule.SHIFT}_{side}") for index in range(start, end))


def _shift_runs(values: Sequence[float], centre: float, length: int) -> Iterator[tuple[Side, int, int]]:
    """Yield (side, start, end) of each run of `length` or more points on one side of the centre."""
    # A point exactly on the average sits on neither side, so it breaks the run.
    sides = [_position(value, centre) for value in values]
    for side, start, end in _runs(sides):
        if end - start >= length:
            yield side, start, end


def _trend(values: Sequence[float], length: int) -> Iterator[tuple[int, str]]:
    """Flag every point of a run of `length` or more points each higher (or lower) than the one before."""
    # steps[i] compares point i with the one before; a tie is no direction.
    steps = [None] + [_position(later, earlier) for earlier, later in itertools.pairwise(values)]
    for side, start, end in _runs(steps):
        # n steps join n + 1 points: the run starts at the point before its first step.
        if end - start + 1 >= length:
            yield from ((index, f"{SpcRule.TREND}_{side}") for index in range(start - 1, end))


def _two_of_three(values: Sequence[float], limits: Limits) -> Iterator[tuple[int, str]]:
    """Flag points between two and three sigma when two of three in a row are, all three on one side."""
    band = [_in_band(value, limits) for value in values]
    position = [_position(value, limits.centre) for value in values]
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        for side in (HIGH, LOW):
            if all(position[i] == side for i in window):
                hits = [i for i in window if band[i] == side]
                if len(hits) >= 2:
                    yield from ((i, f"{SpcRule.TWO_OF_THREE}_{side}") for i in hits)


def _in_band(value: float, limits: Limits) -> Side | None:
    """Return the side a value lies on between two sigma (exclusive) and the process limit (inclusive)."""
    if limits.upper_near < value <= limits.upper:
        return HIGH
    if limits.lower <= value < limits.lower_near:
        return LOW
    return None


def _runs(keys: Sequence[Side | None]) -> Iterator[tuple[Side, int, int]]:
    """Yield (key, start, end) for each unbroken run of one key; None breaks runs."""
    start = 0
    for key, group in groupby(keys):
        end = start + len(list(group))
        if key is not None:
            yield key, start, end
        start = end


# --- reading the chart ----------------------------------------------------


def _read(
    points: tuple[SpcPoint, ...],
    current: _Segment | None,
    polarity: Polarity,
    target: float | None,
    breaks: tuple[Month, ...],
    options: SpcOptions,
    format_target: Callable[[float], str],
) -> SpcResult:
    """Read the variation and assurance of the latest month with data."""
    latest = next((p for p in reversed(points) if p.value is not None), None)
    limits = current.limits if current else None
    variation = point_variation(latest, polarity) if latest else Variation.NOT_ENOUGH_DATA
    assured = assurance(limits, polarity, target)
    period = _period(current)
    sentence = _sentence(latest, current, variation, period, polarity, options)
    if assured and target is not None:  # assurance needs a target
        sentence += " " + assured.sentence(format_target(target))
    base = current.baseline if current and limits else ()
    return SpcResult(
        points,
        variation,
        assured,
        sentence,
        limits is not None,
        base[0] if base else None,
        base[-1] if base else None,
        breaks,
        polarity,
        target,
        segment_first=current.first if current else None,
        limits=limits,
        period=period,
        conflict=bool(latest and latest.conflict),
        suggestion=_suggest(current, options),
        baseline_special_causes=_flagged_in_baseline(current),
        options=options,
    )


def _period(current: _Segment | None) -> str:
    """Return the period the limits come from, in words: 'since Jan-17' or 'from Jan-15 to Dec-15'."""
    if current is None or not current.months:
        return ""
    if current.locked and current.baseline:
        return f"from {current.baseline[0].label} to {current.baseline[-1].label}"
    return f"since {current.months[0].label}"


def _suggest(current: _Segment | None, options: SpcOptions) -> Suggestion | None:
    """Return the change point a sustained shift suggests: the start of the latest long run after 12 points."""
    if current is None or current.limits is None:
        return None
    runs = [
        run
        for run in _shift_runs(current.values, current.limits.centre, options.shift_length)
        if run[1] >= SUGGEST_AFTER
    ]
    if not runs:
        return None
    side, start, end = runs[-1]
    after = current.values[start:]
    limits = limits_from(after, screen_outliers=options.screen_outliers) if len(after) >= options.min_points else None
    return Suggestion(current.months[start], end - start, side, len(after), limits)


def _flagged_in_baseline(current: _Segment | None) -> tuple[Month, ...]:
    """Return the months the limits rest on that are themselves special causes."""
    if current is None or current.limits is None:
        return ()
    base = set(current.baseline)
    return tuple(p.month for p in current.points if p.month in base and p.rules)


def _sentence(
    latest: SpcPoint | None,
    current: _Segment | None,
    variation: Variation,
    period: str,
    polarity: Polarity,
    options: SpcOptions,
) -> str:
    """Say in plain English what the latest month shows, naming the period its limits come from."""
    if variation == Variation.NOT_ENOUGH_DATA:
        available = len(current.months) if current else 0
        since = f" {period}" if period else ""
        return (
            f"Not enough data for limits: {available} months{since}, and process limits need "
            f"{options.min_points}. Read the chart as a run chart."
        )
    assert latest is not None and current is not None  # a reading with limits has both
    if variation == Variation.COMMON_CAUSE:
        return f"{variation.label}: {latest.month.label} is within its usual range {period}."
    cause, side = variation.cause, variation.side
    assert cause is not None and side is not None  # any other reading is special cause
    text = f"{cause.label} compared with its usual range {period}: {_reason(latest, current, side)}."
    if latest.conflict and polarity != Polarity.NEITHER:
        other = _other(side)
        rule = _strongest_rule(latest, other)
        other_cause = _cause(other, polarity)
        article = "an" if other_cause == SpecialCause.IMPROVEMENT else "a"
        text += (
            f" It is also {_rule_phrase(rule, other)}, {article} {other_cause}; this indicator shows "
            f"{cause} when the two conflict."
        )
    return text


def _strongest_rule(point: SpcPoint, side: Side) -> SpcRule:
    """Return the first rule (in RULES order) flagging the point on that side."""
    return next(rule for rule in RULES if f"{rule}_{side}" in point.rules)


def _rule_phrase(rule: SpcRule, side: Side) -> str:
    """Return a rule as words for a clause, e.g. 'part of a rising trend'."""
    return {
        SpcRule.OUTSIDE: f"{'above the upper' if side == HIGH else 'below the lower'} process limit",
        SpcRule.SHIFT: f"part of a run {'above' if side == HIGH else 'below'} the average",
        SpcRule.TREND: f"part of a {'rising' if side == HIGH else 'falling'} trend",
        SpcRule.TWO_OF_THREE: f"close to the {'upper' if side == HIGH else 'lower'} process limit",
    }[rule]


def _reason(latest: SpcPoint, current: _Segment, side: Side) -> str:
    """Describe the strongest rule behind the latest month's side."""
    rule = _strongest_rule(latest, side)
    upper_or_lower = "upper" if side == HIGH else "lower"
    if rule == SpcRule.OUTSIDE:
        where = "above" if side == HIGH else "below"
        return f"{latest.month.label} is {where} the {upper_or_lower} process limit"
    if rule == SpcRule.SHIFT and latest.centre is not None:  # a flagged point always carries its segment's centre
        months = _trailing_run([_position(v, latest.centre) for v in current.values])
        return f"{months} months {'above' if side == HIGH else 'below'} the average"
    if rule == SpcRule.TREND:
        values = current.values
        months = _trailing_run([_position(b, a) for a, b in itertools.pairwise(values)]) + 1
        return f"{months} months {'rising' if side == HIGH else 'falling'} in a row"
    return f"two of the last three months close to the {upper_or_lower} process limit"


def _trailing_run(keys: Sequence[Side | None]) -> int:
    """Return how many keys at the end equal the last one."""
    last = keys[-1]
    count = 0
    for key in reversed(keys):
        if key != last:
            break
        count += 1
    return count


# --- the reading beside the rating and the trend ----------------------------


def explain(
    result: SpcResult,
    *,
    trend: Trend | None,
    rating: Rating | None,
    baseline_label: str = "",
    format_target: Callable[[float], str] = str,
) -> SpcResult:
    """Return the result with a note saying why the SPC reading, the trend and the rating disagree, if they do.

    SPC compares the month with the process's usual range over the current
    segment; the trend compares it with the scorecard's baseline (recent
    months); the rating compares it with the target. Each can be right while
    pointing another way, and the panel says so rather than leave it to the reader.
    """
    cause = result.variation.cause
    notes = []
    baseline = f" ({baseline_label})" if baseline_label else ""
    if cause == SpecialCause.IMPROVEMENT and trend == Trend.DECLINING:
        notes.append(
            f"It is better than the usual range {result.period} but worse than its baseline{baseline}: "
            "the long-run gain holds while the latest months have slipped back."
        )
    elif cause == SpecialCause.CONCERN and trend == Trend.IMPROVING:
        notes.append(
            f"It is better than its baseline{baseline} but worse than the usual range {result.period}: "
            "recent months have recovered part of the ground, not all of it."
        )
    target = format_target(result.target) if result.target is not None else ""
    if cause == SpecialCause.IMPROVEMENT and rating in (Rating.RED, Rating.AMBER):
        notes.append(f"The change is real, but the figure still misses the target of {target}.")
    elif cause == SpecialCause.CONCERN and rating == Rating.GREEN:
        notes.append(f"The figure still meets the target of {target}, but the change is real and worth watching.")
    if result.assurance == Assurance.FAIL and rating == Rating.GREEN:
        notes.append("This month meets the target, which the process reaches only rarely.")
    elif result.assurance == Assurance.PASS and rating in (Rating.RED, Rating.AMBER):
        notes.append("This month misses the target, which the process usually meets.")
    moving_away = (cause == SpecialCause.IMPROVEMENT and result.assurance == Assurance.FAIL) or (
        cause == SpecialCause.CONCERN and result.assurance == Assurance.PASS
    )
    if moving_away:
        notes.append(
            "The assurance reads limits set before this change; if the change holds, a change point "
            "will set new limits and the assurance will be read afresh."
        )
    return replace(result, note=" ".join(notes))


# --- small helpers ------------------------------------------------------------


def _has_data(value: float | None) -> bool:
    """Tell whether a value counts; None and NaN are months without data."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _value(value: float | None) -> float | None:
    """Return the value as charted: no data is None, never NaN."""
    return value if _has_data(value) else None


def _position(value: float, reference: float) -> Side | None:
    """Return 'high' or 'low' for a value against a reference; None when equal."""
    if value > reference:
        return HIGH
    if value < reference:
        return LOW
    return None


def _beyond(value: float, upper: float, lower: float) -> Side | None:
    """Return the side a value lies strictly beyond a band on, or None inside it."""
    if value > upper:
        return HIGH
    if value < lower:
        return LOW
    return None


def _good_side(polarity: Polarity) -> Side:
    """Return the side improvement lies on for a higher- or lower-is-better measure."""
    return HIGH if polarity == Polarity.HIGHER else LOW


def _cause(side: Side, polarity: Polarity) -> SpecialCause:
    """Return what a special cause on that side means for the indicator."""
    if polarity == Polarity.NEITHER:
        return SpecialCause.NEITHER
    return SpecialCause.IMPROVEMENT if side == _good_side(polarity) else SpecialCause.CONCERN


def _other(side: Side) -> Side:
    """Return the other side."""
    return LOW if side == HIGH else HIGH


def _meets(value: float, target: float, polarity: Polarity) -> bool:
    """Tell whether a value meets the target; exactly on it counts as meeting."""
    return value >= target if polarity == Polarity.HIGHER else value <= target


def _strictly_beats(value: float, target: float, polarity: Polarity) -> bool:
    """Tell whether a value is strictly better than the target."""
    return value > target if polarity == Polarity.HIGHER else value < target


def _flag_order(flag: str) -> tuple[int, str]:
    """Sort flags in rule order so output is stable."""
    rule, side = flag.rsplit("_", 1)
    return RULES.index(rule), side


def _month_text(month: Month | None) -> str | None:
    """Return a month as 'YYYY-MM', or None."""
    return str(month) if month else None
