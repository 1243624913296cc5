"""Board-pack charts as SVG markup, drawn in Python so that the PDF needs no browser.

A chart reads in black and white: the figure is a solid line with round
markers, the target a dashed step line, the comparators dotted and dash-dot
lines, and each line is named in words at its right-hand end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from indicators.engine import IndicatorSpec
from lib.numbers import format_number
from scorecard.services import Panel

WIDTH, HEIGHT = 560, 250
LEFT, RIGHT, TOP, BOTTOM = 46, 112, 14, 26  # room for the axis labels and the right-hand line names
FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"
INK, GRID, FIGURE = "#0b0c0c", "#d8d8d8", "#1d70b8"
LABEL_GAP = 11  # the least vertical distance between two line names, in SVG units

# Dash patterns tell the reference lines apart without colour.
STYLES = {
    "target": {"stroke": INK, "stroke-width": "1.6", "stroke-dasharray": "7 4"},
    # The current SPC segment's average and process limits: grey, thin, so the figure stays the loudest line.
    "centre": {"stroke": "#505a5f", "stroke-width": "1"},
    "limit": {"stroke": "#505a5f", "stroke-width": "1", "stroke-dasharray": "3 2"},
    "national": {"stroke": "#505a5f", "stroke-width": "1.3", "stroke-dasharray": "1.5 3", "stroke-linecap": "round"},
    "statistical_neighbours": {"stroke": "#505a5f", "stroke-width": "1.3", "stroke-dasharray": "8 3 1.5 3"},
}
COMPARATOR_NAMES = {"national": "National", "statistical_neighbours": "Stat. neighbours"}


@dataclass(frozen=True)
class _Reference:
    kind: str
    name: str
    values: tuple[float | None, ...]  # one per month; a comparator is the same every month


def series_title(spec: IndicatorSpec) -> str:
    """Return the name of the series a panel charts: the short title, unless a supporting row already uses it.

    Panel 14's short title is "% agency social workers", the name of its
    first supporting row, while its headline (charted) is the qualified total
    of social workers and team managers: one series gets one name, the
    headline row's.
    """
    if any(line.label == spec.short_title for line in spec.lines if not line.is_headline):
        return spec.headline.label
    return spec.short_title


def segment_lines(panel: Panel) -> dict[str, list[float | None]]:
    """Return the current SPC segment's average and process limits for each chart month (None outside it)."""
    result = panel.spc
    lines: dict[str, list[float | None]] = {"centre": [], "upper": [], "lower": []}
    for point in panel.chart_history:
        inside = (
            result is not None
            and result.limits is not None
            and result.segment_first is not None
            and point.month >= result.segment_first
        )
        for key in lines:
            lines[key].append(getattr(result.limits, key) if inside and result is not None else None)
    return lines


def chart_axis(panel: Panel) -> tuple[float, float, float] | None:
    """Return the y axis (low, high, step) of the panel's chart, web and PDF alike; None with nothing to chart."""
    values = [float(p.value.value) for p in panel.chart_history if p.value.value is not None]
    if not values:
        return None
    references = [v for ref in _references(panel, len(panel.chart_history)) for v in ref.values if v is not None]
    return _axis(values + references, unit=panel.spec.unit)


