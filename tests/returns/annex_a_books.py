"""Building small Annex A workbooks for tests, sheet by sheet, with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl

from lib.workdays import WorkingCalendar

HEADERS = {
    "List 3": [
        "Child Unique ID",
        "Gender",
        "Date of Birth",
        "Date of Referral",
        "Referral Source",
        "Number of Referrals in Last 12 Months",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 4": [
        "Child Unique ID",
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 6": [
        "Child Unique ID",
        "CIN Start Date",
        "CIN Closure Date",
        "Case Status",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 7": [
        "Child Unique ID",
        "Child Protection Plan Start Date",
        "Date of the Last Statutory Visit",
        "Child Protection Plan End Date",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 8": [
        "Child Unique ID",
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "Date Started to be Looked After",
        "Date Ceased to be Looked After",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 9": ["Child Unique ID", "Date of Birth", "Allocated Team", "Activity Status"],
    "List 10": [
        "Child Unique ID",
        "Date the Child Entered Care",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
    ],
}


def book(
    sheets: dict[str, list[list]], *, headers: dict[str, list[str]] | None = None, shared_strings: bool = True
) -> bytes:
    """Return the bytes of a workbook with a sheet per name: the standard header (or the given one), then rows.

    Text is stored as Excel stores it, in a shared strings table (openpyxl writes it inline), unless
    `shared_strings` is False.
    """
    headers = {**HEADERS, **(headers or {})}
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        if name in headers:
            sheet.append(headers[name])
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return with_shared_strings(out.getvalue()) if shared_strings else out.getvalue()


_INLINE = re.compile(
    r'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>', re.DOTALL
)


def with_shared_strings(data: bytes) -> bytes:
    """Return the workbook with its inline strings moved to a shared strings table, as Excel saves text."""
    source = zipfile.ZipFile(io.BytesIO(data))
    strings: dict[str, int] = {}

    def shared(match: re.Match) -> str:
        index = strings.setdefault(match.group(3), len(strings))
        return f'<c r="{match.group(1)}"{match.group(2)} t="s"><v>{index}</v></c>'

    parts = {name: source.read(name) for name in source.namelist()}
    for name in parts:
        if name.startswith("xl/worksheets/"):
            parts[name] = _INLINE.sub(shared, parts[name].decode()).encode()
    items = "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in strings)
    parts["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdStrings" /></Relationships>',
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


def working_days_before(day: dt.date, n: int) -> dt.date:
    """Return the date n working days (England and Wales) before the day."""
    calendar = WorkingCalendar()
    start = day
    while calendar.count(start, day) < n:
        start -= dt.timedelta(days=1)
    return start
