"""The tables of a scorecard panel and of an indicator's history (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from indicators.engine import Figure, LineResult
from lib.numbers import format_number


class FigureColumn(tables.Column):
    """A figure formatted as printed: half-up rounding at the line's precision, % for percentages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "num", "scope": "col"}, "td": {"class": "num"}})
        kwargs.setdefault("orderable", False)
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        return format_number(
            value.value if isinstance(value, Figure) else value, record["precision"], unit=record["unit"]
        )


class PanelTable(tables.Table):
    """Baseline, current month and each area for every line of a panel."""

    label = tables.Column(verbose_name="Measure", orderable=False, attrs={"th": {"scope": "col"}})
    baseline = FigureColumn()
    current = FigureColumn()

    class Meta:
        template_name = "scorecard/table.html"

    def __init__(self, lines: tuple[LineResult, ...], *, baseline_label: str, month_label: str, areas=()):
        rows = [_row(line) for line in lines]
        # The board paper heads area columns with their codes; the full name is one hover or screen-reader away.
        extra = [
            (
                area.code,
                FigureColumn(
                    verbose_name=format_html('<abbr title="{}">{}</abbr>', area.name, area.code),
                    accessor=f"areas__{area.code}",
                    default=None,
                ),
            )
            for area in areas
        ]
        super().__init__(rows, extra_columns=extra)
        self.columns["baseline"].column.verbose_name = baseline_label
        self.columns["current"].column.verbose_name = month_label


def _row(line: LineResult) -> dict:
    return {
        "label": line.label,
        "unit": line.unit,
        "precision": line.precision,
        "headline": line.is_headline,
        "baseline": line.baseline,
        "current": line.current,
        "areas": {area.area: area.figure for area in line.breakdown},
    }


class HistoryTable(tables.Table):
    """A chart's data as a table: month, value and target."""

    month = tables.Column(verbose_name="Month", orderable=False, attrs={"th": {"scope": "col"}})
    value = FigureColumn(verbose_name="Value")
    target = FigureColumn(verbose_name="Target")

    class Meta:
        template_name = "scorecard/table.html"

    def __init__(self, history, *, precision: int, unit: str, series: str = "Value"):
        rows = [
            {
                "month": point.month.label,
                "value": point.value,
                "target": point.target,
                "precision": precision,
                "unit": unit,
            }
            for point in history
        ]
        super().__init__(rows)
        self.columns["value"].column.verbose_name = series  # the chart's series, by the chart's name
