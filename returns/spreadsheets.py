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
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings

from lib.months import Month
from returns import validation

# More problems than this are summarised: nobody reads past the first screenful.
MAX_PROBLEMS = 200
# Non-blank rows in one file; blank rows are skipped and not counted.
MAX_ROWS = 500_000
# A real workbook expands perhaps ten times when unzipped; a zip bomb expands thousands of times.
UNZIPPED_FACTOR = 10
MAX_ZIP_MEMBERS = 2_000

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


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_size(size: int, file_name: str) -> None:
    """Refuse a file over settings.IMPORT_MAX_BYTES before reading it."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportRefused(
            f"{file_name} is {_megabytes(size)}; the largest file an import accepts is {_megabytes(limit)}. "
            "Split it into smaller files (for example one per year)."
        )
    if size == 0:
        raise ImportRefused(f"{file_name} is empty.")


def read_sheet(data: bytes, file_name: str) -> Sheet:
    """Return the rows of a CSV or XLSX file, or raise ImportRefused saying why it cannot be read."""
    check_size(len(data), file_name)
    kind = sniff_kind(data, file_name)
    if kind == "csv":
        text, encoding = decode_text(data, file_name)
        headers, rows, blanks = _csv_rows(text)
    else:
        encoding = ""
        headers, rows, blanks = _xlsx_rows(data, file_name)
    return Sheet(file_name=file_name, sha256=file_sha256(data), kind=kind, headers=headers,
                 rows=rows, blank_rows=blanks, encoding=encoding)


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


def sniff_kind(data: bytes, file_name: str) -> str:
    """Return "csv" or "xlsx" from the file's content, refusing it unless its extension says the same."""
    extension = PurePath(file_name).suffix.lower()
    if extension in _EXTENSION_ADVICE:
        raise ImportRefused(_EXTENSION_ADVICE[extension])
    if extension not in ALLOWED_EXTENSIONS:
        said = f"a {extension} file" if extension else "a file without an extension"
        raise ImportRefused(f"{file_name} is {said}; only CSV (.csv) and Excel workbook (.xlsx) files can be imported.")
    actual = _content_kind(data)
    if actual != extension.lstrip("."):
        what = {"csv": "a CSV text file", "xlsx": "an Excel workbook"}.get(actual, actual)
        raise ImportRefused(
            f"{file_name} is not what its extension says: it is {what}. "
            "Save it from your spreadsheet program as CSV or Excel workbook (.xlsx) and try again."
        )
    return actual


def _content_kind(data: bytes) -> str:
    """Return "csv", "xlsx" or a description of what else the bytes are."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_kind(data)
    for signature, description in _SIGNATURES:
        if data.startswith(signature):
            return description
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:65536]:
        return "a binary file or UTF-16 text (save CSV files as UTF-8)"
    return "csv"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:200]:
                return "an OpenDocument file (.ods)"
            if "xl/vbaProject.bin" in names or any(n.lower().endswith(".bin") and "vba" in n.lower() for n in names):
                return "a macro-enabled workbook (.xlsm)"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                types = archive.getinfo("[Content_Types].xml")
                if types.file_size > 1_000_000:
                    return "a damaged or suspicious workbook"
                content_types = archive.read("[Content_Types].xml")
                if b"macroEnabled" in content_types:
                    return "a macro-enabled workbook (.xlsm)"
                if b"sheet.binary" in content_types:
                    return "a binary workbook (.xlsb)"
                return "xlsx"
            return "a zip archive, not an Excel workbook"
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return "a damaged zip file"


def decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    """Return the text of a CSV file in UTF-8 (with or without BOM) or Windows-1252, and the encoding used."""
    candidates = ("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ("utf-8", "cp1252")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        bad = _CONTROL.search(text)
        if bad:
            line = text.count("\n", 0, bad.start()) + 1
            raise ImportRefused(Problem(
                f"{file_name} contains a control character (code {ord(bad.group()):#04x}), "
                "so it is not a plain-text CSV file.", row=line))
        return text, encoding
    raise ImportRefused(
        f"{file_name} cannot be read as UTF-8 or Windows-1252 text. "
        "Save it from your spreadsheet program as “CSV UTF-8” and try again."
    )


# Tab, newline and carriage return are text; every other C0 control (and DEL) is not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _csv_rows(text: str) -> tuple[list[str], list[tuple[int, tuple]], int]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header_row = next(reader, None)
        if header_row is None:
            raise ImportRefused("The file has no header row.")
        if len(header_row) == 1 and ";" in header_row[0]:
            raise ImportRefused(Problem("Separate the columns with commas, not semicolons.", row=1))
        rows: list[tuple[int, tuple]] = []
        blanks = 0
        for number, cells in enumerate(reader, start=2):
            if not "".join(cells).strip():
                blanks += 1
                continue
            rows.append((number, tuple(cells)))
            if len(rows) > MAX_ROWS:
                raise ImportRefused(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")
    except csv.Error as exc:
        raise ImportRefused(Problem(f"The CSV file is malformed ({exc}).", row=reader.line_num)) from None
    return [h.strip() for h in header_row], rows, blanks


def _xlsx_rows(data: bytes, file_name: str) -> tuple[list[str], list[tuple[int, tuple]], int]:
    import defusedxml
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - a deployment without defusedxml is refused outright
        raise ImportRefused("Excel files cannot be read safely on this server (defusedxml is missing); use CSV.")
    _check_unzipped_size(data, file_name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                if not workbook.worksheets:
                    raise ImportRefused(f"{file_name} has no worksheets.")
                sheet = workbook.worksheets[0]
                header_row, rows, blanks, formulas = _sheet_rows(sheet)
            finally:
                workbook.close()
            if formulas:
                rows = _replace_formulas(data, rows, formulas, header_row)
    except ImportRefused:
        raise
    except MemoryError:  # pragma: no cover - belt and braces behind the unzipped-size check
        raise ImportRefused(f"{file_name} is too large to read.") from None
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks; none of them should be a 500
        if _caused_by(exc, defusedxml.DefusedXmlException):
            raise ImportRefused(
                f"{file_name} contains XML entity or DTD declarations, which are refused because they can be "
                "used to attack the server. Save a fresh copy from Excel and try again."
            ) from None
        raise ImportRefused(
            f"{file_name} is damaged or not a workbook Excel saved; save a fresh copy and try again."
        ) from None
    return header_row, rows, blanks


def _caused_by(exc: BaseException, kind: type) -> bool:
    """Return True if the exception or one it was raised from is of the kind (openpyxl wraps parse errors)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _check_unzipped_size(data: bytes, file_name: str) -> None:
    """Refuse a workbook that would expand past UNZIPPED_FACTOR times the upload limit (a zip bomb)."""
    limit = settings.IMPORT_MAX_BYTES * UNZIPPED_FACTOR
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise ImportRefused(f"{file_name} is a damaged zip file.") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportRefused(f"{file_name} holds {len(members):,} parts; a workbook Excel saves has far fewer.")
    # The sizes are those the archive declares; zipfile never inflates a part past its declared size
    # (it stops and fails the checksum), so a lying header cannot get round this check.
    total = sum(member.file_size for member in members)
    if total > limit:
        raise ImportRefused(
            f"{file_name} would expand to {_megabytes(total)} when unzipped (the limit is {_megabytes(limit)}); "
            "it is refused as a possible zip bomb. Save the data as CSV, or split it."
        )


