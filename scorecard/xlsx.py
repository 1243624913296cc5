"""The board pack as a workbook: a "Scorecard" sheet laid out like the page and a long-form "Data" sheet.

The Scorecard sheet holds each figure rounded as the paper prints it (so that
the sheet, the page and the PDF agree to the digit), as a number with a number
format; percentages are true spreadsheet percentages (0.22 shown as 22%). The
Data sheet holds the CSV export's rows, unrounded, with percentages in points
(22.0) as the CSV has them. Every text cell is guarded against formula
injection.
"""

from __future__ import annotations

import io
import math
from decimal import Decimal
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from indicators.engine import LineResult
from lib.cells import guard_formula
from lib.numbers import round_half_up
from lib.vocab import Rating, trend_label
from scorecard.exports import CSV_HEADER, number, scorecard_rows
from scorecard.pdf import comparator_note
from scorecard.services import PUBLISHED, Panel, Scorecard

# Strong fills with text that stays readable on them; the word is always in the cell too.
RATING_STYLES = {
    Rating.GREEN: ("00703C", "FFFFFF"),
    Rating.AMBER: ("FFBF47", "0B0C0C"),
    Rating.RED: ("D4351C", "FFFFFF"),
    Rating.NO_TARGET: ("FFFFFF", "0B0C0C"),
}
LABEL_WIDTH, FIGURE_WIDTH = 38, 13
GREY = "505A5F"
THIN = Side(style="thin", color="B1B4B6")
THICK = Side(style="medium", color="0B0C0C")
BOX = Side(style="thin", color="0B0C0C")
BOLD = Font(bold=True)


def text(value: str) -> str:
    """Return text safe for a cell: no characters a workbook may not hold, never read as a formula."""
    return guard_formula(ILLEGAL_CHARACTERS_RE.sub("", value))


def number_format(unit: str, precision: int, *, as_fraction: bool) -> str:
    """Return the spreadsheet number format for a unit and the places it is printed to."""
    places = "." + "0" * precision if precision > 0 else ""
    if unit == "percent":
        return f"0{places}%" if as_fraction else f'#,##0{places}"%"'
    return f"#,##0{places}"


def printed_value(value: Fraction | Decimal | None, unit: str, precision: int) -> float | int | None:
    """Return the figure rounded as printed, as a spreadsheet number (percentages as fractions of one)."""
    if value is None:
        return None
    rounded = round_half_up(value, precision)
    if unit == "percent":
        return float(rounded / 100)
    return int(rounded) if precision == 0 else float(rounded)