def history_chart(panel: Panel) -> str:
    """Return an SVG chart of the panel's headline over its chart months, with target, comparators and limits."""
    spec = panel.spec
    points = panel.chart_history
    values = [None if p.value.value is None else float(p.value.value) for p in points]
    references = _references(panel, len(points))
    fmt = _formatter(spec.unit, spec.precision)
    description = _description(panel, values, fmt)
    axis = chart_axis(panel)
    if axis is None:
        return _frame(description, [_text(WIDTH / 2, HEIGHT / 2, "No figures for these months", anchor="middle")])

    low, high, step = axis
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if len(points) == 1 else i * plot_w / (len(points) - 1))

    def y(v: float) -> float:
        return TOP + plot_h * (high - v) / (high - low)

    tick_places = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    parts = _grid(low, high, step, y, _formatter(spec.unit, max(tick_places, 0)))
    parts += _month_labels(points, x)
    labels = []
    for ref in references:
        parts.append(_step_path(ref.values, x, y, len(points), STYLES[ref.kind]))
        last = next((v for v in reversed(ref.values) if v is not None), None)
        if last is not None and TOP - 0.5 <= y(last) <= HEIGHT - BOTTOM + 0.5:
            labels.append((y(last), f"{ref.name} {fmt(last)}" if ref.kind != "limit" else ref.name))
    parts += _figure_line(values, x, y)
    last_index, latest = max((i, v) for i, v in enumerate(values) if v is not None)
    label_y = _latest_label_y(y(latest), [ypos for ypos, _ in labels])
    parts.append(_text(x(last_index) - 6, label_y, fmt(latest), anchor="end", weight="bold", size=10))
    parts += _right_labels(labels)
    return _frame(description, parts)


def _references(panel: Panel, count: int) -> list[_Reference]:
    refs = []
    lines = segment_lines(panel)
    if any(v is not None for v in lines["centre"]):
        refs.append(_Reference("centre", "Average", tuple(lines["centre"])))
        refs.append(_Reference("limit", "Upper limit", tuple(lines["upper"])))
        refs.append(_Reference("limit", "Lower limit", tuple(lines["lower"])))
    targets = tuple(None if p.target is None else float(p.target) for p in panel.chart_history)
    if any(t is not None for t in targets):
        refs.append(_Reference("target", "Target", targets))
    for comparator in panel.result.comparators:
        # Comparators for a supporting line (such as a rate) are not on the headline's scale.
        if not comparator.line and comparator.kind in STYLES:
            refs.append(
                _Reference(comparator.kind, COMPARATOR_NAMES[comparator.kind], (float(comparator.value),) * count)
            )
    return refs


def _formatter(unit: str, places: int):
    return lambda value: format_number(value, places, unit=unit)


def _description(panel: Panel, values: list[float | None], fmt) -> str:
    points = panel.chart_history
    text = f"{panel.spec.number}. {series_title(panel.spec)}"
    if points:
        text += f", {points[0].month.label} to {points[-1].month.label}"
        shown = [(p.month.label, v) for p, v in zip(points, values, strict=True) if v is not None]
        if shown:
            text += ": " + "; ".join(f"{label} {fmt(v)}" for label, v in shown)
    result = panel.spc
    if result is not None and result.limits is not None:
        text += (
            f". Usual range {result.period}: average {fmt(result.limits.centre)}, "
            f"process limits {fmt(result.limits.lower)} to {fmt(result.limits.upper)}"
        )
    return text + "."


def _axis(values: list[float], *, unit: str) -> tuple[float, float, float]:
    """Return a low and high end and a tick step of round numbers that hold every value.

    Every unit here is a count, a percentage, days or a ratio, never negative:
    a process limit below zero (or above 100%) is cut off at the axis, not the axis stretched to it.
    """
    values = [max(v, 0.0) for v in values]
    if unit == "percent":
        values = [min(v, 100.0) for v in values]
    low, high = min(values), max(values)
    if high == low:
        pad = abs(high) * 0.1 or 1
        low, high = low - pad, high + pad
    step = _nice_step((high - low) / 4)
    axis_low = math.floor(low / step) * step
    axis_high = math.ceil(high / step) * step
    # Counts, days and percentages are never negative: keep the axis off the negatives.
    if min(values) >= 0:
        axis_low = max(axis_low, 0)
    if unit == "percent" and max(values) <= 100 and axis_high > 100:
        axis_high = 100
    if axis_high == axis_low:
        axis_high = axis_low + step
    return axis_low, axis_high, step


def _nice_step(rough: float) -> float:
    magnitude = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= rough:
            return factor * magnitude
    return 10 * magnitude


