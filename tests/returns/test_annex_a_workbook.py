"""Reading workbook XML directly: the parts real writers produce, and damaged or hostile files refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from returns.annex_a.workbook import NO_RESULT, CellError, open_workbook
from returns.spreadsheets import ImportRefused
from tests.returns.annex_a_books import book, d


def rewrite(data: bytes, part: str, change) -> bytes:
    """Return the workbook with one part's XML changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def rows_of(data: bytes, sheet: str = "List 7") -> list:
    with open_workbook(data, "a.xlsx") as workbook:
        return list(workbook.rows(sheet))


SAMPLE = book({"List 7": [["C1", d(2017, 6, 1), None, None, "Team A & B <1>", "SW"]], "List 3": []})


def test_rows_come_back_with_their_numbers_and_values():
    header, first = rows_of(SAMPLE)
    assert header[0] == 1 and header[1][0] == "Child Unique ID"
    assert first == (2, {0: "C1", 1: 42887.0, 4: "Team A & B <1>", 5: "SW"})


def test_shared_strings_rich_text_errors_and_formulas_are_read():
    def sheet(xml: str) -> str:
        return xml.replace(
            '<c r="F2" t="s"><v>', '<c r="G2" t="e"><v>#N/A</v></c><c r="H2"><f>A1</f></c><c r="F2" t="s"><v>'
        )

    data = rewrite(SAMPLE, "xl/worksheets/sheet1.xml", sheet)
    data = rewrite(
        data,
        "xl/sharedStrings.xml",
        lambda xml: xml.replace(
            '<si><t xml:space="preserve">SW</t></si>',
            '<si><r><t>S</t></r><r><t xml:space="preserve">W</t></r><rPh><t>x</t></rPh></si>',
        ),
    )
    assert b"<rPh>" in zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml")
    cells = rows_of(data)[1][1]
    assert cells[5] == "SW" and cells[6] == CellError("#N/A") and cells[7] is NO_RESULT


@pytest.mark.parametrize(
    ("part", "change", "says"),
    [
        (
            "xl/worksheets/sheet1.xml",
            lambda x: x.replace("<worksheet", '<!DOCTYPE x [<!ENTITY a "b">]><worksheet', 1),
            "entity or DTD",
        ),
        ("xl/worksheets/sheet1.xml", lambda x: x.replace("<v>42887</v>", "<v>forty</v>"), "damaged"),
        (
            "xl/worksheets/sheet1.xml",
            lambda x: x.replace('<c r="A2" t="s">', '<c t="s">'),
            "leaves out cell references",
        ),
        (
            "xl/worksheets/sheet1.xml",
            lambda x: x.replace('t="s"><v>0</v>', 't="s"><v>9999</v>', 1),
            "damaged",
        ),  # a shared string that is not there
        ("xl/workbook.xml", lambda x: x[: len(x) // 2], "damaged"),
    ],
)
def test_damaged_or_hostile_parts_are_refused_with_a_reason(part, change, says):
    with pytest.raises(ImportRefused, match=says):
        rows_of(rewrite(SAMPLE, part, change))


def test_pieces_of_xml_are_cut_only_after_a_closing_tag(monkeypatch):
    # Shared strings are many, each <si>...</si>: a cut after an opening <si> would lose one and shift the rest.
    rows = [[f"C{n}", d(2017, 6, 1), None, None, f"Team {n % 7}", f"Worker {n}"] for n in range(300)]
    data = book({"List 7": rows})
    whole = rows_of(data)
    monkeypatch.setattr("returns.annex_a.workbook._CHUNK", 97)
    assert rows_of(data) == whole
    assert whole[-1] == (301, {0: "C299", 1: 42887.0, 4: "Team 5", 5: "Worker 299"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<row r='1'><c/></row><row r='2'>", 21),
        ("<x:si><x:t>a</x:t></x:si><x:si>", 25),
        ("<si><t>a</t>", -1),
        ("<arrow>", -1),
    ],
)
def test_the_last_closing_tag_is_found(text, expected):
    from returns.annex_a.workbook import _after_last_close

    element = "si" if "si" in text else "row"
    assert _after_last_close(text, element) == expected