def _sheet_rows(sheet) -> tuple[list[str], list[tuple[int, tuple]], int, list[tuple[int, int]]]:
    """Return headers, non-blank rows, the blank-row count and (row index, column) of every formula cell."""
    header_row: list[str] | None = None
    rows: list[tuple[int, tuple]] = []
    formulas: list[tuple[int, int]] = []
    blanks = 0
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values = []
        for column, cell in enumerate(cells):
            value = cell.value
            kind = cell.data_type
            if kind == "f":
                formulas.append((len(rows) if header_row is not None else -1, column))
            elif kind == "e":
                value = _CellError(str(value))
            values.append(value)
        if header_row is None:
            if not any(_present(v) for v in values):
                blanks += 1
                continue
            header_row = ["" if v is None else str(v).strip() for v in values]
            continue
        if not any(_present(v) for v in values):
            blanks += 1
            continue
        rows.append((number, tuple(values)))
        if len(rows) > MAX_ROWS:
            raise ImportRefused(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")
    if header_row is None:
        raise ImportRefused("The first worksheet is empty: it has no header row.")
    if any(index == -1 for index, _ in formulas):
        raise ImportRefused(Problem("The header row contains formulas; type the column names instead.", row=1))
    return header_row, rows, blanks, formulas


def _replace_formulas(data: bytes, rows, formulas, headers):
    """Swap each formula for the result Excel saved with it; refuse formulas saved without one."""
    import openpyxl

    wanted: dict[int, list[int]] = {rows[index][0]: [] for index, _ in formulas}
    for index, column in formulas:
        wanted[rows[index][0]].append(column)
    cached: dict[tuple[int, int], object] = {}
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for number, cells in enumerate(workbook.worksheets[0].iter_rows(), start=1):
            for column in wanted.get(number, ()):
                cell = cells[column] if column < len(cells) else None
                cached[(number, column)] = None if cell is None else (
                    _CellError(str(cell.value)) if cell.data_type == "e" else cell.value)
    finally:
        workbook.close()
    problems = Problems()
    rows = list(rows)
    for index, column in formulas:
        number, values = rows[index]
        result = cached.get((number, column))
        if result is None:
            name = headers[column] if column < len(headers) and headers[column] else f"{column + 1}"
            problems.add("The cell holds a formula with no saved result. Open the file in Excel, let it "
                         "calculate, save it, and import it again (or paste the values only).",
                         row=number, column=name)
            continue
        values = list(values)
        values[column] = result
        rows[index] = (number, tuple(values))
    problems.raise_if_any()
    return rows


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


def parse_count(raw) -> int | None:
    """Return the whole number in a cell, None when blank; raise ValueError saying what is wrong.

    Text goes through the form's own rule (returns.validation.parse_count: the
    digits 0-9, optionally grouped in thousands). A spreadsheet number must be
    whole; dates, TRUE/FALSE and error values are refused.
    """
    if type(raw) is str and raw.isascii() and raw.isdigit():
        return validation.parse_count(int(raw))  # the common case, without the text patterns
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
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise ValueError(f"“{shown}” is not a month in the form YYYY-MM (e.g. 2017-12)") from None


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


def locate_columns(sheet: Sheet, expected: list[str], *, form: str = "",
                   optional: tuple[str, ...] = ()) -> dict[str, int]:
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
    check_headerless_cells(sheet)
    return found


def check_headerless_cells(sheet: Sheet) -> None:
    """Refuse values in columns that have no header (beyond the header row, or under a blank header)."""
    named = {i for i, h in enumerate(sheet.headers) if h.strip()}
    width = len(sheet.headers)
    problems = Problems()
    for number, cells in sheet.rows:
        for index, value in enumerate(cells):
            if (index >= width or index not in named) and not is_blank(value):
                problems.add(f"there is a value ({_short_repr(value)}) in column {_column_letter(index)}, "
                             "which has no header", row=number)
                break
    problems.raise_if_any()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _short_repr(value) -> str:
    text = cell_text(value)
    return f"“{text if len(text) <= 30 else text[:27] + '...'}”"


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
    _check_unzipped_size(data, file_name)
