"""The board paper: a month's scorecard as an A4 landscape PDF, drawn on the server by WeasyPrint.

Everything the template shows is prepared here as plain strings; the template
only lays it out. Ratings and trends carry words and shapes as well as colour
so that the paper reads the same printed in black and white.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lib.numbers import format_number
from lib.vocab import Movement, Polarity, Rating, Trend, movement, trend_label
from scorecard.charts import history_chart
from scorecard.services import PUBLISHED, Panel, Scorecard

TEMPLATE = "scorecard/pdf/board_pack.html"
PANELS_PER_SHEET = 2

# Shapes that tell the ratings apart without colour: circle, diamond, square; a ring for no target.
_RATING_SHAPES = {
    Rating.GREEN: '<circle cx="6" cy="6" r="5" fill="#00703c" stroke="#0b0c0c" stroke-width="1"/>',
    Rating.AMBER: '<path d="M6 0.6 L11.4 6 L6 11.4 L0.6 6 Z" fill="#ffbf47" stroke="#0b0c0c" stroke-width="1"/>',
    Rating.RED: '<rect x="1" y="1" width="10" height="10" fill="#d4351c" stroke="#0b0c0c" stroke-width="1"/>',
    Rating.NO_TARGET: '<circle cx="6" cy="6" r="4.5" fill="#ffffff" stroke="#0b0c0c" stroke-width="1.2"/>',
}
# Arrows show which way the figure moved; the word says whether that is better or worse.
_ARROWS = {
    Movement.UP: '<path d="M6 0.5 L11.5 7 L8 7 L8 11.5 L4 11.5 L4 7 L0.5 7 Z" fill="#0b0c0c"/>',
    Movement.DOWN: '<path d="M6 11.5 L11.5 5 L8 5 L8 0.5 L4 0.5 L4 5 L0.5 5 Z" fill="#0b0c0c"/>',
    Movement.LEVEL: '<path d="M11.5 6 L5 0.5 L5 4 L0.5 4 L0.5 8 L5 8 L5 11.5 Z" fill="#0b0c0c"/>',
    Movement.NONE: '<rect x="1" y="5" width="10" height="2" fill="#0b0c0c"/>',
}


def _icon(shape: str) -> SafeString:
    return mark_safe(
        f'<svg class="icon" viewBox="0 0 12 12" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">{shape}</svg>'
    )


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[str, ...]
    is_headline: bool


@dataclass(frozen=True)
class PanelView:
    """One indicator as the paper prints it, every figure already formatted."""

    number: int
    title: str
    definition: str
    polarity: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    baseline_label: str
    baseline: str
    current: str
    target: str
    amber_band: str
    rating: Rating
    rating_label: str
    rating_icon: SafeString
    trend: Trend | None
    trend_label: str
    trend_icon: SafeString
    comparators: tuple[str, ...]
    comparators_short: str
    chart_comparators: bool
    commentary: str
    chart: SafeString
    spc: str
    spc_icons: list[SafeString]
    spc_sentence: str


def render_pdf(scorecard: Scorecard) -> bytes:
    """Return the month's board paper as PDF bytes."""
    # Imported here so that the site starts (and most tests run) without loading Pango.
    from weasyprint import HTML

    html = render_to_string(TEMPLATE, pdf_context(scorecard))
    # PDF/UA: tagged, with its language and title, so that a screen reader can read the paper
    # when it is published on the council's website (and no slower to make).
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def pdf_context(scorecard: Scorecard) -> dict:
    """Return what the board paper template shows."""
    panels = [panel_view(panel, scorecard) for panel in scorecard.panels]
    counts = Counter(p.rating for p in panels)
    baselines = Counter(p.baseline_label for p in panels)
    return {
        "scorecard": scorecard,
        "is_draft": scorecard.status != PUBLISHED,
        "month_label": scorecard.month.long_label,
        "month_short": scorecard.month.label,
        "comparator_note": comparator_note(scorecard.comparator_periods),
        "rating_counts": [
            (rating, rating.label, counts.get(rating, 0), _icon(_RATING_SHAPES[rating])) for rating in Rating
        ],
        "declining": [p for p in panels if p.trend == Trend.DECLINING],
        # The summary names the usual baseline once, in its heading, and only the others by their row.
        "common_baseline": baselines.most_common(1)[0][0] if baselines else "",
        "areas": scorecard.areas,
        "panels": panels,
        "sheets": [panels[i : i + PANELS_PER_SHEET] for i in range(0, len(panels), PANELS_PER_SHEET)],
        "produced": timezone.localtime(),
    }


def comparator_note(periods: list[str]) -> str:
    """Return the board paper's note on which period the comparators describe."""
    if not periods:
        return ""
    note = f"Most national and statistical neighbour (SN) data is from {periods[0]}"
    if len(periods) > 1:
        note += f"; some is from {', '.join(periods[1:])}"
    return note + "."


