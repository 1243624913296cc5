"""Reading uploaded spreadsheets safely: CSV or XLSX bytes into rows of cells, or a refusal saying why.

`read_sheet` refuses anything that is not what it claims to be before a parser
sees it: too large, the wrong kind of file (a program, a macro workbook, an
old .xls or an .ods), a zip bomb, XML entities, an undecodable encoding,
formulas without a saved result. The cell parsers turn cells into counts,
months and codes with a reason for every refusal; `Problems` collects them by
row and column. Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import BinaryIO

import defusedxml
import openpyxl
from django.conf import settings
from openpyxl.worksheet._reader import CELL_TAG, FORMULA_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml import DEFUSEDXML
from openpyxl.xml.functions import iterparse

from lib.cells import column_letter
from lib.months import Month
from lib.text import shorten
from returns import validation

# More problems than this are summarised: nobody reads past the first screenful.
MAX_PROBLEMS = 200
# A real workbook expands perhaps ten times when unzipped; a zip bomb expands thousands of times.
UNZIPPED_FACTOR = 10
MAX_ZIP_MEMBERS = 2_000
# Columns a row may use: more than any import reads (the widest, wide-form returns, has a column per measure).
MAX_COLUMNS = 200
# Characters on one line of a CSV file; a longer line is refused before it is held whole.
MAX_LINE = 64 * 1024

ALLOWED_EXTENSIONS = (".csv", ".xlsx")


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused: where (row, column) and why."""

    message: str
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        if not where:
            return self.message  # a whole-file message, which may start with the file's own name
        return f"{', '.join(where)}: {self.message[:1].upper()}{self.message[1:]}"


class ImportRefused(Exception):
    """The file is refused as a whole; nothing was changed."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__(self.summary())

    def summary(self, limit: int = 20) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more.")
        return "\n".join(lines)


class Problems:
    """A capped list of problems; raise them all at once at the end of a step."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.overflow = 0

    def add(self, message: str, row: int | None = None, column: str = "") -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(message, row, column))
        else:
            self.overflow += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            items = list(self.items)
            if self.overflow:
                items.append(Problem(f"... and {self.overflow} more problems not listed."))
            raise ImportRefused(items)


# --------------------------------------------------------------------------- reading files


@dataclass
class Sheet:
    """The cells of an import file: headers, then data rows with their spreadsheet row numbers."""

    file_name: str
    sha256: str
    kind: str  # "csv" or "xlsx"
    headers: list[str]
    rows: list[tuple[int, tuple]]
    blank_rows: int = 0
    encoding: str = ""


Row = tuple[int, tuple]


class SheetStream:
    """An import file opened for reading row by row, in constant memory whatever its length.

    `headers` are read on opening; iterating yields each non-blank data row once,
    as (spreadsheet row number, cells), and raises ImportRefused when the file
    turns out to be damaged, too long or too wide part-way through. `blank_rows`
    counts the blank rows skipped so far.
    """

    def __init__(
        self, *, file_name: str, sha256: str, kind: str, headers: list[str], rows: Iterator[Row], encoding: str = ""
    ) -> None:
        self.file_name = file_name
        self.sha256 = sha256
        self.kind = kind
        self.headers = headers
        self.encoding = encoding
        self.blank_rows = 0
        self._rows = rows

    def __iter__(self) -> Iterator[Row]:
        return self._rows


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_size(size: int, file_name: str, limit: int | None = None) -> None:
    """Refuse a file over `limit` bytes (settings.IMPORT_MAX_BYTES by default) before reading it."""
    limit = settings.IMPORT_MAX_BYTES if limit is None else limit
    if size > limit:
        raise ImportRefused(
            f"{file_name} is {_megabytes(size)}; the largest file an import accepts is {_megabytes(limit)}. "
            "Split it into smaller files (for example one per year)."
        )
    if size == 0:
        raise ImportRefused(f"{file_name} is empty.")


def max_rows() -> int:
    """Return the most non-blank rows one file may hold (settings.IMPORT_MAX_ROWS)."""
    return settings.IMPORT_MAX_ROWS


def read_sheet(data: bytes, file_name: str) -> Sheet:
    """Return the rows of a CSV or XLSX file, or raise ImportRefused saying why it cannot be read."""
    stream = open_sheet(io.BytesIO(data), file_name)
    rows = list(stream)
    return Sheet(
        file_name=file_name,
        sha256=stream.sha256,
        kind=stream.kind,
        headers=stream.headers,
        rows=rows,
        blank_rows=stream.blank_rows,
        encoding=stream.encoding,
    )