def _grid(low, high, step, y, fmt) -> list[str]:
    parts = []
    count = round((high - low) / step)
    for n in range(count + 1):
        value = low + n * step
        ypos = y(value)
        colour = "#505a5f" if n == 0 else GRID
        parts.append(
            f'<line x1="{LEFT}" y1="{ypos:.1f}" x2="{WIDTH - RIGHT}" y2="{ypos:.1f}" '
            f'stroke="{colour}" stroke-width="{0.8 if n == 0 else 0.6}"/>'
        )
        parts.append(_text(LEFT - 5, ypos + 3.2, fmt(value), anchor="end", size=9, fill="#505a5f"))
    return parts


def _month_labels(points, x) -> list[str]:
    # Every other month, counted back from the latest, keeps the labels apart.
    last = len(points) - 1
    return [
        _text(x(i), HEIGHT - BOTTOM + 14, p.month.label, anchor="middle", size=9, fill="#505a5f")
        for i, p in enumerate(points)
        if (last - i) % 2 == 0
    ]


def _step_path(values, x, y, count: int, style: dict) -> str:
    half = (x(1) - x(0)) / 2 if count > 1 else (WIDTH - LEFT - RIGHT) / 2
    commands, previous = [], None
    for i, value in enumerate(values):
        # A limit beyond the axis (below zero, say) is not drawn: the axis never stretches to impossible values.
        if value is None or not TOP - 0.5 <= y(value) <= HEIGHT - BOTTOM + 0.5:
            previous = None
            continue
        start, end = max(LEFT, x(i) - half), min(WIDTH - RIGHT, x(i) + half)
        commands.append(f"{'L' if previous is not None else 'M'}{start:.1f},{y(value):.1f}")
        commands.append(f"L{end:.1f},{y(value):.1f}")
        previous = value
    attributes = " ".join(f"{name}={quoteattr(val)}" for name, val in style.items())
    return f'<path d="{" ".join(commands)}" fill="none" {attributes}/>'


def _figure_line(values, x, y) -> list[str]:
    parts: list[str] = []
    run: list[str] = []
    for i, value in enumerate([*values, None]):
        if value is None:
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{FIGURE}" '
                    f'stroke-width="2.2" stroke-linejoin="round"/>'
                )
            run = []
        else:
            run.append(f"{x(i):.1f},{y(value):.1f}")
    last = max(i for i, v in enumerate(values) if v is not None)
    for i, value in enumerate(values):
        if value is not None:
            fill = FIGURE if i == last else "#ffffff"
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="{3.4 if i == last else 2.6}" '
                f'fill="{fill}" stroke="{FIGURE}" stroke-width="1.4"/>'
            )
    return parts


def _latest_label_y(point_y: float, reference_ys: list[float]) -> float:
    """Return where the latest figure's label goes: above its point, or below when a line runs there."""
    above, below = point_y - 6, point_y + 14
    if above - 9 < TOP:
        return below
    crowded = any(above - 10 <= ry <= above + 3 for ry in reference_ys)
    return below if crowded and below < HEIGHT - BOTTOM - 2 else above


def _right_labels(labels: list[tuple[float, str]]) -> list[str]:
    """Name each reference line at the right, nudged apart where two lines nearly meet."""
    placed: list[float] = []
    parts = []
    for ypos, text in sorted(labels):
        ypos = max(ypos, TOP + 4)
        if placed and ypos - placed[-1] < LABEL_GAP:
            ypos = placed[-1] + LABEL_GAP
        placed.append(ypos)
        parts.append(_text(WIDTH - RIGHT + 6, ypos + 3.2, text, size=9, fill=INK))
    return parts


def _text(xpos, ypos, text, *, anchor="start", size=9, weight="normal", fill=INK) -> str:
    return (
        f'<text x="{xpos:.1f}" y="{ypos:.1f}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
    )


def _frame(description: str, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label={quoteattr(description)} font-family={quoteattr(FONT)} class="chart">'
        f"<title>{escape(description)}</title>{''.join(parts)}</svg>"
    )