def panel_view(panel: Panel, scorecard: Scorecard) -> PanelView:
    """Return one panel with its figures formatted as printed."""
    result, spec = panel.result, panel.spec
    has_areas = any(line.breakdown for line in result.lines)
    area_codes = tuple(a.area for a in result.lines[0].breakdown) if has_areas else ()
    rows = tuple(
        Row(
            line.label,
            (
                _fmt(line.baseline.value, line),
                _fmt(line.current.value, line),
                *(_fmt(a.figure.value, line) for a in line.breakdown),
            ),
            line.is_headline,
        )
        for line in result.lines
    )
    headline = result.headline
    return PanelView(
        number=spec.number,
        title=spec.title,
        definition=spec.definition,
        polarity=spec.polarity.label,
        columns=(result.baseline_label, scorecard.month.label, *area_codes),
        rows=rows,
        baseline_label=result.baseline_label,
        baseline=_fmt(headline.baseline.value, headline),
        current=_fmt(headline.current.value, headline),
        target=_fmt(result.target.value, headline) if result.target else "",
        amber_band=_amber_band(panel),
        rating=result.rating,
        rating_label=result.rating.label,
        rating_icon=_icon(_RATING_SHAPES[result.rating]),
        trend=result.trend,
        trend_label=trend_label(result.trend),
        trend_icon=_icon(_ARROWS[movement(result.trend, spec.polarity)]),
        comparators=_comparators(panel),
        comparators_short=_comparators_short(panel),
        # Only the headline's comparators share the chart's scale (see scorecard.charts).
        chart_comparators=any(not c.line for c in result.comparators),
        commentary=result.commentary.strip(),
        chart=mark_safe(history_chart(panel)),
        spc=_spc_label(panel),
        spc_icons=_spc_icons(panel),
        spc_sentence=panel.spc.full_sentence if panel.spc else "",
    )


def _fmt(value, line) -> str:
    return format_number(value, line.precision, unit=line.unit)


def _line_for(panel: Panel, code: str):
    """Return the line a comparator describes: the headline for "", else the line of that code."""
    lines = panel.result.lines
    return next((line for line in lines if line.code == code), None) if code else panel.result.headline


def _comparators(panel: Panel) -> tuple[str, ...]:
    """Return the comparators in words, one text per line and period they describe."""
    groups: dict[tuple[str, str], list[str]] = {}
    for comparator in panel.result.comparators:
        line = _line_for(panel, comparator.line) or panel.result.headline
        prefix = f"{line.label}: " if comparator.line else ""
        groups.setdefault((prefix, comparator.period), []).append(
            f"{comparator.kind.label} {_fmt(comparator.value, line)}"
        )
    return tuple(f"{prefix}{' · '.join(texts)} ({period})" for (prefix, period), texts in groups.items())


def _comparators_short(panel: Panel) -> str:
    """Return the comparators in a few words for the summary, grouped by the line they describe."""
    groups: dict[str, list[str]] = {}
    for comparator in panel.result.comparators:
        line = _line_for(panel, comparator.line) or panel.result.headline
        prefix = f"{line.label}: " if comparator.line else ""
        text = f"{comparator.kind.abbreviation} {_fmt(comparator.value, line)}"
        groups.setdefault(prefix, []).append(text)
    return "; ".join(prefix + " · ".join(texts) for prefix, texts in groups.items())


def _amber_band(panel: Panel) -> str:
    target, spec = panel.result.target, panel.spec
    if target is None or not target.tolerance or spec.polarity == Polarity.NEITHER:
        return ""
    headline = panel.result.headline
    if spec.polarity == Polarity.HIGHER:
        return f"amber down to {_fmt(target.value - target.tolerance, headline)}"
    return f"amber up to {_fmt(target.value + target.tolerance, headline)}"


def _spc_icons(panel: Panel) -> list[SafeString]:
    """Return the SPC variation and assurance icons: a letter in a circle, readable in black and white."""
    if panel.spc is None or not panel.spc.enough_data:
        return []
    variation, assurance = panel.spc.variation, panel.spc.assurance
    icons = [_letter_icon(variation.icon, variation.colour)]
    if assurance:
        icons.append(_letter_icon(assurance.icon, assurance.colour))
    return icons


def _letter_icon(letter: str, colour: str) -> SafeString:
    return _icon(
        f'<circle cx="6" cy="6" r="5.6" fill="{colour}" stroke="#0b0c0c" stroke-width="0.6"/>'
        f'<text x="6" y="8.7" font-size="8" font-weight="bold" text-anchor="middle" fill="#ffffff" '
        f'font-family="sans-serif">{escape(letter)}</text>'
    )


def _spc_label(panel: Panel) -> str:
    if panel.spc is None:
        return ""
    text = panel.spc.variation.label
    if panel.spc.assurance:
        text += "; " + panel.spc.assurance.label
    return text