def open_sheet(
    source: BinaryIO, file_name: str, *, max_bytes: int | None = None, max_columns: int = MAX_COLUMNS
) -> SheetStream:
    """Open a CSV or XLSX file (a seekable binary file) for streaming, or raise ImportRefused saying why not.

    The size, kind, encoding (CSV) and the zip's parts (XLSX) are checked before
    any row is parsed; rows are then parsed one at a time as they are read.
    Cells past `max_columns` are never kept: a value there refuses the file.
    """
    size = source.seek(0, io.SEEK_END)
    source.seek(0)
    check_size(size, file_name, max_bytes)
    head = source.read(65536)
    source.seek(0)
    kind = sniff_kind(head, file_name, source=source)
    sha256 = _stream_sha256(source)
    if kind == "csv":
        encoding = _csv_encoding(source, file_name, head)
        return _open_csv(source, file_name, sha256, encoding, max_columns)
    return _open_xlsx(source, file_name, sha256, max_columns)


def _stream_sha256(source: BinaryIO) -> str:
    digest = hashlib.sha256()
    source.seek(0)
    for chunk in iter(lambda: source.read(_CHUNK), b""):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


_CHUNK = 1024 * 1024

# Signatures of files that are never a spreadsheet we accept, and what to call them.
_SIGNATURES = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\xcf\xfa\xed\xfe", "a program"),
    (b"\xfe\xed\xfa", "a program"),
    (b"#!", "a script"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-format Office file (.xls or .doc)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"GIF8", "an image"),
    (b"<?xml", "an XML file"),
)

_EXTENSION_ADVICE = {
    ".xlsm": "Macro-enabled workbooks (.xlsm) are refused: save a copy as an Excel workbook (.xlsx) or CSV.",
    ".xls": "Old-format Excel files (.xls) are refused: save a copy as an Excel workbook (.xlsx) or CSV.",
    ".xlsb": "Binary Excel workbooks (.xlsb) are refused: save a copy as an Excel workbook (.xlsx) or CSV.",
    ".ods": "OpenDocument spreadsheets (.ods) are refused: save a copy as an Excel workbook (.xlsx) or CSV.",
}


def sniff_kind(data: bytes, file_name: str, *, source: BinaryIO | None = None) -> str:
    """Return "csv" or "xlsx" from the file's content, refusing it unless its extension says the same.

    `data` is the whole file, or its first 64 KB when `source` (the whole file, seekable) is given.
    """
    extension = PurePath(file_name).suffix.lower()
    if extension in _EXTENSION_ADVICE:
        raise ImportRefused(_EXTENSION_ADVICE[extension])
    if extension not in ALLOWED_EXTENSIONS:
        said = f"a {extension} file" if extension else "a file without an extension"
        raise ImportRefused(f"{file_name} is {said}; only CSV (.csv) and Excel workbook (.xlsx) files can be imported.")
    actual = _content_kind(data, source)
    if actual != extension.lstrip("."):
        what = {"csv": "a CSV text file", "xlsx": "an Excel workbook"}.get(actual, actual)
        raise ImportRefused(
            f"{file_name} is not what its extension says: it is {what}. "
            "Save it from your spreadsheet program as CSV or Excel workbook (.xlsx) and try again."
        )
    return actual


