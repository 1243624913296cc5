"""The review's hostile files (issue 16, rows 1-3): each refused with a 4xx at a bounded cost in memory.

Memory is Python's peak allocation inside the request (tracemalloc); what the
server reads of a body is counted by a body made up as it is read.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.urls import reverse

from returns.models import PendingImport, ReturnValue
from returns.spreadsheets import ImportRefused, read_sheet
from tests.requests import MB, multipart, multipart_type, peak_memory, send

HEADER = ["month", "team", "measure", "value"]


@pytest.fixture
def entry_client(client, east_entry):
    client.force_login(east_entry)
    return client


def upload(client, data: bytes, name: str):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("imports:returns"), {"import_file": file})


@pytest.fixture(scope="module")
def mimetype_bomb() -> bytes:
    """A workbook of under 5 MB whose `mimetype` part unpacks to 1 GiB of spaces (row 1)."""
    from tests.imports.conftest import xlsx_file

    good = xlsx_file([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        info = zipfile.ZipInfo("mimetype")
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as part:
            chunk = b" " * MB
            for _ in range(1024):
                part.write(chunk)
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
    return out.getvalue()


def test_row_1_a_mimetype_part_unpacking_to_a_gibibyte_is_refused_without_unpacking_it(
    entry_client, mimetype_bomb, unchanged
):
    assert len(mimetype_bomb) < 5 * MB
    unchanged()
    with peak_memory() as peak:
        response = upload(entry_client, mimetype_bomb, "returns.xlsx")
    assert response.status_code == 400
    assert "refused as a possible zip bomb" in response.content.decode()
    assert peak() < 40 * MB  # the upload itself, twice at most; never the 1 GiB part
    assert not PendingImport.objects.exists()


def test_a_part_that_is_not_a_worksheet_is_refused_when_it_would_unpack_past_its_own_limit(make_xlsx, settings):
    settings.IMPORT_MAX_BYTES = 10 * MB
    good = make_xlsx([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = data + b" " * (20 * MB)  # parsed whole by openpyxl when the workbook opens
            target.writestr(item.filename, data)
    with pytest.raises(ImportRefused, match=r"xl/styles\.xml.*possible zip bomb"):
        read_sheet(out.getvalue(), "returns.xlsx")


def _wide_claiming_workbook(rows: int) -> bytes:
    """A long-form workbook of `rows` rows whose <dimension> claims every cell Excel has (A1:XFD1048576)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append(["2017-12", f"NOPE{n % 7}", "open_cases", n])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {item.filename: source.read(item.filename) for item in source.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    xml = re.sub(rb"<dimension [^>]*/>", b"", xml)  # write-only workbooks may leave it out; put in the lie
    parts["xl/worksheets/sheet1.xml"] = xml.replace(b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def test_row_2_a_workbook_claiming_every_column_is_read_only_as_wide_as_its_cells(entry_client, unchanged):
    data = _wide_claiming_workbook(10_000)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert b'ref="A1:XFD1048576"' in book.read("xl/worksheets/sheet1.xml")
    unchanged()
    with peak_memory() as peak:
        response = upload(entry_client, data, "returns.xlsx")
    page = response.content.decode()
    assert response.status_code == 400
    assert "No team has the code “NOPE0”" in page and "more problems not listed" in page
    assert peak() < 60 * MB


def test_a_cell_past_the_last_column_an_import_reads_is_refused_without_padding_the_row(make_xlsx):
    good = make_xlsx([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]])
    with zipfile.ZipFile(io.BytesIO(good)) as book:
        parts = {item.filename: book.read(item.filename) for item in book.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</row></sheetData>", b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    with pytest.raises(ImportRefused, match="column XFD; an import reads at most 200 columns"):
        read_sheet(out.getvalue(), "returns.xlsx")


def test_a_row_numbered_a_million_is_not_preceded_by_a_million_made_up_rows(make_xlsx):
    good = make_xlsx([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]])
    with zipfile.ZipFile(io.BytesIO(good)) as book:
        parts = {item.filename: book.read(item.filename) for item in book.infolist()}
    parts["xl/worksheets/sheet1.xml"] = (
        parts["xl/worksheets/sheet1.xml"]
        .replace(b'r="2"', b'r="1048576"')
        .replace(b'r="A2"', b'r="A1048576"')
        .replace(b'r="B2"', b'r="B1048576"')
        .replace(b'r="C2"', b'r="C1048576"')
        .replace(b'r="D2"', b'r="D1048576"')
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    sheet = read_sheet(out.getvalue(), "returns.xlsx")
    assert [number for number, _ in sheet.rows] == [1048576]
    assert sheet.blank_rows == 0


def test_row_3_a_body_declared_over_the_limit_is_refused_before_a_byte_is_read(client, east_entry, unchanged):
    client.force_login(east_entry)
    body = multipart({}, "import_file", "returns.csv", 300 * MB)
    unchanged()
    with peak_memory() as peak:
        response = send("POST", reverse("imports:returns"), body, content_type=multipart_type(), client=client)
    assert response.status_code == 413
    assert "larger than 10.1 MB" in response.content.decode()
    assert body.position == 0
    assert peak() < 5 * MB


def test_row_3_a_file_over_the_limit_inside_an_allowed_body_stops_being_read_at_the_limit(
    client, east_entry, settings, unchanged
):
    settings.IMPORT_MAX_BYTES = 1 * MB  # the body (up to REQUEST_MAX_BYTES) may be larger than the file limit
    client.force_login(east_entry)
    body = multipart({}, "import_file", "returns.csv", 8 * MB)
    unchanged()
    with peak_memory() as peak:
        response = send("POST", reverse("imports:returns"), body, content_type=multipart_type(), client=client)
    assert response.status_code == 400
    assert "The file is larger than 1.0 MB" in response.content.decode()
    assert body.position < 2 * MB  # the rest of the body is never read (the connection is dropped)
    assert peak() < 8 * MB


def test_row_3_a_file_without_newlines_is_refused_without_holding_a_line_of_it(entry_client, unchanged):
    data = b"month,team,measure,value\r\n" + b"x" * (9 * MB)
    unchanged()
    with peak_memory() as peak:
        response = upload(entry_client, data, "returns.csv")  # large: checked in the background (run in-request here)
        response = entry_client.get(response["Location"])
    assert response.status_code == 400
    assert "The line is longer than 65,536 characters" in response.content.decode()
    # Copies of the upload (received, read, stored in the database and read back; PostgreSQL's driver adds some):
    # bounded by the upload limit, never by the line. The reader on its own holds none of it (the test below).
    assert peak() < 12 * len(data)
    assert not ReturnValue.objects.exists()


def test_reading_a_file_without_newlines_never_holds_a_line_of_it():
    from returns.spreadsheets import open_sheet

    source = io.BytesIO(b"month,team,measure,value\r\n" + b"x" * (9 * MB))
    with peak_memory() as peak, pytest.raises(ImportRefused, match="The line is longer than 65,536 characters"):
        list(open_sheet(source, "returns.csv"))
    assert peak() < 4 * MB


def test_the_returns_import_reads_no_wider_than_month_team_and_one_column_per_measure(council, make_csv, unchanged):
    from indicators.models import Measure
    from returns.imports import returns_import

    width = 2 + Measure.objects.count()
    row = ["2017-12", "EAST-SG", "open_cases", "120"] + [""] * (width - 4) + ["stray"]
    unchanged()
    with pytest.raises(ImportRefused, match=f"an import reads at most {width} columns"):
        returns_import(data=make_csv([HEADER, row]), file_name="returns.csv")


def test_a_value_of_thousands_of_digits_gets_the_products_own_message(council, make_csv, unchanged):
    """Python refuses to turn over 4,300 digits into a number with its own words; the import never asks it to."""
    from returns.imports import returns_import

    rows = [HEADER, ["2017-12", "EAST-SG", "open_cases", "120"], ["2017-12", "EAST-SG", "cpp_children", "9" * 5000]]
    unchanged()
    with pytest.raises(ImportRefused) as refused:
        returns_import(data=make_csv(rows), file_name="returns.csv")
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (3, "value")
    assert problem.message.startswith("That number is too large: the largest count accepted is 1,000,000,000")


def test_month_cells_that_python_calls_equal_are_each_refused_in_their_own_words(council, make_xlsx, unchanged):
    """TRUE, 1 and 1.0 are one dictionary key in Python; each cell's problem still quotes that cell."""
    from returns.imports import returns_import

    rows = [HEADER] + [[month, "EAST-SG", "open_cases", 120] for month in (True, 1, 1.5)]
    unchanged()
    with pytest.raises(ImportRefused) as refused:
        returns_import(data=make_xlsx(rows), file_name="returns.xlsx")
    quoted = [re.search(r"“(.*?)”", problem.message).group(1) for problem in refused.value.problems]
    assert quoted == ["True", "1", "1.5"]
