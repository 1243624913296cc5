"""Statistical process control: XmR charts read the NHS "Making Data Count" way.

Pure functions over a monthly series; nothing here touches Django or the
database, so charts, exports and board papers all read the same numbers.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from typing import Callable, Iterable, Iterator, Sequence

from lib.months import Month

HIGHER, LOWER, NEITHER = "higher", "lower", "neither"
POLARITIES = (HIGHER, LOWER, NEITHER)
HIGH, LOW = "high", "low"

# Rule names; a point's flags read "<rule>_<side>", e.g. "shift_low".
OUTSIDE, SHIFT, TREND, TWO_OF_THREE = "outside", "shift", "trend", "two_of_three"
RULES = (OUTSIDE, SHIFT, TREND, TWO_OF_THREE)  # also the order a sentence prefers

COMMON_CAUSE, NOT_ENOUGH_DATA = "common_cause", "not_enough_data"
PASS, FAIL, HIT_AND_MISS = "pass", "fail", "hit_and_miss"

# 2.66 = 3 / 1.128 (the d2 constant for ranges of two): three sigma from the mR-bar.
LIMIT_FACTOR = 2.66
# Making Data Count's "close to the limit" band sits at two sigma, two thirds of the way out.
NEAR_FRACTION = 2 / 3
MIN_BASELINE, MAX_BASELINE = 12, 20
RUN_LENGTHS = (6, 7)


@dataclass(frozen=True)
class Limits:
    """Centre line, process limits and the near-limit (two sigma) band of one baseline."""

    centre: float
    upper: float
    lower: float
    upper_near: float
    lower_near: float


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
    side: str | None = None

    def as_dict(self) -> dict:
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
        }


@dataclass(frozen=True)
class SpcResult:
    """The whole chart and its reading for the latest month with data."""

    points: tuple[SpcPoint, ...]
    variation: str
    assurance: str | None
    sentence: str
    enough_data: bool
    baseline_first: Month | None
    baseline_last: Month | None
    change_points: tuple[Month, ...]
    polarity: str
    target: float | None

    def as_dict(self) -> dict:
        """Return the result as plain JSON-able values, months as 'YYYY-MM'."""
        return {
            "points": [point.as_dict() for point in self.points],
            "variation": self.variation,
            "assurance": self.assurance,
            "sentence": self.sentence,
            "enough_data": self.enough_data,
            "baseline_first": _month_text(self.baseline_first),
            "baseline_last": _month_text(self.baseline_last),
            "change_points": [str(month) for month in self.change_points],
            "polarity": self.polarity,
            "target": self.target,
        }


@dataclass(frozen=True)
class _Segment:
    """The charted points of one segment, with what the reading of it needs."""

    points: tuple[SpcPoint, ...]
    values: tuple[float, ...]
    baseline: tuple[Month, ...]
    limits: Limits | None


def xmr(
    series: Iterable[tuple[Month, float | None]],
    *,
    polarity: str,
    target: float | None = None,
    change_points: Iterable[Month] = (),
    baseline: tuple[Month, Month] | None = None,
    run_length: int = 7,
    format_target: Callable[[float], str] = str,
) -> SpcResult:
    """Chart a monthly series as an XmR chart and read its latest month."""
    series = list(series)
    _check_inputs(series, polarity, baseline, run_length)
    breaks = tuple(sorted(set(change_points)))
    segments = _chart_segments(series, breaks, baseline, polarity, run_length)
    points = tuple(point for segment in segments for point in segment.points)
    current = next((s for s in reversed(segments) if s.values), None)
    return _read(points, current, polarity, target, breaks, format_target)


def limits_from(values: Sequence[float]) -> Limits:
    """Return the centre line and limits that two or more baseline values set."""
    centre = math.fsum(values) / len(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:])]
    spread = LIMIT_FACTOR * (math.fsum(ranges) / len(ranges))
    near = NEAR_FRACTION * spread
    return Limits(centre, centre + spread, centre - spread, centre + near, centre - near)


def point_variation(point: SpcPoint, polarity: str) -> str:
    """Return the Making Data Count variation of one point, e.g. 'concern_low'."""
    if point.centre is None:
        return NOT_ENOUGH_DATA
    if point.side is None:
        return COMMON_CAUSE
    if polarity == NEITHER:
        return f"neither_{point.side}"
    kind = "improvement" if point.side == _good_side(polarity) else "concern"
    return f"{kind}_{point.side}"


def assurance(limits: Limits | None, polarity: str, target: float | None) -> str | None:
    """Return whether the process will pass, fail, or hit and miss the target."""
    if target is None or limits is None or polarity == NEITHER:
        return None
    # The process routinely reaches either limit, so judge the range by its ends.
    worst, best = (limits.lower, limits.upper)
    if polarity == LOWER:
        worst, best = best, worst
    if _meets(worst, target, polarity):
        return PASS
    if not _meets(best, target, polarity):
        return FAIL
    return HIT_AND_MISS


# --- input checks -----------------------------------------------------------


def _check_inputs(series, polarity, baseline, run_length) -> None:
    """Refuse inputs that would make a chart silently wrong."""
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    if run_length not in RUN_LENGTHS:
        raise ValueError(f"run_length must be 6 or 7, not {run_length!r}")
    months = [month for month, _ in series]
    if any(later <= earlier for earlier, later in zip(months, months[1:])):
        raise ValueError("series must be sorted by month, one value a month")
    if baseline is not None and baseline[0] > baseline[1]:
        raise ValueError("baseline must run from its first month to its last")


# --- charting ---------------------------------------------------------------


def _chart_segments(series, breaks, baseline, polarity, run_length) -> list[_Segment]:
    """Split the series at the change points and chart each part on its own limits."""
    locked_in = _segment_of(baseline[0], breaks) if baseline else None
    if baseline and _segment_of(baseline[1], breaks) != locked_in:
        raise ValueError("the baseline period must not span a change point")
    segments = []
    for key, group in groupby(series, key=lambda item: _segment_of(item[0], breaks)):
        locked = baseline if key == locked_in else None
        segments.append(_chart_segment(list(group), locked, polarity, run_length))
    return segments


def _segment_of(month: Month, breaks: Sequence[Month]) -> int:
    """Return how many change points have started by this month."""
    return bisect_right(breaks, month)


def _chart_segment(items, locked, polarity, run_length) -> _Segment:
    """Set one segment's limits from its baseline and flag its points."""
    data = [(month, value) for month, value in items if _has_data(value)]
    values = tuple(value for _, value in data)
    base = _baseline_points(data, locked)
    base_months = tuple(month for month, _ in base)
    if len(base) < MIN_BASELINE:
        # Too few points to know the process: show the data, never guessed limits.
        points = tuple(SpcPoint(month, _value(value), *[None] * 5) for month, value in items)
        return _Segment(points, values, base_months, None)
    limits = limits_from([value for _, value in base])
    found = _flags(values, limits, run_length)
    by_month = {month: sorted(found[i], key=_flag_order) for i, (month, _) in enumerate(data)}
    points = tuple(
        _point(month, value, limits, by_month.get(month, ()), polarity) for month, value in items
    )
    return _Segment(points, values, base_months, limits)