def _content_kind(data: bytes, source: BinaryIO | None = None) -> str:
    """Return "csv", "xlsx" or a description of what else the bytes are."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        if source is None:
            return _zip_kind(io.BytesIO(data))
        try:
            return _zip_kind(source)
        finally:
            source.seek(0)
    for signature, description in _SIGNATURES:
        if data.startswith(signature):
            return description
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:65536]:
        return "a binary file or UTF-16 text (save CSV files as UTF-8)"
    return "csv"


# No part but a worksheet is ever this large in a workbook Excel saves; larger ones are parsed whole, so refused.
MAX_PART_BYTES = 16 * 1024 * 1024


def _zip_kind(source: BinaryIO) -> str:
    """Say what a zip archive is, reading at most a few hundred bytes of any part (never a whole part)."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = {info.filename: info for info in archive.infolist()}
            mimetype = members.get("mimetype")
            if mimetype is not None:
                with archive.open(mimetype) as part:
                    if b"opendocument" in part.read(200):
                        return "an OpenDocument file (.ods)"
            if "xl/vbaProject.bin" in members or any(
                n.lower().endswith(".bin") and "vba" in n.lower() for n in members
            ):
                return "a macro-enabled workbook (.xlsm)"
            if "[Content_Types].xml" in members and "xl/workbook.xml" in members:
                types = members["[Content_Types].xml"]
                if types.file_size > 1_000_000:
                    return "a damaged or suspicious workbook"
                with archive.open(types) as part:
                    content_types = part.read(1_000_001)
                if b"macroEnabled" in content_types:
                    return "a macro-enabled workbook (.xlsm)"
                if b"sheet.binary" in content_types:
                    return "a binary workbook (.xlsb)"
                return "xlsx"
            return "a zip archive, not an Excel workbook"
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, EOFError, ValueError, zlib.error):
        return "a damaged zip file"


def decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    """Return the text of a CSV file in UTF-8 (with or without BOM) or Windows-1252, and the encoding used."""
    encoding = _csv_encoding(io.BytesIO(data), file_name, data[:65536])
    return data.decode(encoding), encoding


def _csv_encoding(source: BinaryIO, file_name: str, head: bytes) -> str:
    """Return the encoding a CSV file is read in, checking the whole file chunk by chunk (no control characters)."""
    candidates = ("utf-8-sig",) if head.startswith(codecs.BOM_UTF8) else ("utf-8", "cp1252")
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        line = 1
        try:
            source.seek(0)
            while True:
                chunk = source.read(_CHUNK)
                text = decoder.decode(chunk, final=not chunk)
                bad = _CONTROL.search(text)
                if bad:
                    line += text.count("\n", 0, bad.start())
                    raise ImportRefused(
                        Problem(
                            f"{file_name} contains a control character (code {ord(bad.group()):#04x}), "
                            "so it is not a plain-text CSV file.",
                            row=line,
                        )
                    )
                line += text.count("\n")
                if not chunk:
                    break
        except UnicodeDecodeError:
            continue
        finally:
            source.seek(0)
        return encoding
    raise ImportRefused(
        f"{file_name} cannot be read as UTF-8 or Windows-1252 text. "
        "Save it from your spreadsheet program as “CSV UTF-8” and try again."
    )


# Tab, newline and carriage return are text; every other C0 control (and DEL) is not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _open_csv(source: BinaryIO, file_name: str, sha256: str, encoding: str, max_columns: int) -> SheetStream:
    text = io.TextIOWrapper(source, encoding=encoding, newline="")
    state = {"line": 0}

    def lines() -> Iterator[str]:
        while True:
            line = text.readline(MAX_LINE)
            if not line:
                return
            state["line"] += 1
            if len(line) >= MAX_LINE and not line.endswith(("\n", "\r")):
                raise ImportRefused(
                    Problem(
                        f"The line is longer than {MAX_LINE:,} characters; this is not a CSV file an import can read.",
                        row=state["line"],
                    )
                )
            yield line

    reader = csv.reader(lines(), strict=True)

    def refuse_malformed(exc: csv.Error) -> ImportRefused:
        return ImportRefused(Problem(f"The CSV file is malformed ({exc}).", row=reader.line_num))

    try:
        header_row = next(reader, None)
    except csv.Error as exc:
        raise refuse_malformed(exc) from None
    if header_row is None:
        raise ImportRefused("The file has no header row.")
    if len(header_row) == 1 and ";" in header_row[0]:
        raise ImportRefused(Problem("Separate the columns with commas, not semicolons.", row=1))
    headers = _capped(header_row, max_columns, 1)
    limit = max_rows()

    def rows() -> Iterator[Row]:
        count = 0
        try:
            for number, cells in enumerate(reader, start=2):
                if not "".join(cells).strip():
                    stream.blank_rows += 1
                    continue
                count += 1
                if count > limit:
                    raise ImportRefused(f"The file has more than {limit:,} rows; split it into smaller files.")
                yield number, tuple(_capped(cells, max_columns, number))
        except csv.Error as exc:
            raise refuse_malformed(exc) from None
        finally:
            text.detach()

    stream = SheetStream(
        file_name=file_name,
        sha256=sha256,
        kind="csv",
        headers=[h.strip() for h in headers],
        rows=rows(),
        encoding=encoding,
    )
    return stream


