"""The board pack: the PDF paper, the XLSX workbook, export_scorecard and the download views.

The demo is loaded once for the module and rolled back at its end; each test
runs inside it in its own savepoint. PDFs take seconds to make, so the two the
module reads (published and draft December 2017) are made once.
"""

import io
import re
from dataclasses import replace

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.http import Http404
from django.test import RequestFactory
from openpyxl import load_workbook
from pypdf import PdfReader

from indicators.models import Commentary
from lib.months import Month
from lib.numbers import format_number
from lib.vocab import Trend
from returns.models import ReportingMonth
from scorecard import board_pack, roles
from scorecard.charts import history_chart
from scorecard.downloads import scorecard_download
from scorecard.pdf import render_pdf
from scorecard.services import DRAFT, PUBLISHED, build_scorecard
from scorecard.xlsx import render_xlsx
from tests.conftest import demo_for_the_module, make_user

pytestmark = pytest.mark.django_db

DECEMBER = Month(2017, 12)
A4_LANDSCAPE = (841.89, 595.28)  # points
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_for_the_module(django_db_blocker):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache(demo):
    # Files and scorecards are cached by a stamp of the data; another module's rolled-back demo may share it.
    cache.clear()


# The demo brings its own role users (DESIGN.md's names); these stand in for conftest's of the same names.
@pytest.fixture
def leader(demo):
    return User.objects.get(username="leader")


@pytest.fixture
def performance(demo):
    return User.objects.get(username="performance")


@pytest.fixture
def entry_user(demo):
    return User.objects.get(username="entry.east")


@pytest.fixture(scope="module")
def december(demo):
    return build_scorecard(DECEMBER, PUBLISHED)


@pytest.fixture(scope="module")
def paper(december):
    """The published December 2017 PDF, read back: its pages and the text of each."""
    reader = PdfReader(io.BytesIO(render_pdf(december)))
    return reader, [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def draft_paper(demo):
    reader = PdfReader(io.BytesIO(render_pdf(build_scorecard(DECEMBER, DRAFT))))
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def workbook(december):
    return load_workbook(io.BytesIO(render_xlsx(december)))


# ---------------------------------------------------------------- PDF


def words(text: str) -> str:
    """Return text with the PDF's line breaks undone (a line may break after a hyphen)."""
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", text)).strip()


def test_every_page_of_the_paper_is_a4_landscape(paper):
    reader, _ = paper
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4_LANDSCAPE, abs=0.5)


def test_the_paper_prints_the_seed_s_figures(paper):
    text = "\n".join(paper[1])
    # Typed from the seed: baselines, current figures, breakdowns, rates, a fixed baseline month.
    for printed in [
        "1,596",
        "6,671",
        "7,546",
        "7,362",
        "1,990",
        "2,090",
        "82%",
        "87%",
        "94%",
        "1,758",
        "1,735",
        "Mar-16",
        "Mar-17",
        "Prev. 6 months cumulative",
        "232",
        "607",
        "0.0%",
    ]:
        assert printed in text, printed


PAGE_FOOTER = re.compile(r"Performance scorecard – December 2017\s*Page \d+ of \d+")


def in_order(wanted: str, text: str) -> bool:
    """Return True if every word of `wanted` appears in `text` in order.

    Words, not lines: where a font breaks lines cannot matter, nor can the chart's labels that a narrower
    font's layout lets the PDF's text order interleave with a paragraph beside it.
    """
    remaining = iter(words(text).split())
    return all(word in remaining for word in words(wanted).split())


