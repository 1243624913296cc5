"""The scorecard as data: JSON (the contract shape) and long-form CSV.

Values are unrounded (whole numbers stay whole; other figures are floats);
the page and the board pack round them for display.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from fractions import Fraction

from indicators.engine import Figure, LineResult
from lib.cells import guard_formula
from scorecard.services import Panel, Scorecard


def number(value: Fraction | Decimal | int | None) -> int | float | None:
    """Return a JSON number: whole values as integers, others as floats, None as null."""
    if value is None:
        return None
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, int):
        return value
    return float(value)


def _figure(figure: Figure) -> dict:
    return {
        "value": number(figure.value),
        "numerator": number(figure.numerator),
        "denominator": number(figure.denominator),
    }


def _breakdown(line: LineResult) -> list[dict]:
    return [{"area": area.area, "name": area.name, **_figure(area.figure)} for area in line.breakdown]


def _line(line: LineResult, baseline_label: str) -> dict:
    return {
        "code": line.code,
        "label": line.label,
        "unit": line.unit,
        "precision": line.precision,
        "headline": line.is_headline,
        "current": _figure(line.current),
        "baseline": {"label": baseline_label, **_figure(line.baseline)},
        "breakdown": _breakdown(line),
    }


def panel_dict(panel: Panel) -> dict:
    """Return one indicator in the contract's JSON shape, with its lines, history and SPC added."""
    result, spec = panel.result, panel.spec
    headline = result.headline
    return {
        "code": spec.code,
        "number": spec.number,
        "title": spec.title,
        "short_title": spec.short_title,
        "definition": spec.definition,
        "unit": spec.unit,
        "precision": spec.precision,
        "polarity": spec.polarity,
        "target": number(result.target.value) if result.target else None,
        "target_tolerance": number(result.target.tolerance) if result.target else None,
        "rating": result.rating,
        "trend": result.trend,
        "current": _figure(headline.current),
        "baseline": {"label": result.baseline_label, **_figure(headline.baseline)},
        "breakdown": _breakdown(headline),
        "comparators": [
            {"kind": c.kind, "value": number(c.value), "period": c.period, "source": c.source, "line": c.line or None}
            for c in result.comparators
        ],
        "commentary": result.commentary,
        "lines": [_line(line, result.baseline_label) for line in result.lines],
        "history": [
            {"month": str(point.month), "value": number(point.value.value), "target": number(point.target)}
            for point in panel.history
        ],
        "spc": panel.spc.as_dict() if panel.spc else None,
    }


def scorecard_dict(scorecard: Scorecard) -> dict:
    """Return the whole month in the contract's JSON shape."""
    return {
        "month": str(scorecard.month),
        "status": scorecard.status,
        "version": scorecard.version or None,
        "restatements": [
            {"version": note.version, "on": note.on, "reason": note.reason, "changes": list(note.changes)}
            for note in scorecard.restatements
        ],
        "unapproved": list(scorecard.unapproved),
        "council": scorecard.council,
        "comparator_periods": scorecard.comparator_periods,
        "indicators": [panel_dict(panel) for panel in scorecard.panels],
    }


CSV_HEADER = [
    "month",
    "status",
    "indicator",
    "number",
    "title",
    "line",
    "label",
    "unit",
    "period",
    "area",
    "value",
    "numerator",
    "denominator",
    "target",
    "rating",
    "trend",
    "spc_variation",
    "spc_assurance",
    "spc_centre",
    "spc_lower_limit",
    "spc_upper_limit",
    "spc_rules",
]


_BLANK = [None] * 9  # target, rating, trend and the SPC cells: only the headline's current row has them


def scorecard_rows(scorecard: Scorecard):
    """Yield long-form rows: one per indicator, line and column (baseline, city, each area).

    `period` is "current" or the baseline's label; `area` is CITY or an area code.
    """
    for panel in scorecard.panels:
        result, spec = panel.result, panel.spec
        target = number(result.target.value) if result.target else None
        for line in result.lines:
            common = [
                str(scorecard.month),
                scorecard.status,
                spec.code,
                spec.number,
                spec.title,
                line.code,
                line.label,
                line.unit,
            ]
            judgement = [target, result.rating, result.trend, *_spc_cells(panel)] if line.is_headline else _BLANK
            yield [*common, result.baseline_label, "CITY", *_values(line.baseline), *_BLANK]
            yield [*common, "current", "CITY", *_values(line.current), *judgement]
            for area in line.breakdown:
                yield [*common, "current", area.area, *_values(area.figure), *_BLANK]


def _spc_cells(panel: Panel) -> list:
    """Return the SPC reading of the month's point: variation, assurance, centre, limits and rule flags."""
    if panel.spc is None or not panel.spc.points:
        return [None] * 6
    point = panel.spc.points[-1]
    return [
        panel.spc.variation,
        panel.spc.assurance,
        point.centre,
        point.lower,
        point.upper,
        " ".join(point.rules) or None,
    ]


def _values(figure: Figure) -> list:
    return [number(figure.value), number(figure.numerator), number(figure.denominator)]


def scorecard_csv(scorecard: Scorecard) -> str:
    """Return the long-form CSV, text cells guarded against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in scorecard_rows(scorecard):
        writer.writerow(["" if cell is None else guard_formula(cell) for cell in row])
    return out.getvalue()