def _baseline_points(data, locked):
    """Return the points the limits rest on: the locked period, else the first twenty."""
    if locked is None:
        return data[:MAX_BASELINE]
    first, last = locked
    return [(month, value) for month, value in data if first <= month <= last]


def _point(month, value, limits: Limits, flags, polarity) -> SpcPoint:
    """Build one charted point carrying its segment's limits."""
    side = _side_of(flags, value, limits.centre, polarity) if flags else None
    return SpcPoint(
        month, _value(value), limits.centre, limits.upper, limits.lower,
        limits.upper_near, limits.lower_near, tuple(flags), side,
    )


def _side_of(flags, value, centre, polarity) -> str:
    """Return the one side a flagged point reports when rules disagree."""
    sides = {flag.rsplit("_", 1)[1] for flag in flags}
    if len(sides) == 1:
        return sides.pop()
    # A rising trend below the average, say: improvement wins over concern,
    # and for a neutral measure where the point sits decides.
    if polarity != NEITHER:
        return _good_side(polarity)
    # Only two trends meeting at a turning point can sit on the average; call it high.
    return _position(value, centre) or HIGH


# --- the four special-cause rules --------------------------------------------


def _flags(values, limits: Limits, run_length: int) -> dict[int, set[str]]:
    """Return the flags every rule raises, keyed by position in the values."""
    flags: dict[int, set[str]] = defaultdict(set)
    rules = (
        _outside(values, limits),
        _shift(values, limits.centre, run_length),
        _trend(values, run_length),
        _two_of_three(values, limits),
    )
    for rule in rules:
        for index, flag in rule:
            flags[index].add(flag)
    return flags


def _outside(values, limits: Limits) -> Iterator[tuple[int, str]]:
    """Flag points strictly beyond a process limit."""
    for index, value in enumerate(values):
        side = _beyond(value, limits.upper, limits.lower)
        if side:
            yield index, f"{OUTSIDE}_{side}"


def _shift(values, centre, run_length) -> Iterator[tuple[int, str]]:
    """Flag every point of a long run on one side of the average."""
    # A point exactly on the average sits on neither side, so it breaks the run.
    sides = [_position(value, centre) for value in values]
    for side, start, end in _runs(sides):
        if end - start >= run_length:
            yield from ((index, f"{SHIFT}_{side}") for index in range(start, end))


def _trend(values, run_length) -> Iterator[tuple[int, str]]:
    """Flag every point of a long run of rises, or of falls."""
    # steps[i] compares point i with the one before; a tie is no direction.
    steps = [None] + [_position(later, earlier) for earlier, later in zip(values, values[1:])]
    for side, start, end in _runs(steps):
        # n steps join n + 1 points: the run starts at the point before its first step.
        if end - start + 1 >= run_length:
            yield from ((index, f"{TREND}_{side}") for index in range(start - 1, end))