def test_the_paper_has_a_summary_page_then_every_panel_with_its_commentary(paper, december):
    summary, *sheets = paper[1]
    for wanted in (
        "Performance scorecard – December 2017",
        "Demo City Council",
        "Most national and statistical neighbour (SN) data is from 2015-16.",
    ):
        assert in_order(wanted, summary), wanted
    # The panels in order, each with its commentary, read across pages without their running footers.
    body = words(" ".join(PAGE_FOOTER.sub(" ", sheet) for sheet in sheets))
    titles = [words(f"{panel.spec.number} {panel.spec.title}") for panel in december.panels]
    starts = [body.index(titles[0])]
    for title in titles[1:]:
        starts.append(body.index(title, starts[-1]))
    for panel, start in zip(december.panels, starts, strict=True):
        # From its title on: a paragraph split by a page break may continue after the next panel's start.
        assert in_order(panel.result.commentary, body[start:]), panel.spec.code
        # The chart's last month and its target line are drawn as text the reader can find.
        if panel.result.target:
            target = format_number(panel.result.target.value, panel.spec.precision, unit=panel.spec.unit)
            assert in_order(f"Target {target}", body[start:]), panel.spec.code


def test_ratings_and_trends_are_printed_as_words(paper):
    summary = paper[1][0]
    # Colour is never alone: the counts and each row carry the rating's word, each trend its word.
    assert "6 Green 5 Amber 1 Red 2 No target" in summary
    for word in ["Green", "Amber", "Red", "No target", "Improving", "Declining", "Stable"]:
        assert word in summary, word


def test_each_panel_prints_its_target_comparators_and_spc_reading(paper):
    body = words(" ".join(paper[1][1:]))
    assert "Target 24% (amber up to 27%)" in body
    assert "Comparators: National 22% · Statistical neighbours 22% (2015-16)" in body
    assert "Rate per 10K (UASC included): National 62 · Statistical neighbours 74 (2015-16)" in body
    assert "SPC: Special cause concern (high); Consistently fails the target." in body  # children in care
    assert "compared with its usual range since Mar-16: Dec-17 is above the upper process limit." in body


def test_the_paper_is_tagged_for_screen_readers_with_its_language_and_title(paper):
    reader, _ = paper
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == "Performance scorecard – December 2017 – Demo City Council"


def test_the_summary_lists_the_indicators_declining_against_their_baseline(paper, december):
    declining = [p.spec.number for p in december.panels if p.result.trend == Trend.DECLINING]
    assert declining
    assert "Declining against the baseline: " + ", ".join(map(str, declining)) in words(paper[1][0])


def test_the_page_the_paper_and_the_workbook_say_a_reading_in_the_same_words(leader, december, paper, workbook):
    from django.test import Client

    panel = next(p for p in december.panels if p.spc and p.spc.assurance and p.result.trend)
    client = Client()
    client.force_login(leader)
    page = client.get(f"/indicators/{panel.spec.code}/?month=2017-12").content.decode()
    said = [
        panel.spec.polarity.label,
        panel.result.rating.label,
        panel.result.trend.label,
        panel.spc.variation.label,
        panel.spc.assurance.label,
    ]
    assert said[0] in {"Higher is better", "Lower is better", "Context measure"}
    body = words(" ".join(paper[1][1:]))
    block = panel_rows(workbook["Scorecard"], f"{panel.spec.number}. {panel.spec.title}")
    sheet = " ".join(str(cell.value) for row in block.values() for cell in row if cell.value is not None)
    for text in said:
        assert text in page and text in body and text in sheet, text


def test_a_draft_says_so_on_every_page_and_a_published_paper_does_not(paper, draft_paper):
    for text in draft_paper:
        assert "DRAFT – NOT PUBLISHED – DO NOT CIRCULATE" in text
    assert "DRAFT" not in "\n".join(paper[1])


# ---------------------------------------------------------------- charts


def test_a_chart_draws_thirteen_months_with_the_target_and_comparators_named(december):
    panel = next(p for p in december.panels if p.spec.code == "re_referrals")
    svg = history_chart(panel)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<circle") == 13
    assert ">Dec-16<" in svg and ">Dec-17<" in svg
    assert ">Target 24%<" in svg and ">National 22%<" in svg and ">Stat. neighbours 22%<" in svg
    # Told apart without colour: the target dashed, the comparators dotted and dash-dotted.
    assert 'stroke-dasharray="7 4"' in svg and 'stroke-dasharray="1.5 3"' in svg
    assert 'aria-label="2. % re-referrals, Dec-16 to Dec-17: ' in svg