def _capped(cells: list, max_columns: int, row: int) -> list:
    """Return the first `max_columns` cells, refusing a value in any column past them."""
    if len(cells) <= max_columns:
        return cells
    for index in range(max_columns, len(cells)):
        if not is_blank(cells[index]):
            raise ImportRefused(
                Problem(
                    f"there is a value in column {column_letter(index)}; an import reads at most {max_columns} columns",
                    row=row,
                )
            )
    return cells[:max_columns]


def _open_xlsx(source: BinaryIO, file_name: str, sha256: str, max_columns: int) -> SheetStream:
    if not DEFUSEDXML:  # pragma: no cover - a deployment without defusedxml is refused outright
        raise ImportRefused("Excel files cannot be read safely on this server (defusedxml is missing); use CSV.")
    _check_unzipped_size(source, file_name)

    def refusal(exc: BaseException) -> ImportRefused:
        if isinstance(exc, ImportRefused):
            return exc
        if isinstance(exc, MemoryError):  # pragma: no cover - belt and braces behind the size checks
            return ImportRefused(f"{file_name} is too large to read.")
        if _caused_by(exc, defusedxml.DefusedXmlException):
            return ImportRefused(
                f"{file_name} contains XML entity or DTD declarations, which are refused because they can be "
                "used to attack the server. Save a fresh copy from Excel and try again."
            )
        return ImportRefused(f"{file_name} is damaged or not a workbook Excel saved; save a fresh copy and try again.")

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks; none of them should be a 500
        raise refusal(exc) from None
    try:
        if not workbook.worksheets:
            raise ImportRefused(f"{file_name} has no worksheets.")
        cells = _xlsx_cells(workbook, workbook.worksheets[0], max_columns)
        header_row: list | None = None
        blanks = 0
        for number, values, formulas in cells:
            if not any(_present(v) for v in values):
                blanks += 1
                continue
            if formulas:
                raise ImportRefused(
                    Problem("The header row contains formulas; type the column names instead.", row=number)
                )
            header_row = ["" if v is None else str(v).strip() for v in values]
            break
        if header_row is None:
            raise ImportRefused("The first worksheet is empty: it has no header row.")
    except Exception as exc:
        workbook.close()
        raise refusal(exc) from None
    limit = max_rows()

    def rows() -> Iterator[Row]:
        count = 0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for number, values, formulas in cells:
                    if not any(_present(v) for v in values):
                        stream.blank_rows += 1
                        continue
                    count += 1
                    if count > limit:
                        raise ImportRefused(f"The file has more than {limit:,} rows; split it into smaller files.")
                    if formulas:
                        _refuse_unsaved_formulas(number, values, formulas, header_row)
                    yield number, tuple(values)
        except GeneratorExit:
            raise
        except Exception as exc:
            raise refusal(exc) from None
        finally:
            workbook.close()

    stream = SheetStream(file_name=file_name, sha256=sha256, kind="xlsx", headers=header_row, rows=rows())
    stream.blank_rows = blanks
    return stream


def _xlsx_cells(workbook, sheet, max_columns: int) -> Iterator[tuple[int, list, list[int]]]:
    """Yield (row number, values, columns holding formulas) for each row the worksheet's XML holds.

    Parsed cell by cell and cleared as it goes, so memory stays flat: the
    declared `<dimension>` is ignored (rows are never padded to it), missing
    rows are never made up, and cells past `max_columns` are never kept (a
    value there refuses the file). A formula's value is the result Excel saved
    with it (None when it saved none).
    """
    parser = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )
    with workbook._archive.open(sheet._worksheet_path) as source:
        values: list = []
        formulas: list[int] = []
        parent = None
        row_number = 0
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == ROW_TAG:
                    raw = element.get("r")
                    row_number = int(raw) if raw is not None and raw.isdigit() else row_number + 1
                    parser.row_counter, parser.col_counter = row_number, 0
                    values, formulas = [], []
                elif tag.endswith("}sheetData"):
                    parent = element
                continue
            if tag == CELL_TAG:
                cell = parser.parse_cell(element)
                column = cell["column"] - 1
                value = _CellError(str(cell["value"])) if cell["data_type"] == "e" else cell["value"]
                is_formula = element.find(FORMULA_TAG) is not None
                element.clear()
                if column >= max_columns or column < 0:
                    if _present(value) or is_formula:
                        raise ImportRefused(
                            Problem(
                                f"there is a value in column {column_letter(max(column, 0))}; an import reads at most "
                                f"{max_columns} columns",
                                row=row_number,
                            )
                        )
                    continue
                if column >= len(values):
                    values.extend([None] * (column + 1 - len(values)))
                values[column] = value
                if is_formula:
                    formulas.append(column)
            elif tag == ROW_TAG:
                element.clear()
                if parent is not None:
                    parent.clear()
                yield row_number, values, formulas


