"""Building small Annex A workbooks for tests, sheet by sheet, with openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from lib.workdays import WorkingCalendar

HEADERS = {
    "List 3": ["Child Unique ID", "Gender", "Date of Birth", "Date of Referral", "Referral Source",
               "Number of Referrals in Last 12 Months", "Allocated Team", "Allocated Worker"],
    "List 4": ["Child Unique ID", "Continuous Assessment Start Date", "Child Seen During Continuous Assessment",
               "Continuous Assessment Date of Authorisation", "Allocated Team", "Allocated Worker"],
    "List 6": ["Child Unique ID", "CIN Start Date", "CIN Closure Date", "Case Status", "Allocated Team",
               "Allocated Worker"],
    "List 7": ["Child Unique ID", "Child Protection Plan Start Date", "Date of the Last Statutory Visit",
               "Child Protection Plan End Date", "Allocated Team", "Allocated Worker"],
    "List 8": ["Child Unique ID", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
               "Date Started to be Looked After", "Date Ceased to be Looked After", "Allocated Team",
               "Allocated Worker"],
    "List 9": ["Child Unique ID", "Date of Birth", "Allocated Team", "Activity Status"],
    "List 10": ["Child Unique ID", "Date the Child Entered Care", "Date of Placement Order",
                "Date of Matching Child and Prospective Adopters", "Date Placed for Adoption"],
}


def book(sheets: dict[str, list[list]], *, headers: dict[str, list[str]] | None = None) -> bytes:
    """Return the bytes of a workbook with a sheet per name: the standard header (or the given one), then rows."""
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
