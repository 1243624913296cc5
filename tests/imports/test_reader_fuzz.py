"""Fuzzing the CSV and XLSX readers: whatever the bytes, reading ends in rows or a listed problem, never a crash.

Bounded for CI: a fixed number of examples each, no deadline per example (the
machine is shared), and no example database written to disk.
"""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returns.spreadsheets import ImportRefused, read_sheet
from tests.imports.conftest import csv_file, xlsx_file

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

GOOD_ROWS = [
    ["month", "team", "measure", "value"],
    ["2017-12", "EAST-SG", "open_cases", "120"],
    ["2017-12", "EAST-SG", "cpp_children", "41"],
]
WORKBOOK = xlsx_file(GOOD_ROWS)
CSV = csv_file(GOOD_ROWS)


def read_or_refuse(data: bytes, name: str) -> None:
    """Read the file; an ImportRefused with at least one problem is the only acceptable failure."""
    try:
        sheet = read_sheet(data, name)
    except ImportRefused as refused:
        assert refused.problems and all(str(problem) for problem in refused.problems)
        return
    assert isinstance(sheet.headers, list)
    for number, cells in sheet.rows:
        assert isinstance(number, int) and isinstance(cells, tuple)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_as_csv(data):
    read_or_refuse(data, "returns.csv")


@FUZZ
@given(st.text(alphabet=st.sampled_from(list(',"\r\n;\t ab1-é\x00\x7f')), max_size=2000))
def test_csv_like_text_in_either_encoding(text):
    for encoding in ("utf-8", "cp1252"):
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        read_or_refuse(data, "returns.csv")


@FUZZ
@given(st.integers(min_value=0, max_value=len(CSV)), st.binary(max_size=64))
def test_a_good_csv_cut_short_or_with_bytes_spliced_in(cut, splice):
    read_or_refuse(CSV[:cut] + splice + CSV[cut : cut + 10], "returns.csv")


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_as_xlsx(data):
    read_or_refuse(data, "returns.xlsx")


@FUZZ
@given(st.integers(min_value=0, max_value=len(WORKBOOK)))
def test_a_truncated_workbook(cut):
    read_or_refuse(WORKBOOK[:cut], "returns.xlsx")


@FUZZ
@given(st.integers(min_value=30, max_value=len(WORKBOOK) - 1), st.binary(min_size=1, max_size=16))
def test_a_workbook_with_corrupted_bytes(at, noise):
    read_or_refuse(WORKBOOK[:at] + noise + WORKBOOK[at + len(noise) :], "returns.xlsx")


def _replace_part(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(WORKBOOK)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, content if item.filename == name else source.read(item.filename))
    return out.getvalue()


_TAGS = st.sampled_from(["row", "c", "v", "f", "is", "t", "sheetData", "dimension", "worksheet", "x"])
_ATTRS = st.sampled_from(
    [
        "",
        ' r="A1"',
        ' r="XFD3"',
        ' r="1048576"',
        ' r="0"',
        ' r="-1"',
        ' r="Z"',
        ' t="s"',
        ' t="inlineStr"',
        ' t="e"',
        ' t="b"',
        ' t="d"',
        ' t="n"',
        ' s="99"',
        ' ref="A1:XFD1048576"',
    ]
)
_TEXT = st.sampled_from(["", "1", "0", "-5", "1e999", "nan", "9" * 30, "abc", "2017-12", "#DIV/0!", "&amp;", "\u00e9"])


@st.composite
def _xml(draw, depth: int = 0) -> str:
    tag, attrs = draw(_TAGS), draw(_ATTRS)
    if depth > 3 or draw(st.booleans()):
        return f"<{tag}{attrs}>{draw(_TEXT)}</{tag}>"
    children = "".join(draw(st.lists(_xml(depth + 1), max_size=4)))
    return f"<{tag}{attrs}>{children}</{tag}>"


SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


@FUZZ
@given(st.lists(_xml(), max_size=6), st.booleans())
def test_random_xml_in_the_worksheet(elements, wrapped):
    body = "".join(elements)
    xml = SHEET_OPEN + (f"<sheetData>{body}</sheetData>" if wrapped else body) + "</worksheet>"
    read_or_refuse(_replace_part("xl/worksheets/sheet1.xml", xml.encode()), "returns.xlsx")


_CELL_ATTRS = st.sampled_from(
    [
        "",
        ' r="A{n}"',
        ' r="D{n}"',
        ' r="XFD{n}"',
        ' r="GR{n}"',
        ' r="Z"',
        ' r="A0"',
        ' t="s"',
        ' t="inlineStr"',
        ' t="e"',
        ' t="b"',
        ' t="d"',
        ' t="str"',
        ' s="1"',
        ' s="99"',
    ]
)
_CELL_BODY = st.sampled_from(
    [
        "",
        "<v>{text}</v>",
        "<f>1+1</f>",
        "<f>1+1</f><v>{text}</v>",
        "<is><t>{text}</t></is>",
        "<v>{text}</v><v>{text}</v>",
    ]
)


@st.composite
def _cell(draw, n: int) -> str:
    attrs = "".join(draw(st.lists(_CELL_ATTRS, max_size=2, unique=True))).replace("{n}", str(n))
    body = draw(_CELL_BODY).replace("{text}", draw(_TEXT))
    return f"<c{attrs}>{body}</c>"


@st.composite
def _rows(draw) -> str:
    rows = []
    for n in range(1, draw(st.integers(min_value=0, max_value=6)) + 1):
        number = draw(st.sampled_from([str(n), "", "1048576", "x", "0"]))
        attr = f' r="{number}"' if number else ""
        rows.append(f"<row{attr}>" + "".join(draw(st.lists(_cell(n), max_size=5))) + "</row>")
    return "".join(rows)


HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>month</t></is></c><c r="B1" t="inlineStr"><is><t>team</t>'
    '</is></c><c r="C1" t="inlineStr"><is><t>measure</t></is></c><c r="D1" t="inlineStr"><is><t>value</t>'
    "</is></c></row>"
)


@FUZZ
@given(_rows(), st.booleans())
def test_random_rows_and_cells_in_the_worksheet(rows, with_header):
    xml = SHEET_OPEN + "<sheetData>" + (HEADER_ROW if with_header else "") + rows + "</sheetData></worksheet>"
    read_or_refuse(_replace_part("xl/worksheets/sheet1.xml", xml.encode()), "returns.xlsx")


@FUZZ
@given(
    st.sampled_from(
        [
            "xl/sharedStrings.xml",
            "xl/styles.xml",
            "xl/workbook.xml",
            "[Content_Types].xml",
            "xl/_rels/workbook.xml.rels",
        ]
    ),
    st.lists(_xml(), max_size=4),
)
def test_random_xml_in_the_other_parts(part, elements):
    read_or_refuse(_replace_part(part, ('<?xml version="1.0"?>' + "".join(elements)).encode()), "returns.xlsx")