def _refuse_unsaved_formulas(number: int, values: list, formulas: list[int], headers: list[str]) -> None:
    """Refuse formulas saved without their result (the value then is None)."""
    problems = Problems()
    for column in formulas:
        if values[column] is None:
            name = headers[column] if column < len(headers) and headers[column] else f"{column + 1}"
            problems.add(
                "The cell holds a formula with no saved result. Open the file in Excel, let it "
                "calculate, save it, and import it again (or paste the values only).",
                row=number,
                column=name,
            )
    problems.raise_if_any()


def _caused_by(exc: BaseException | None, kind: type) -> bool:
    """Return True if the exception or one it was raised from is of the kind (openpyxl wraps parse errors)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _check_unzipped_size(source: BinaryIO, file_name: str) -> None:
    """Refuse a workbook whose parts, as declared, would expand too far (a zip bomb), before reading any of them.

    The whole may expand to UNZIPPED_FACTOR times the upload limit; a part that
    is not a worksheet (parsed whole, not streamed) to MAX_PART_BYTES. These are
    the sizes the archive declares: zipfile never inflates a part past its
    declared size (it stops there and fails the checksum), so a lying header
    cannot get round the check.
    """
    limit = settings.IMPORT_MAX_BYTES * UNZIPPED_FACTOR
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ImportRefused(f"{file_name} is a damaged zip file.") from None
    finally:
        source.seek(0)
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportRefused(f"{file_name} holds {len(members):,} parts; a workbook Excel saves has far fewer.")
    total = sum(member.file_size for member in members)
    if total > limit:
        raise ImportRefused(
            f"{file_name} would expand to {_megabytes(total)} when unzipped (the limit is {_megabytes(limit)}); "
            "it is refused as a possible zip bomb. Save the data as CSV, or split it."
        )
    for member in members:
        if member.file_size > MAX_PART_BYTES and not member.filename.startswith("xl/worksheets/"):
            raise ImportRefused(
                f"{file_name} has a part ({member.filename[:60]}) that would expand to "
                f"{_megabytes(member.file_size)}; it is refused as a possible zip bomb. Save the data as CSV."
            )


class _CellError(str):
    """A spreadsheet error value such as #DIV/0!, kept apart from text that merely looks like one."""


def _present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


# --------------------------------------------------------------------------- cell parsing


def is_blank(raw) -> bool:
    """Return True for an empty cell: blank means "not given", never 0."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


# Digits in the largest count: a digit string with fewer is always a count; longer ones take the full check.
_COUNT_DIGITS = len(str(validation.MAX_COUNT))


def is_plain_count(raw) -> bool:
    """Return True for the common cell: text of plain ASCII digits, too short to exceed the largest count."""
    return type(raw) is str and len(raw) < _COUNT_DIGITS and raw.isascii() and raw.isdigit()


def parse_count(raw) -> int | None:
    """Return the whole number in a cell, None when blank; raise ValueError saying what is wrong.

    Text goes through the form's own rule (returns.validation.parse_count: the
    digits 0-9, optionally grouped in thousands). A spreadsheet number must be
    whole; dates, TRUE/FALSE and error values are refused.
    """
    if is_plain_count(raw):
        return int(raw)  # the common case, without the text patterns
    if is_blank(raw):
        return None
    if isinstance(raw, _CellError):
        raise ValueError(f"the cell holds the spreadsheet error {raw}")
    if isinstance(raw, bool):
        raise ValueError("TRUE/FALSE is not a count")
    if isinstance(raw, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise ValueError("a date or time is not a count")
    if isinstance(raw, (float, Decimal)):
        if raw != raw or raw in (float("inf"), float("-inf")) or raw != int(raw):
            raise ValueError(f"{raw} is not a whole number")
        raw = int(raw)
    elif not isinstance(raw, int):
        raw = str(raw)
    try:
        return validation.parse_count(raw)
    except validation.CountError as exc:
        raise ValueError(str(exc)) from None


def parse_month(raw) -> Month:
    """Return the month in a cell written YYYY-MM (or a spreadsheet date on the 1st); raise ValueError."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        # Excel turns a typed "2017-12" into the date 1 December 2017.
        if raw.day != 1:
            raise ValueError(f"{raw:%d %B %Y} is a date; give the month as YYYY-MM")
        return Month.of(raw)
    if is_blank(raw):
        raise ValueError("the month is blank; give it as YYYY-MM")
    text = str(raw).strip()
    try:
        return Month.parse(text)
    except ValueError:
        raise ValueError(f"“{shorten(text, 30)}” is not a month in the form YYYY-MM (e.g. 2017-12)") from None


