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
from scorecard.charts import history_chart
from scorecard.labels import (
    ASSURANCE_ICONS,
    ASSURANCE_LABELS,
    COMPARATOR_ABBREVIATIONS,
    COMPARATOR_LABELS,
    POLARITY_LABELS,
    RATING_LABELS,
    SPC_COLOURS,
    TREND_LABELS,
    VARIATION_ICONS,
    VARIATION_LABELS,
    movement,
)
from scorecard.services import PUBLISHED, Panel, Scorecard

TEMPLATE = "scorecard/pdf/board_pack.html"
PANELS_PER_SHEET = 2

# Shapes that tell the ratings apart without colour: circle, diamond, square; a ring for no target.
_RATING_SHAPES = {
    "green": '<circle cx="6" cy="6" r="5" fill="#00703c" stroke="#0b0c0c" stroke-width="1"/>',
    "amber": '<path d="M6 0.6 L11.4 6 L6 11.4 L0.6 6 Z" fill="#ffbf47" stroke="#0b0c0c" stroke-width="1"/>',
    "red": '<rect x="1" y="1" width="10" height="10" fill="#d4351c" stroke="#0b0c0c" stroke-width="1"/>',
    "none": '<circle cx="6" cy="6" r="4.5" fill="#ffffff" stroke="#0b0c0c" stroke-width="1.2"/>',
}
# Arrows show which way the figure moved; the word says whether that is better or worse.
_ARROWS = {
    "up": '<path d="M6 0.5 L11.5 7 L8 7 L8 11.5 L4 11.5 L4 7 L0.5 7 Z" fill="#0b0c0c"/>',
    "down": '<path d="M6 11.5 L11.5 5 L8 5 L8 0.5 L4 0.5 L4 5 L0.5 5 Z" fill="#0b0c0c"/>',
    "level": '<path d="M11.5 6 L5 0.5 L5 4 L0.5 4 L0.5 8 L5 8 L5 11.5 Z" fill="#0b0c0c"/>',
    "none": '<rect x="1" y="5" width="10" height="2" fill="#0b0c0c"/>',
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
    rating: str
    rating_label: str
    rating_icon: SafeString
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
            (key, label, counts.get(key, 0), _icon(_RATING_SHAPES[key])) for key, label in RATING_LABELS.items()
        ],
        "declining": [p for p in panels if p.trend_label == "Declining"],
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
        polarity=POLARITY_LABELS.get(spec.polarity, ""),
        columns=(result.baseline_label, scorecard.month.label, *area_codes),
        rows=rows,
        baseline_label=result.baseline_label,
        baseline=_fmt(headline.baseline.value, headline),
        current=_fmt(headline.current.value, headline),
        target=_fmt(result.target.value, headline) if result.target else "",
        amber_band=_amber_band(panel),
        rating=result.rating,
        rating_label=RATING_LABELS[result.rating],
        rating_icon=_icon(_RATING_SHAPES[result.rating]),
        trend_label=TREND_LABELS.get(result.trend, "No trend"),
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
        kind = COMPARATOR_LABELS.get(comparator.kind, comparator.kind)
        groups.setdefault((prefix, comparator.period), []).append(f"{kind} {_fmt(comparator.value, line)}")
    return tuple(f"{prefix}{' · '.join(texts)} ({period})" for (prefix, period), texts in groups.items())


def _comparators_short(panel: Panel) -> str:
    """Return the comparators in a few words for the summary, grouped by the line they describe."""
    groups: dict[str, list[str]] = {}
    for comparator in panel.result.comparators:
        line = _line_for(panel, comparator.line) or panel.result.headline
        prefix = f"{line.label}: " if comparator.line else ""
        text = f"{COMPARATOR_ABBREVIATIONS.get(comparator.kind, comparator.kind)} {_fmt(comparator.value, line)}"
        groups.setdefault(prefix, []).append(text)
    return "; ".join(prefix + " · ".join(texts) for prefix, texts in groups.items())


def _amber_band(panel: Panel) -> str:
    target, spec = panel.result.target, panel.spec
    if target is None or not target.tolerance or spec.polarity not in ("higher", "lower"):
        return ""
    headline = panel.result.headline
    if spec.polarity == "higher":
        return f"amber down to {_fmt(target.value - target.tolerance, headline)}"
    return f"amber up to {_fmt(target.value + target.tolerance, headline)}"


def _spc_icons(panel: Panel) -> list[SafeString]:
    """Return the SPC variation and assurance icons: a letter in a circle, readable in black and white."""
    if panel.spc is None or not panel.spc.enough_data:
        return []
    variation = panel.spc.variation
    kind = variation if variation == "common_cause" else variation.rsplit("_", 1)[0]  # improvement_high -> improvement
    icons = [_letter_icon(VARIATION_ICONS[variation], SPC_COLOURS[kind])]
    if panel.spc.assurance:
        icons.append(_letter_icon(ASSURANCE_ICONS[panel.spc.assurance], SPC_COLOURS[panel.spc.assurance]))
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
    text = VARIATION_LABELS.get(panel.spc.variation, panel.spc.variation.replace("_", " ").capitalize())
    if panel.spc.assurance:
        text += "; " + ASSURANCE_LABELS.get(panel.spc.assurance, panel.spc.assurance)
    return text
