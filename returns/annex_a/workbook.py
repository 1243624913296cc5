"""Streaming the worksheets of an .xlsx workbook, row by row, with flat memory.

An Annex A workbook holds tens of thousands of rows; openpyxl takes seconds
per ten thousand of them, so the sheets are read here straight from their XML:
decompressed a megabyte at a time and scanned for rows and cells with regular
expressions (nothing is expanded: a DTD or entity declaration refuses the
file), each row handed on and forgotten. The small parts that say which sheet
is where are parsed by defusedxml. The file is first put through the same
checks as every other upload (`returns.spreadsheets.check_workbook`: size,
that it is really a workbook without macros, that it is no zip bomb).

Cells come back as Python values without styles: text as str, numbers as
float (a date is its Excel serial number: the reader of a date column knows
what it expects), booleans as bool, error cells as `CellError`, and formulas
saved without a result as `NO_RESULT`. A formula's saved result is its value.
"""

from __future__ import annotations

import codecs
import html
import io
import posixpath
import re
import zipfile
from array import array
from collections.abc import Iterator
from contextlib import contextmanager

import defusedxml
from defusedxml.ElementTree import iterparse

from returns.spreadsheets import ImportRefused, check_workbook

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CHUNK = 1 << 20  # characters of XML handled at a time
# Excel and other writers put the reference first in each cell (<c r="B7" ...>); a prefix such as x: is allowed.
_ROW_OR_CELL = re.compile(
    r"<(?:\w+:)?row\b(?P<row_attrs>[^>]*)>"
    r"|<(?:\w+:)?c\s+r=\"(?P<letters>[A-Z]{1,3})\d+\"(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?:\w+:)?c>)",
    re.DOTALL,
)
# A cell whose first attribute is not its reference: this reader needs the reference to place it.
_UNREFERENCED_CELL = re.compile(r'<(?:\w+:)?c(?:>|\s+(?!r=")[^>]*>)')
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_TYPE = re.compile(r'\bt="(\w+)"')
_VALUE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.DOTALL)
_FORMULA = re.compile(r"<(?:\w+:)?f\b")
_SHARED_ITEM = re.compile(r"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", re.DOTALL)
_TEXT = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.DOTALL)
_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.DOTALL)
_ENCODING = re.compile(r'<\?xml[^>]*encoding="([^"]+)"')
_ENTITIES = (
    "{name} contains XML entity or DTD declarations, which are refused because they can be used to attack "
    "the server. Save a fresh copy from Excel and try again."
)


class CellError(str):
    """A spreadsheet error value such as #N/A, kept apart from ordinary text."""


class _NoResult:
    def __repr__(self) -> str:
        return "NO_RESULT"


NO_RESULT = _NoResult()  # a formula saved without its result (the workbook was never calculated)


class SharedStrings:
    """The workbook's shared strings packed as UTF-8 in one buffer, with their end offsets.

    Every child's ID is a distinct shared string; as separate Python strings a
    hundred thousand of them take several times the memory they do packed here.
    """

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("Q")

    def append(self, text: str) -> None:
        self._data += text.encode()
        self._ends.append(len(self._data))

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        end = self._ends[index]
        return self._data[self._ends[index - 1] if index else 0 : end].decode()

    def __len__(self) -> int:
        return len(self._ends)