def test_a_chart_escapes_text_it_is_given(december):
    panel = december.panels[0]
    spec = replace(panel.spec, short_title='<script>alert("x")</script>')
    svg = history_chart(replace(panel, result=replace(panel.result, spec=spec)))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


# ---------------------------------------------------------------- XLSX


def shown(cell) -> str:
    """Return a number cell as a spreadsheet shows it, for the formats the workbook uses."""
    fmt = cell.number_format
    places = len(fmt.split(".")[1].rstrip('%"')) if "." in fmt else 0
    if fmt.endswith("%") and not fmt.endswith('"%"'):
        return f"{cell.value * 100:,.{places}f}%"
    return f"{cell.value:,.{places}f}"


def panel_rows(sheet, title: str) -> dict:
    """Return the rows of one indicator's block on the Scorecard sheet, keyed by their first cell."""
    rows = list(sheet.iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == title)
    block = {}
    for row in rows[start + 1 :]:
        if row[0].value is None and all(c.value is None for c in row):
            break
        block.setdefault(row[0].value, row)
    return block


def test_the_scorecard_sheet_holds_every_figure_of_every_line_as_printed(workbook, december):
    sheet = workbook["Scorecard"]
    checked = 0
    for panel in december.panels:
        block = panel_rows(sheet, f"{panel.spec.number}. {panel.spec.title}")
        header = [c.value for c in block[None]][1:]
        assert header[:2] == [panel.result.baseline_label, "Dec-17"]
        for line in panel.result.lines:
            cells = block[line.label][1:]
            figures = [line.baseline, line.current, *(a.figure for a in line.breakdown)]
            for cell, figure in zip(cells[: len(figures)], figures, strict=True):
                expected = format_number(figure.value, line.precision, unit=line.unit)
                if figure.value is None:
                    assert cell.value is None
                else:
                    assert isinstance(cell.value, (int, float))
                    assert shown(cell) == expected, (panel.spec.code, line.label)
                checked += 1
    assert checked > 150


def test_the_scorecard_sheet_reads_as_the_seed_prints_it(workbook):
    sheet = workbook["Scorecard"]
    re_referrals = panel_rows(sheet, "2. % Re-referrals (monthly)")
    assert [shown(c) for c in re_referrals["No. re-referrals"][1:3]] == ["1,596", "268"]
    assert [shown(c) for c in re_referrals["Re-referrals %"][1:3]] == ["24%", "22%"]
    assert re_referrals["Re-referrals %"][2].value == pytest.approx(0.22)  # a true percentage
    assert shown(re_referrals["National (2015-16)"][1]) == "22%"
    supervision = panel_rows(sheet, "12. % of social workers who have had supervision (in month)")
    assert [shown(c) for c in supervision["% supervised"][1:8]] == ["89%", "82%", "77%", "89%", "85%", "58%", "80%"]


def test_ratings_are_a_fill_and_a_word(workbook, december):
    sheet = workbook["Scorecard"]
    fills = {}
    for panel in december.panels:
        block = panel_rows(sheet, f"{panel.spec.number}. {panel.spec.title}")
        rating = block["Target"][3]
        expected = {"green": "Green", "amber": "Amber", "red": "Red", "none": "No target"}[panel.result.rating]
        assert rating.value == expected
        assert block["Target"][5].value in {"Improving", "Declining", "Stable", "Up", "Down", "No trend"}
        fills[expected] = rating.fill.fgColor.rgb
    assert fills["Green"].endswith("00703C") and fills["Amber"].endswith("FFBF47") and fills["Red"].endswith("D4351C")


