"""The spellings real Annex A files use, read the same; anything else refused without repeating the cell."""

from __future__ import annotations

import datetime as dt

import pytest

from returns.annex_a import cells
from returns.annex_a.measures import LISTS, header_key, list_number
from returns.annex_a.workbook import NO_RESULT, CellError

DAY = dt.date(2017, 12, 5)


@pytest.mark.parametrize(
    "raw",
    [
        DAY,
        dt.datetime(2017, 12, 5, 14, 30),
        43074.0,
        43074,
        43074.75,
        "43074",
        "05/12/2017",
        "5/12/2017",
        "05-12-2017",
        "05.12.2017",
        "05/12/2017 00:00",
        "05/12/2017 09:15:00",
        "2017-12-05",
        "2017-12-05T00:00:00",
        " 05/12/2017 ",
        "5 Dec 2017",
        "05-Dec-17",
        "5 December 2017",
    ],
)
def test_dates_in_every_form_files_use(raw):
    assert cells.parse_date(raw) == DAY


def test_a_workbook_saved_with_1904_dates_is_read_as_such():
    assert cells.parse_date(41612.0, date1904=True) == DAY


@pytest.mark.parametrize("raw", [None, "", "   ", "#N/A", "#n/a", "N/A", CellError("#N/A"), CellError("#VALUE!")])
def test_blanks_and_error_values_are_not_recorded(raw):
    assert cells.parse_date(raw) is None
    assert cells.parse_yes_no(raw) is None


@pytest.mark.parametrize("raw", ["31/02/2017", "2017-13-01", "yesterday", "12/5", True, -3.0, "01/01/1850", 0.0])
def test_what_is_not_a_date_is_refused_without_repeating_it(raw):
    with pytest.raises(ValueError) as refused:
        cells.parse_date(raw)
    assert str(raw) not in str(refused.value) or str(raw) in ("0.0",)


def test_a_formula_saved_without_its_result_is_refused():
    with pytest.raises(cells.FormulaWithoutResult, match="formula saved without its result"):
        cells.parse_date(NO_RESULT)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a) Yes", True),
        ("Yes", True),
        ("Y", True),
        ("y", True),
        ("YES ", True),
        (True, True),
        (1.0, True),
        ("b) No", False),
        ("No", False),
        ("N", False),
        (False, False),
        (0.0, False),
        ("c) Unknown", None),
        ("Unknown", None),
        ("Not known", None),
    ],
)
def test_yes_and_no_in_their_spellings(raw, expected):
    assert cells.parse_yes_no(raw) is expected


@pytest.mark.parametrize(
    ("raw", "looked_after"),
    [
        ("a) Looked after child", True),
        ("Looked After Child", True),
        ("LAC", True),
        ("CLA", True),
        ("b) Child Protection plan", False),
        ("c) Child in need plan", False),
        ("CIN", False),
        ("d) Open assessment", False),
        ("e) Closed episode", False),
    ],
)
def test_case_status_spellings(raw, looked_after):
    assert cells.parse_looked_after(raw) is looked_after


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("F1", "F1"),
        ("f1", "F1"),
        ("F1: Full time in higher education", "F1"),
        ("F1) Full time", "F1"),
        ("P2 - Part time in education other than higher", "P2"),
        ("Full time in training or employment", "F3"),
        ("G6: Not in education, employment or training - pregnancy or parenting", "G6"),
        ("Not in education, employment or training", "G5"),
        ("F4", "F4"),
    ],
)
def test_activity_codes_in_their_spellings(raw, code):
    assert cells.parse_activity(raw) == code


@pytest.mark.parametrize(
    ("parse", "raw"),
    [
        (cells.parse_yes_no, "Maybe"),
        (cells.parse_looked_after, "Fostered by aunt"),
        (cells.parse_activity, "Z9"),
        (cells.parse_count, "three"),
        (cells.parse_count, -1),
        (cells.parse_count, 1.5),
    ],
)
def test_unknown_categories_are_refused_without_repeating_the_cell(parse, raw):
    with pytest.raises(ValueError) as refused:
        parse(raw)
    assert str(raw) not in str(refused.value)


@pytest.mark.parametrize(("raw", "count"), [(2, 2), (2.0, 2), ("2", 2), (" 3 ", 3), ("4.0", 4), (None, None)])
def test_counts(raw, count):
    assert cells.parse_count(raw) == count


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Date of Referral", "referral_date"),
        ("  DATE OF REFERRAL ", "referral_date"),
        ("date_of_referral", "referral_date"),
        ("Number of Referrals in Last 12 Months", "previous"),
        ("No. of referrals in last 12 months", "previous"),
    ],
)
def test_headers_match_whatever_their_case_spaces_and_punctuation(header, column):
    spec = LISTS[3]
    assert [c.key for c in spec.columns if c.matches(header_key(header))] == [column]


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("List 3", 3),
        ("list3", 3),
        ("LIST 03", 3),
        ("List 10 - Adoption", 10),
        ("L7", 7),
        ("List_8", 8),
        ("Listing", None),
        ("List 12", None),
        ("Summary", None),
    ],
)
def test_sheets_are_found_by_name(name, number):
    assert list_number(name) == number