def _two_of_three(values, limits: Limits) -> Iterator[tuple[int, str]]:
    """Flag points beyond the near-limit band when two of three sit on one side."""
    sides = [_beyond(value, limits.upper_near, limits.lower_near) for value in values]
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        for side in (HIGH, LOW):
            hits = [index for index in window if sides[index] == side]
            if len(hits) >= 2:
                yield from ((index, f"{TWO_OF_THREE}_{side}") for index in hits)


def _runs(keys) -> Iterator[tuple[str, int, int]]:
    """Yield (key, start, end) for each unbroken run of one key; None breaks runs."""
    start = 0
    for key, group in groupby(keys):
        end = start + len(list(group))
        if key is not None:
            yield key, start, end
        start = end


# --- reading the chart ----------------------------------------------------


def _read(points, current: _Segment | None, polarity, target, breaks, format_target) -> SpcResult:
    """Read the variation and assurance of the latest month with data."""
    latest = next((p for p in reversed(points) if p.value is not None), None)
    limits = current.limits if current else None
    variation = point_variation(latest, polarity) if latest else NOT_ENOUGH_DATA
    assured = assurance(limits, polarity, target)
    sentence = _sentence(latest, current, variation)
    if assured:
        sentence += " " + _ASSURANCE_TEXT[assured].format(target=format_target(target))
    base = current.baseline if current and limits else ()
    return SpcResult(
        points, variation, assured, sentence, limits is not None,
        base[0] if base else None, base[-1] if base else None, breaks, polarity, target,
    )


_ASSURANCE_TEXT = {
    PASS: "The target of {target} will be met consistently.",
    FAIL: "The target of {target} will not be met without a change to the process.",
    HIT_AND_MISS: "The target of {target} will be met only by chance.",
}

_HEADINGS = {"improvement": "Special cause improvement", "concern": "Special cause concern",
             "neither": "Special cause variation"}


def _sentence(latest, current, variation) -> str:
    """Say in plain English what the latest month shows."""
    if variation == NOT_ENOUGH_DATA:
        available = len(current.baseline) if current else 0
        return (f"Not enough data: process limits need at least {MIN_BASELINE} months, "
                f"{available} available.")
    if variation == COMMON_CAUSE:
        return f"Common cause variation: no special cause in {latest.month.label}."
    kind = variation.rsplit("_", 1)[0]
    return f"{_HEADINGS[kind]}: {_reason(latest, current)}."


def _reason(latest: SpcPoint, current: _Segment) -> str:
    """Describe the strongest rule behind the latest month's side."""
    side = latest.side
    rule = next(rule for rule in RULES if f"{rule}_{side}" in latest.rules)
    upper_or_lower = "upper" if side == HIGH else "lower"
    if rule == OUTSIDE:
        where = "above" if side == HIGH else "below"
        return f"{latest.month.label} is {where} the {upper_or_lower} process limit"
    if rule == SHIFT:
        months = _trailing_run([_position(v, latest.centre) for v in current.values])
        return f"{months} months {'above' if side == HIGH else 'below'} the average"
    if rule == TREND:
        values = current.values
        months = _trailing_run([_position(b, a) for a, b in zip(values, values[1:])]) + 1
        return f"{months} months {'rising' if side == HIGH else 'falling'} in a row"
    return f"two of the last three months close to the {upper_or_lower} process limit"


def _trailing_run(keys) -> int:
    """Return how many keys at the end equal the last one."""
    last = keys[-1]
    count = 0
    for key in reversed(keys):
        if key != last:
            break
        count += 1
    return count


# --- small helpers ------------------------------------------------------------


def _has_data(value) -> bool:
    """Tell whether a value counts; None and NaN are months without data."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _value(value) -> float | None:
    """Return the value as charted: no data is None, never NaN."""
    return value if _has_data(value) else None


def _position(value, reference) -> str | None:
    """Return 'high' or 'low' for a value against a reference; None when equal."""
    if value > reference:
        return HIGH
    if value < reference:
        return LOW
    return None


def _beyond(value, upper, lower) -> str | None:
    """Return the side a value lies strictly beyond a band on, or None inside it."""
    if value > upper:
        return HIGH
    if value < lower:
        return LOW
    return None


def _good_side(polarity: str) -> str:
    """Return the side improvement lies on for a higher- or lower-is-better measure."""
    return HIGH if polarity == HIGHER else LOW


def _meets(value: float, target: float, polarity: str) -> bool:
    """Tell whether a value meets the target; exactly on it counts as meeting."""
    return value >= target if polarity == HIGHER else value <= target


def _flag_order(flag: str) -> tuple[int, str]:
    """Sort flags in rule order so output is stable."""
    rule, side = flag.rsplit("_", 1)
    return RULES.index(rule), side


def _month_text(month: Month | None) -> str | None:
    """Return a month as 'YYYY-MM', or None."""
    return str(month) if month else None
