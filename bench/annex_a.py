"""Benchmark: import an Annex A workbook of 100,000 child rows across the lists, and its memory.

    DATABASE_URL=postgres://.../<name> python bench/annex_a.py [--rows 100000] [--repeat 3]

Runs in a scratch database Django creates beside the configured one
(test_<name>, dropped afterwards). Sets up a council of 50 teams, builds a
workbook (not timed) of `--rows` rows spread over Lists 3, 4, 6, 7, 8, 9 and 10
as a real extract would be (referrals and children in need the longest), then
times, best of `--repeat`:

1. the preview (a dry run: read, derive, map the teams, plan, check the rules);
2. the first import (values written to 51 draft returns and audited);
3. importing the same file again (nothing to write).

Memory: the peak Python allocation while reading and deriving (tracemalloc,
in a separate untimed run) for a fifth of the rows and for all of them. Flat
memory means the two peaks are alike: rows are counted and dropped, never
collected; what grows is the shared strings table (every child's ID is a
distinct string), as it must for any reader of the file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key")
# The size limit is not what is measured.
os.environ.setdefault("IMPORT_MAX_BYTES", str(64 * 1024 * 1024))

import django

django.setup()

import openpyxl  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from lib.months import Month  # noqa: E402
from lib.workdays import WorkingCalendar  # noqa: E402
from returns.annex_a.importer import annex_a_import  # noqa: E402
from returns.annex_a.reader import derive  # noqa: E402
from returns.models import Return, ReturnValue, StateChange, ValueChange  # noqa: E402
from returns.reference_import import reference_import  # noqa: E402
from tests.returns.annex_a_books import with_shared_strings  # noqa: E402

TEAMS = 50
TARGET_SECONDS = 10
MONTH = Month(2017, 12)
SHARES = {
    "List 3": 0.30,
    "List 4": 0.15,
    "List 6": 0.25,
    "List 7": 0.10,
    "List 8": 0.10,
    "List 9": 0.05,
    "List 10": 0.05,
}
HEADERS = {
    "List 3": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Date of Referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 4": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Does the Child have a Disability",
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 6": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Case Status",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 7": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Date of the Last Statutory Visit",
        "Child Protection Plan End Date",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 8": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "Date Started to be Looked After",
        "Child's Legal Status",
        "Date Ceased to be Looked After",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 9": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Allocated Team",
        "Eligibility Category",
        "Activity Status",
    ],
    "List 10": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Date the Child Entered Care",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
    ],
}


def to_csv(rows: list[list]) -> bytes:
    return "\n".join(",".join(map(str, row)) for row in rows).encode()


def set_up_council() -> None:
    reference_import(kind="council", file_name="council.csv", data=to_csv([["code", "name"], ["CITY", "Bench City"]]))
    areas = [["code", "name", "kind"]] + [[f"AREA{n}", f"Area {n}", "locality"] for n in range(1, 6)]
    reference_import(kind="areas", file_name="areas.csv", data=to_csv(areas))
    types = ["assessment", "safeguarding", "children_in_care", "disabled_children", "uasc"]
    teams = [["code", "name", "area", "team_type"]] + [
        [f"T{n:02d}", f"Team {n}", f"AREA{n % 5 + 1}", types[n % len(types)]] for n in range(1, TEAMS + 1)
    ]
    reference_import(kind="teams", file_name="teams.csv", data=to_csv(teams))


def row(sheet: str, n: int) -> list:
    """Return the n-th synthetic row of a list: dates spread over two years ending in the bench month."""
    day = dt.date(2016, 1, 1) + dt.timedelta(days=n % 731)
    birth = dt.date(1996, 1, 1) + dt.timedelta(days=n % 7000)
    team, worker = f"Team {n % TEAMS + 1}", ("SW" if n % 9 else None)
    child = [f"C{n:07d}", "a) Male" if n % 2 else "b) Female", "a) WBRI", birth, 7]
    if sheet == "List 3":
        return [*child, day, "Police", "b) No", n % 4, team, worker]
    if sheet == "List 4":
        return [*child[:5], "b) No", day - dt.timedelta(days=n % 90), "a) Yes" if n % 5 else "b) No", day, team, worker]
    if sheet == "List 6":
        return [
            *child,
            day,
            "N1",
            day,
            day + dt.timedelta(days=400) if n % 3 else None,
            "a) Looked after child" if n % 6 == 0 else "c) Child in need plan",
            team,
            worker,
        ]
    if sheet == "List 7":
        ended = None if n % 4 else day + dt.timedelta(days=300)
        return [*child, day, "a) Neglect", day + dt.timedelta(days=n % 40), ended, team, worker]
    if sheet == "List 8":
        ceased = None if n % 3 else day + dt.timedelta(days=500)
        return [*child, "a) Yes" if n % 10 == 0 else "b) No", day, "C2: FCO", ceased, team, worker]
    if sheet == "List 9":
        return [f"C{n:07d}", "a) Male", "a) WBRI", birth, team, "c) Qualifying care leaver", ("F1", "G5", "P3")[n % 3]]
    return [
        f"C{n:07d}",
        "a) Male",
        "a) WBRI",
        birth,
        day - dt.timedelta(days=700),
        day - dt.timedelta(days=200),
        day,
        day + dt.timedelta(days=60),
    ]


def workbook(rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    made = 0
    for index, (sheet_name, share) in enumerate(SHARES.items()):
        count = rows - made if index == len(SHARES) - 1 else int(rows * share)
        sheet = book.create_sheet(sheet_name)
        sheet.append(HEADERS[sheet_name])
        for n in range(count):
            sheet.append(row(sheet_name, made + n))
        made += count
    out = io.BytesIO()
    book.save(out)
    # openpyxl writes text inline; Excel, and so a council's file, keeps it in a shared strings table.
    return with_shared_strings(out.getvalue())


def clear_returns() -> None:
    for model in (ValueChange, StateChange, ReturnValue, Return):
        model.objects.all()._raw_delete(model.objects.db)


def timed(**kwargs) -> tuple[float, float, int, object]:
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        result = annex_a_import(file_name="annex-a.xlsx", month=MONTH, actor=None, unmapped_to_authority=True, **kwargs)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, len(queries), result


def peak_memory(data: bytes, calendar: WorkingCalendar) -> int:
    """Return the peak bytes Python allocated while deriving (the upload itself was allocated before)."""
    tracemalloc.start()
    derive(data, "annex-a.xlsx", MONTH, calendar)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def run(rows: int, repeat: int) -> None:
    set_up_council()
    started = time.perf_counter()
    data = workbook(rows)
    built = time.perf_counter() - started
    print(
        f"database: {connection.vendor} ({connection.settings_dict['NAME']}), rows: {rows:,} across "
        f"{len(SHARES)} lists, file: {len(data) / 1024 / 1024:,.1f} MB (built in {built:.1f} s, not timed), "
        f"best of {repeat}"
    )
    phases = [("preview (dry run)", {"dry_run": True}), ("first import", {}), ("same file again", {})]
    for label, kwargs in phases:
        best = None
        for _ in range(repeat):
            if label == "first import":
                clear_returns()
            elapsed, cpu, queries, result = timed(data=data, **kwargs)
            if best is None or elapsed < best[0]:
                best = (elapsed, cpu, queries, result)
        elapsed, cpu, queries, result = best
        verdict = "under" if elapsed < TARGET_SECONDS else "OVER"
        print(
            f"  {label:<18} {elapsed:6.2f} s ({cpu:5.2f} s CPU here), {rows / elapsed:9,.0f} rows/s, "
            f"{queries:4d} queries, {result.changed:5d} values changed  [{verdict} {TARGET_SECONDS} s]"
        )
    small = workbook(rows // 5)
    calendar = WorkingCalendar()
    derive(small, "annex-a.xlsx", MONTH, calendar)  # once untraced: imports and the holiday table are one-offs
    small_peak, full_peak = peak_memory(small, calendar), peak_memory(data, calendar)
    print(
        f"  peak memory deriving (tracemalloc): {rows // 5:,} rows {small_peak / 1024 / 1024:.1f} MB; "
        f"{rows:,} rows {full_peak / 1024 / 1024:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args.rows, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