class Workbook:
    """The sheets of a checked workbook, by name, each readable once as a stream of rows."""

    def __init__(self, archive: zipfile.ZipFile, file_name: str) -> None:
        self.archive = archive
        self.file_name = file_name
        self.date1904 = False
        self.paths = self._sheet_paths()
        self._strings: SharedStrings | None = None

    @property
    def sheet_names(self) -> list[str]:
        return list(self.paths)

    def rows(self, name: str, wanted: set[int] | None = None) -> Iterator[tuple[int, dict[int, object]]]:
        """Yield (row number, {column index: value}) for each row of the sheet that has any cell.

        `wanted` (column indexes) may be filled in while reading, once the header row has said which
        columns matter; until it has any, every column is read.
        """
        strings = self._shared_strings()
        columns: dict[str, int] = {}
        row_number = 0
        try:
            for chunk in self._chunks(self.paths[name], "row"):
                if _UNREFERENCED_CELL.search(chunk):
                    raise ImportRefused(
                        f"{self.file_name} was saved by a program that leaves out cell references; "
                        "open it in Excel, save it, and import it again."
                    )
                cells: dict[int, object] | None = None
                for match in _ROW_OR_CELL.finditer(chunk):
                    letters = match.group("letters")
                    if letters is None:
                        if cells:
                            yield row_number, cells
                        number = _ROW_NUMBER.search(match.group("row_attrs") or "")
                        row_number = int(number.group(1)) if number else row_number + 1
                        cells = {}
                        continue
                    column = columns.get(letters)
                    if column is None:
                        column = columns[letters] = _column_index(letters)
                    if wanted and column not in wanted:
                        continue
                    value = _cell_value(match.group("attrs"), match.group("body"), strings)
                    if value is not None and cells is not None:
                        cells[column] = value
                if cells:
                    yield row_number, cells
        except (ValueError, IndexError):  # a number or a shared string reference that is not one
            raise ImportRefused(self._damaged()) from None

    def _shared_strings(self) -> SharedStrings:
        if self._strings is None:
            self._strings = SharedStrings()
            path = self._content_path("sharedStrings")
            if path:
                for chunk in self._chunks(path, "si"):
                    for body in _SHARED_ITEM.findall(chunk):
                        self._strings.append(_string_item(body))
        return self._strings

    def _chunks(self, path: str, element: str) -> Iterator[str]:
        """Yield the part's text in pieces that each end just after an `element` closes (and the rest last)."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        pending = ""
        first = True
        try:
            with self.archive.open(path) as stream:
                while True:
                    block = stream.read(_CHUNK)
                    text = pending + decoder.decode(block, final=not block)
                    if first:
                        self._check_prolog(text[:2000])
                        first = False
                    if not block:
                        if text:
                            yield text
                        return
                    cut = _after_last_close(text, element)
                    if cut == -1:
                        pending = text
                        continue
                    pending = text[cut:]
                    yield text[:cut]
        except ImportRefused:
            raise
        except (
            KeyError,
            zipfile.BadZipFile,
            OSError,
            EOFError,
            ValueError,
            IndexError,
            UnicodeDecodeError,
            RuntimeError,
        ):
            # ValueError/IndexError: a number or shared string reference that is not one.
            raise ImportRefused(self._damaged()) from None

    def _check_prolog(self, text: str) -> None:
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise ImportRefused(_ENTITIES.format(name=self.file_name))
        declared = _ENCODING.search(text)
        if declared and declared.group(1).lower().replace("-", "") != "utf8":
            raise ImportRefused(self._damaged())

    def _damaged(self) -> str:
        return f"{self.file_name} is damaged or not a workbook Excel saved; save a fresh copy and try again."

    def _content_path(self, kind: str) -> str:
        for target, rel_type in self._relationships("xl/_rels/workbook.xml.rels").values():
            if rel_type.endswith("/" + kind):
                return target
        return ""

    def _sheet_paths(self) -> dict[str, str]:
        relationships = self._relationships("xl/_rels/workbook.xml.rels")
        paths: dict[str, str] = {}
        with self._parse("xl/workbook.xml", ("end",)) as events:
            for _, element in events:
                if element.tag == f"{_MAIN}workbookPr":
                    self.date1904 = element.get("date1904", "").lower() in ("1", "true")
                elif element.tag == f"{_MAIN}sheet":
                    target = relationships.get(element.get(f"{_REL}id", ""), ("", ""))[0]
                    if target in self.archive.NameToInfo:
                        paths[element.get("name", "")] = target
        return paths

    def _relationships(self, path: str) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        if path not in self.archive.NameToInfo:
            return found
        with self._parse(path, ("end",)) as events:
            for _, element in events:
                if element.tag == f"{_PKG}Relationship":
                    target = element.get("Target", "")
                    target = (
                        target.lstrip("/")
                        if target.startswith("/")
                        else posixpath.normpath(posixpath.join("xl", target))
                    )
                    found[element.get("Id", "")] = (target, element.get("Type", ""))
        return found

    @contextmanager
    def _parse(self, path: str, events: tuple[str, ...]):
        try:
            with self.archive.open(path) as stream:
                yield iterparse(stream, events=events, forbid_dtd=True)
        except ImportRefused:
            raise
        except defusedxml.DefusedXmlException:
            raise ImportRefused(_ENTITIES.format(name=self.file_name)) from None
        except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, SyntaxError, RuntimeError):
            # SyntaxError covers ElementTree's ParseError.
            raise ImportRefused(self._damaged()) from None


@contextmanager
def open_workbook(data: bytes, file_name: str) -> Iterator[Workbook]:
    """Check the upload like every other (size, kind, zip bomb), then open its sheets for streaming."""
    check_workbook(data, file_name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRefused(f"{file_name} is a damaged zip file.") from None
    with archive:
        yield Workbook(archive, file_name)


def _after_last_close(text: str, element: str) -> int:
    """Return the index just after the last closing tag of the element (</row> or </x:row>), or -1."""
    end = len(text)
    tail = element + ">"
    while True:
        found = text.rfind(tail, 0, end)
        if found == -1:
            return -1
        opening = text.rfind("<", 0, found)
        if (
            opening != -1
            and text[opening + 1 : opening + 2] == "/"
            and (opening + 2 == found or (text[found - 1] == ":" and text[opening + 2 : found - 1].isalnum()))
        ):
            return found + len(tail)
        end = found  # an opening tag (<si>) or a longer name ending the same way: look further back


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _cell_value(attrs: str, body: str | None, strings: SharedStrings) -> object:
    kind_match = _TYPE.search(attrs)
    kind = kind_match.group(1) if kind_match else "n"
    if not body:
        return None
    if kind == "inlineStr":
        return _string_item(body)
    value = _VALUE.search(body)
    if value is None:
        return NO_RESULT if _FORMULA.search(body) else None
    text = value.group(1)
    if kind == "s":
        return strings[int(text)]
    if kind == "n":
        return float(text)
    if kind == "b":
        return text.strip() == "1"
    if kind == "e":
        return CellError(_unescape(text))
    return _unescape(text)  # "str" (a formula's text result) or "d" (an ISO date, read as text by the date parser)


def _string_item(body: str) -> str:
    """Return the text of a string item: its <t>s joined (rich-text runs), phonetic hints left out."""
    body = _PHONETIC.sub("", body)
    return _unescape("".join(_TEXT.findall(body)))


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text
