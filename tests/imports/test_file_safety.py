"""Files that are not what they claim, too big, hostile or undecodable: refused before parsing, nothing changed."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from returns.imports import returns_import
from returns.models import ReturnValue
from returns.spreadsheets import ImportRefused, read_sheet
from teams.models import Team

HEADER = ["month", "team", "measure", "value"]
GOOD_ROW = ["2017-12", "EAST-SG", "open_cases", "120"]


def refused(data: bytes, name: str) -> str:
    with pytest.raises(ImportRefused) as caught:
        returns_import(data=data, file_name=name)
    return str(caught.value)


def rezip(data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """Return a copy of a zip (a workbook) with some parts replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


# --------------------------------------------------------------------------- not what the extension says


def test_it_refuses_an_executable_renamed_csv(council, unchanged):
    unchanged()
    message = refused(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 4, "returns.csv")
    assert "not what its extension says: it is a Windows program" in message


def test_it_refuses_a_macro_enabled_workbook(council, make_xlsx, unchanged):
    good = make_xlsx([HEADER, GOOD_ROW])
    with zipfile.ZipFile(io.BytesIO(good)) as book:
        types = book.read("[Content_Types].xml").replace(
            b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
        )
    macro = rezip(good, replace={"[Content_Types].xml": types}, add={"xl/vbaProject.bin": b"\x00" * 64})
    unchanged()
    assert "Macro-enabled workbooks (.xlsm) are refused" in refused(macro, "returns.xlsm")
    assert "it is a macro-enabled workbook (.xlsm)" in refused(macro, "returns.xlsx")


def test_it_refuses_an_old_format_xls_file(council, unchanged):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    unchanged()
    assert "Old-format Excel files (.xls) are refused" in refused(ole, "returns.xls")
    assert "it is an old-format Office file" in refused(ole, "returns.xlsx")


def test_it_refuses_an_opendocument_spreadsheet(council, unchanged):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as ods:
        ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        ods.writestr("content.xml", "<office:document-content/>")
    unchanged()
    assert "OpenDocument spreadsheets (.ods) are refused" in refused(out.getvalue(), "returns.ods")
    assert "it is an OpenDocument file" in refused(out.getvalue(), "returns.xlsx")


def test_it_refuses_a_workbook_renamed_csv(council, make_xlsx, unchanged):
    unchanged()
    assert "it is an Excel workbook" in refused(make_xlsx([HEADER, GOOD_ROW]), "returns.csv")


def test_it_refuses_other_file_types(council, make_csv, unchanged):
    unchanged()
    assert "only CSV (.csv) and Excel workbook (.xlsx) files" in refused(make_csv([HEADER, GOOD_ROW]), "returns.json")


# --------------------------------------------------------------------------- too big, bombs


def test_it_refuses_a_file_over_the_size_limit(council, make_csv, settings, unchanged):
    settings.IMPORT_MAX_BYTES = 4096
    data = make_csv([HEADER] + [GOOD_ROW] * 200)
    assert len(data) > 4096
    unchanged()
    assert "the largest file an import accepts is 0.0 MB" in refused(data, "returns.csv")


def test_the_default_size_limit_is_ten_megabytes():
    from django.conf import settings

    assert settings.IMPORT_MAX_BYTES == 10 * 1024 * 1024


def test_it_refuses_a_zip_bomb_before_parsing_it(council, make_xlsx, settings, monkeypatch, unchanged):
    settings.IMPORT_MAX_BYTES = 100_000  # so the bomb expands past the limit (1 MB) without using much memory
    good = make_xlsx([HEADER, GOOD_ROW])
    with zipfile.ZipFile(io.BytesIO(good)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"</worksheet>", b" " * 5_000_000 + b"</worksheet>")
    bomb = rezip(good, replace={"xl/worksheets/sheet1.xml": padded})
    assert len(bomb) < 100_000

    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    unchanged()
    assert "refused as a possible zip bomb" in refused(bomb, "returns.xlsx")