def render_xlsx(scorecard: Scorecard) -> bytes:
    """Return the month's workbook as XLSX bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Scorecard"
    write_scorecard_sheet(sheet, scorecard)
    write_data_sheet(workbook.create_sheet("Data"), scorecard)
    workbook.properties.title = text(f"Performance scorecard – {scorecard.month.long_label}")
    workbook.properties.creator = text(scorecard.council or "Scorecard")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- Scorecard sheet


def write_scorecard_sheet(sheet: Worksheet, scorecard: Scorecard) -> None:
    """Lay out every indicator as a block: title, judgements, figures, comparators, SPC, commentary."""
    width = 3 + len(scorecard.areas)  # label, baseline, current, one column per area
    sheet.column_dimensions["A"].width = LABEL_WIDTH
    for column in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = FIGURE_WIDTH
    _page_setup(sheet, scorecard)

    sheet.append([text(f"Performance scorecard – {scorecard.month.long_label}")])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=15)
    if scorecard.council:
        sheet.append([text(scorecard.council)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, color=GREY)
    if scorecard.status == PUBLISHED:
        sheet.append([f"Published, version {scorecard.version}" if scorecard.version > 1 else "Published"])
        for note in scorecard.restatements:
            for change in note.changes:
                sheet.append([text(f"Restated on {note.on}: {change} ({note.reason}).")])
    else:
        sheet.append(["PROVISIONAL – not published: the figures may change; do not circulate."])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, color="D4351C")
        if scorecard.unapproved:
            sheet.append([text(f"Not yet approved: {', '.join(scorecard.unapproved)}.")])
    note = comparator_note(scorecard.comparator_periods)
    if note:
        sheet.append([text(note)])
    sheet.append(["Figures are rounded as printed; the Data sheet holds them unrounded."])
    sheet.cell(sheet.max_row, 1).font = Font(italic=True, color=GREY)
    if scorecard.areas:
        key = " · ".join(f"{area.code} {area.name}" for area in scorecard.areas)
        sheet.append([text(f"Areas: {key}.")])
        sheet.cell(sheet.max_row, 1).font = Font(color=GREY)
    for panel in scorecard.panels:
        sheet.append([])
        _write_panel(sheet, scorecard, panel, width)


def _page_setup(sheet: Worksheet, scorecard: Scorecard) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.oddFooter.left.text = text(f"Performance scorecard – {scorecard.month.long_label}").replace("&", "&&")
    sheet.oddFooter.right.text = "Page &P of &N"
    sheet.sheet_view.showGridLines = False


def _write_panel(sheet: Worksheet, scorecard: Scorecard, panel: Panel, width: int) -> None:
    result, spec = panel.result, panel.spec
    headline = result.headline

    sheet.append([text(f"{spec.number}. {spec.title}")])
    title_row = sheet.max_row
    for column in range(1, width + 1):
        sheet.cell(title_row, column).border = Border(top=THICK)
    sheet.cell(title_row, 1).font = Font(bold=True, size=12)

    target = printed_value(result.target.value, headline.unit, headline.precision) if result.target else "No target"
    sheet.append(
        [
            "Target",
            target,
            "Rating",
            text(result.rating.label),
            "Trend",
            text(trend_label(result.trend)),
            text(spec.polarity.label),
        ]
    )
    row = sheet.max_row
    if result.target:
        sheet.cell(row, 2).number_format = number_format(headline.unit, headline.precision, as_fraction=True)
    fill, ink = RATING_STYLES[result.rating]
    rating_cell = sheet.cell(row, 4)
    rating_cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
    rating_cell.font = Font(bold=True, color=ink)
    rating_cell.alignment = Alignment(horizontal="center")
    rating_cell.border = Border(left=BOX, right=BOX, top=BOX, bottom=BOX)
    for column in (1, 3, 5):
        sheet.cell(row, column).font = Font(color=GREY)
    sheet.cell(row, 6).font = BOLD
    sheet.cell(row, 7).font = Font(color=GREY)

    _write_figures(sheet, scorecard, panel, width)

    for comparator in result.comparators:
        line = _line_for(panel, comparator.line)
        kind = comparator.kind.label
        what = f"{kind}, {line.label}" if comparator.line else kind
        sheet.append(
            [text(f"{what} ({comparator.period})"), printed_value(comparator.value, line.unit, line.precision)]
        )
        sheet.cell(sheet.max_row, 2).number_format = number_format(line.unit, line.precision, as_fraction=True)

    if panel.spc:
        reading = panel.spc.variation.label
        if panel.spc.assurance:
            reading += "; " + panel.spc.assurance.label
        sheet.append(["SPC", text(reading)])
        sheet.cell(sheet.max_row, 1).font = Font(color=GREY)
        sheet.append(["", text(panel.spc.full_sentence)])
        _merge_wrapped(sheet, sheet.max_row, 2, width, len(panel.spc.full_sentence))
        sheet.cell(sheet.max_row, 2).font = Font(color=GREY)

    commentary = result.commentary.strip()
    sheet.append(["Commentary", text(commentary) if commentary else "No commentary for this month."])
    _merge_wrapped(sheet, sheet.max_row, 2, width, len(commentary))
    sheet.cell(sheet.max_row, 1).font = Font(color=GREY)


def _write_figures(sheet: Worksheet, scorecard: Scorecard, panel: Panel, width: int) -> None:
    result = panel.result
    areas = result.lines[0].breakdown if result.lines else ()
    header = ["", text(result.baseline_label), text(scorecard.month.label), *(text(a.area) for a in areas)]
    sheet.append(header)
    header_row = sheet.max_row
    for column in range(1, width + 1):
        cell = sheet.cell(header_row, column)
        cell.font = BOLD
        cell.border = Border(bottom=THICK)
        cell.alignment = Alignment(horizontal="left" if column == 1 else "right", vertical="bottom", wrap_text=True)
    for line in result.lines:
        values = [line.baseline.value, line.current.value, *(a.figure.value for a in line.breakdown)]
        sheet.append([text(line.label), *(printed_value(v, line.unit, line.precision) for v in values)])
        row = sheet.max_row
        fmt = number_format(line.unit, line.precision, as_fraction=True)
        for column in range(1, width + 1):
            cell = sheet.cell(row, column)
            cell.border = Border(bottom=THIN)
            if column > 1:
                cell.number_format = fmt
                cell.alignment = Alignment(horizontal="right")
            if line.is_headline:
                cell.font = BOLD
        # The month's own column is shaded, as on the page.
        sheet.cell(row, 3).fill = PatternFill("solid", start_color="F3F2F1", end_color="F3F2F1")


def _merge_wrapped(sheet: Worksheet, row: int, first: int, last: int, length: int) -> None:
    """Merge a long text across columns and give its row the height its wrapped lines need."""
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    sheet.cell(row, first).alignment = Alignment(wrap_text=True, vertical="top")
    chars_per_line = max(1, int((last - first + 1) * FIGURE_WIDTH * 1.1))
    lines = max(1, math.ceil(length / chars_per_line))
    sheet.row_dimensions[row].height = 15 * lines + 3


def _line_for(panel: Panel, code: str) -> LineResult:
    if not code:
        return panel.result.headline
    return next((line for line in panel.result.lines if line.code == code), panel.result.headline)


# ---------------------------------------------------------------- Data sheet


def write_data_sheet(sheet: Worksheet, scorecard: Scorecard) -> None:
    """Write the long-form rows of the CSV export, numbers as numbers and text guarded."""
    sheet.append(CSV_HEADER)
    for cell in sheet[1]:
        cell.font = BOLD
        cell.border = Border(bottom=THICK)
    formats = {
        (panel.spec.code, line.code): (line.unit, line.precision)
        for panel in scorecard.panels
        for line in panel.result.lines
    }
    value_columns = [CSV_HEADER.index(name) + 1 for name in ("value", "target")]
    for row in scorecard_rows(scorecard):
        sheet.append([_data_cell(cell) for cell in row])
        unit, precision = formats.get((row[CSV_HEADER.index("indicator")], row[CSV_HEADER.index("line")]), ("count", 0))
        for column in value_columns:
            # Unrounded in the cell; shown to the printed places, percentages in points as the CSV has them.
            sheet.cell(sheet.max_row, column).number_format = number_format(unit, precision, as_fraction=False)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    widths = {"title": 44, "label": 30, "period": 24}
    for index, name in enumerate(CSV_HEADER, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 13)


def _data_cell(value):
    if value is None:
        return None
    if isinstance(value, str):
        return text(value)
    return number(value)