def cell_text(raw) -> str:
    """Return a code or name cell as stripped text (whole numbers without a trailing .0)."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


# --------------------------------------------------------------------------- headers


def header_key(text: str) -> str:
    """Return a header as compared: trimmed and lower case (so `Month` is `month`)."""
    return text.strip().lower()


def locate_columns(
    sheet: Sheet | SheetStream,
    expected: list[str],
    *,
    form: str = "",
    optional: tuple[str, ...] = (),
    check_cells: bool = True,
) -> dict[str, int]:
    """Return each expected (and present optional) column's index; refuse missing, renamed, duplicated or extra ones.

    A column with no header is ignored when every cell under it is blank (a
    spreadsheet often reports one); with values under it, it is refused.
    """
    problems = Problems()
    wanted = ",".join(expected) + "".join(f" (and optionally {name})" for name in optional)
    found: dict[str, int] = {}
    for index, raw in enumerate(sheet.headers):
        key = header_key(raw)
        if not key:
            continue
        if key in found:
            problems.add(f"the column “{raw}” appears twice", row=1)
        elif key in expected or key in optional:
            found[key] = index
        else:
            problems.add(f"the column “{raw}” is not expected{form}; the header must be exactly: {wanted}", row=1)
    for name in expected:
        if name not in found:
            problems.add(f"the column “{name}” is missing{form}; the header must be exactly: {wanted}", row=1)
    problems.raise_if_any()
    if check_cells:  # a stream's rows are checked as they are read (headerless_value)
        check_headerless_cells(sheet)  # type: ignore[arg-type]
    return found


def check_headerless_cells(sheet: Sheet) -> None:
    """Refuse values in columns that have no header (beyond the header row, or under a blank header)."""
    named = named_columns(sheet.headers)
    problems = Problems()
    for number, cells in sheet.rows:
        message = headerless_value(cells, named)
        if message:
            problems.add(message, row=number)
    problems.raise_if_any()


def named_columns(headers: list[str]) -> frozenset[int]:
    """Return the indexes of the columns that have a header."""
    return frozenset(i for i, h in enumerate(headers) if h.strip())


def headerless_value(cells: tuple, named: frozenset[int]) -> str | None:
    """Return why a row is refused when it has a value in a column without a header, else None."""
    for index, value in enumerate(cells):
        if index not in named and not is_blank(value):
            return f"there is a value ({_short_repr(value)}) in column {column_letter(index)}, which has no header"
    return None


def _short_repr(value) -> str:
    text = cell_text(value)
    return f"“{shorten(text, 30)}”"


def cell_at(cells: tuple, index: int):
    """Return the cell at index, or None past the end of a short row."""
    return cells[index] if index < len(cells) else None


# --------------------------------------------------------------------------- workbooks read sheet by sheet


def check_workbook(data: bytes, file_name: str) -> None:
    """Refuse anything but a safe Excel workbook: too large, another kind of file, macros, a zip bomb.

    For readers that stream a workbook's sheets themselves (the Annex A import)
    rather than read its first sheet through `read_sheet`.
    """
    check_size(len(data), file_name)
    kind = sniff_kind(data, file_name)
    if kind != "xlsx":
        raise ImportRefused(f"{file_name} is a CSV file; this import needs an Excel workbook (.xlsx).")
    _check_unzipped_size(io.BytesIO(data), file_name)