def test_it_refuses_an_xml_entity_bomb(council, make_xlsx, unchanged):
    good = make_xlsx([HEADER, GOOD_ROW])
    with zipfile.ZipFile(io.BytesIO(good)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    entities = (
        '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8))
        + "]>"
    )
    hostile = entities + sheet.replace("<t>EAST-SG</t>", "<t>&i;</t>")
    assert "&i;" in hostile
    unchanged()
    hostile_file = rezip(good, replace={"xl/worksheets/sheet1.xml": hostile.encode()})
    assert "XML entity or DTD declarations" in refused(hostile_file, "returns.xlsx")


def test_it_refuses_formulas_saved_without_their_result(council, make_xlsx, unchanged):
    unchanged()
    message = refused(make_xlsx([HEADER, ["2017-12", "EAST-SG", "open_cases", "=100+20"]]), "returns.xlsx")
    assert message.startswith("Row 2, column value: The cell holds a formula with no saved result")


def test_it_uses_the_saved_result_of_a_formula(council, make_xlsx):
    good = make_xlsx([HEADER, ["2017-12", "EAST-SG", "open_cases", "=100+20"]])
    with zipfile.ZipFile(io.BytesIO(good)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    saved = rezip(
        good, replace={"xl/worksheets/sheet1.xml": sheet.replace(b"<f>100+20</f><v />", b"<f>100+20</f><v>120</v>")}
    )
    returns_import(data=saved, file_name="returns.xlsx")
    assert ReturnValue.objects.get().value == 120


def test_a_million_blank_rows_are_skipped_quickly(council, make_csv):
    data = make_csv([HEADER, GOOD_ROW]) + b",,,\r\n" * 1_000_000
    started = time.perf_counter()
    result = returns_import(data=data, file_name="returns.csv")
    assert time.perf_counter() - started < 30  # a generous bound: the point is that it does not hang
    assert result.new == 1 and result.blanks == 0


# --------------------------------------------------------------------------- encodings


def test_it_reads_utf8_with_a_byte_order_mark(council, make_csv):
    returns_import(data=b"\xef\xbb\xbf" + make_csv([HEADER, GOOD_ROW]), file_name="returns.csv")
    assert ReturnValue.objects.get().value == 120


def test_it_reads_windows_1252_names(council, make_csv):
    from returns.reference_import import reference_import

    data = make_csv(
        [["code", "name", "area", "team_type"], ["EAST-SG", "Café £ team", "EAST", "safeguarding"]], encoding="cp1252"
    )
    assert b"\xe9" in data and b"\xa3" in data
    reference_import(kind="teams", data=data, file_name="teams.csv")
    assert Team.objects.get(code="EAST-SG").name == "Café £ team"


def test_it_reads_utf8_names(council, make_csv):
    from returns.reference_import import reference_import

    reference_import(
        kind="teams",
        file_name="teams.csv",
        data=make_csv([["code", "name", "area", "team_type"], ["EAST-SG", "Café £ team", "EAST", "safeguarding"]]),
    )
    assert Team.objects.get(code="EAST-SG").name == "Café £ team"


def test_it_refuses_text_it_cannot_decode(council, unchanged):
    unchanged()
    # 0x81 is neither UTF-8 nor defined in Windows-1252.
    assert "cannot be read as UTF-8 or Windows-1252" in refused(
        b"month,team,measure,value\r\n2017-12,EAST\x81,x,1\r\n", "returns.csv"
    )


def test_it_refuses_utf16_text(council, make_csv, unchanged):
    unchanged()
    data = "\n".join(",".join(row) for row in [HEADER, GOOD_ROW]).encode("utf-16")
    assert "UTF-16" in refused(data, "returns.csv")


def test_it_refuses_an_empty_file_and_a_header_without_rows(council, make_csv, unchanged):
    unchanged()
    assert "is empty" in refused(b"", "returns.csv")
    assert "has a header but no rows" in refused(make_csv([HEADER]), "returns.csv")


def test_reading_keeps_spreadsheet_row_numbers_past_blank_rows(make_csv):
    sheet = read_sheet(make_csv([HEADER, GOOD_ROW, ["", "", "", ""], GOOD_ROW]), "returns.csv")
    assert [number for number, _ in sheet.rows] == [2, 4]
    assert sheet.blank_rows == 1