# The long form's columns as the README and the CSV download publish them (typed, not imported).
LONG_FORM_HEADER = [
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


def test_the_data_sheet_is_the_long_form_export(workbook, december):
    sheet = workbook["Data"]
    rows = [dict(zip(LONG_FORM_HEADER, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [cell.value for cell in sheet[1]] == LONG_FORM_HEADER
    # One row per indicator, line and column: the baseline and the city, then the current figure of each area.
    expected_rows = sum(len(line.breakdown) + 2 for panel in december.panels for line in panel.result.lines)
    assert len(rows) == expected_rows
    assert len({(r["indicator"], r["line"], r["period"], r["area"]) for r in rows}) == expected_rows
    assert {r["month"] for r in rows} == {"2017-12"} and {r["status"] for r in rows} == {"published"}
    # Typed from the seed (shared/seed, panel 12): supervisions, staff and % supervised, city and areas.
    areas = ["EAST", "NWC", "SOUTH", "DCSC", "CITYWIDE"]
    supervision = {
        (r["label"], r["period"] != "current", r["area"]): r for r in rows if r["indicator"] == "supervision"
    }
    for label, baseline, current, by_area in [
        ("Supervisions", 457, 419, [98, 156, 131, 18, 16]),
        ("Total staff", 512, 510, [128, 176, 155, 31, 20]),
    ]:
        assert supervision[(label, True, "CITY")]["value"] == baseline
        assert supervision[(label, False, "CITY")]["value"] == current
        assert [supervision[(label, False, area)]["value"] for area in areas] == by_area
    headline = supervision[("% supervised", False, "CITY")]
    assert (headline["numerator"], headline["denominator"]) == (419, 510)
    assert round(headline["value"]) == 82 and headline["unit"] == "percent"
    assert [round(supervision[("% supervised", False, area)]["value"]) for area in areas] == [77, 89, 85, 58, 80]
    assert headline["rating"] == "amber" and headline["target"] == 83  # the seed: target 83%
    # Only the headline's current row carries the judgements.
    assert all(r["rating"] is None for r in rows if r["period"] != "current" or r["area"] != "CITY")
    value = LONG_FORM_HEADER.index("value")
    percent_row = next(r for r in sheet.iter_rows(min_row=2) if r[LONG_FORM_HEADER.index("unit")].value == "percent")
    assert percent_row[value].number_format.endswith('"%"')


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_escaped(demo):
    hostile = {
        "unallocated_cases": '=HYPERLINK("http://example.invalid/","Click")',
        "re_referrals": "+1 more than last month",
        "assessments_in_timescale": "-2 on November",
        "children_seen_at_assessment": "@x",
    }
    for code, text in hostile.items():
        Commentary.objects.filter(indicator__code=code, month=DECEMBER.first_day).update(text=text)
    scorecard = replace(build_scorecard(DECEMBER, PUBLISHED), council="\t=1+1")
    book = load_workbook(io.BytesIO(render_xlsx(scorecard)))
    texts = [row[1].value for row in book["Scorecard"].iter_rows() if row[0].value == "Commentary"]
    for text in hostile.values():
        assert "'" + text in texts
    assert book["Scorecard"]["A2"].value == "'\t=1+1"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.coordinate


def test_characters_a_workbook_cannot_hold_are_dropped_not_an_error(demo):
    Commentary.objects.filter(indicator__code="supervision", month=DECEMBER.first_day).update(text="Fine\x07\x1b text")
    book = load_workbook(io.BytesIO(render_xlsx(build_scorecard(DECEMBER, PUBLISHED))))
    assert "Fine text" in [row[1].value for row in book["Scorecard"].iter_rows() if row[0].value == "Commentary"]


# ---------------------------------------------------------------- export_scorecard


def test_the_command_writes_a_pdf_and_an_xlsx(tmp_path):
    call_command(
        "export_scorecard", "2017-12", "--format", "pdf", "-o", str(tmp_path / "board.pdf"), stderr=io.StringIO()
    )
    call_command(
        "export_scorecard", "2017-12", "--format", "xlsx", "-o", str(tmp_path / "board.xlsx"), stderr=io.StringIO()
    )
    reader = PdfReader(tmp_path / "board.pdf")
    assert "Performance scorecard – December 2017" in reader.pages[0].extract_text()
    assert load_workbook(tmp_path / "board.xlsx").sheetnames == ["Scorecard", "Data"]


def test_the_command_refuses_to_print_a_binary_file_as_text():
    out = io.StringIO()
    with pytest.raises(CommandError, match="XLSX is a binary file: give -o FILE"):
        call_command("export_scorecard", "2017-12", "--format", "xlsx", stdout=out)
    assert out.getvalue() == ""


# ---------------------------------------------------------------- downloads


def download(user, month: str, fmt: str):
    request = RequestFactory().get(f"/scorecard/{month}.{fmt}")
    request.user = user
    return scorecard_download(request, Month.parse(month), fmt)


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("csv", "text/csv; charset=utf-8", b"month,status,indicator"),
        ("xlsx", XLSX, b"PK"),
        ("pdf", "application/pdf", b"%PDF-"),
    ],
)
def test_a_leader_downloads_a_published_month(leader, fmt, content_type, magic):
    response = download(leader, "2017-12", fmt)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="scorecard-2017-12.{fmt}"'
    assert response.content.startswith(magic)


def test_a_published_file_is_made_once_and_then_served_from_the_cache(leader, monkeypatch):
    made = []
    xlsx = board_pack.FILE_FORMATS["xlsx"]
    monkeypatch.setitem(
        board_pack.FILE_FORMATS,
        "xlsx",
        replace(xlsx, render=lambda scorecard: made.append(1) or xlsx.render(scorecard)),
    )
    first = download(leader, "2017-12", "xlsx").content
    assert download(leader, "2017-12", "xlsx").content == first
    assert len(made) == 1


def test_data_entry_users_download_published_months_too(entry_user):
    assert download(entry_user, "2017-12", "csv").status_code == 200


@pytest.fixture
def december_unpublished():
    ReportingMonth.objects.filter(month=DECEMBER.first_day).update(published_at=None, published_by=None)


def test_only_the_performance_team_downloads_a_provisional_month_and_its_name_says_so(
    december_unpublished, performance, leader, entry_user
):
    response = download(performance, "2017-12", "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="scorecard-2017-12-provisional.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book["Scorecard"]["A3"].value.startswith("PROVISIONAL")
    for user in (leader, entry_user):
        with pytest.raises(Http404):
            download(user, "2017-12", "xlsx")


@pytest.mark.parametrize(("month", "fmt"), [("2030-01", "pdf"), ("2017-12", "docx"), ("2017-12", "json")])
def test_an_unknown_month_or_format_is_not_found(performance, month, fmt):
    with pytest.raises(Http404):
        download(performance, month, fmt)


def test_a_visitor_who_is_not_signed_in_gets_nothing():
    with pytest.raises(Http404):
        download(AnonymousUser(), "2017-12", "csv")


def test_an_inactive_user_gets_nothing():
    user = make_user("gone", roles.LEADERS, is_active=False)
    with pytest.raises(Http404):
        download(user, "2017-12", "csv")


def test_the_board_paper_shows_each_spc_reading_as_an_icon_beside_its_words(december):
    from scorecard.pdf import panel_view

    for panel in december.panels:
        view = panel_view(panel, december)
        # Variation, and assurance where there is a target; a run chart (not enough data for limits) has words only.
        expected = (1 + (panel.spc.assurance is not None)) if panel.spc.enough_data else 0
        assert len(view.spc_icons) == expected, panel.spec.code
        assert all("<svg" in icon and "<text" in icon for icon in view.spc_icons)
        assert view.spc  # the words are there too: the icon never stands alone
