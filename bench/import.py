"""Benchmark: import 20,000 long-form return rows through the product's real import path.

    python bench/import.py [--rows 20000]

Runs on the database DATABASE_URL names, in a scratch database Django creates
beside it (test_<name>, dropped afterwards), so real data is never touched.
Sets up a council of 50 teams from reference files, writes a long-form CSV of
`--rows` rows (months x 50 teams x the 13 team-level measures), then times:

1. a first import (every value new: returns started, values inserted, audited);
2. a re-import of the same rows with every value changed;
3. a re-import of the unchanged file (nothing to write, nothing audited);
4. on PostgreSQL, a plain COPY of the same rows into a scratch table, the
   physical limit the import is measured against.

Each import is end to end: reading and checking the file, validation rules,
access and lock checks, the writes and the audit rows, in one transaction.
Each round starts from no returns; the best of `--repeat` rounds is shown, with
the CPU time this process spent (wall time minus it is the database's share,
and other load on the machine's).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key")
# A benchmark reads and writes more than one upload; the size limit is not what is measured.
os.environ.setdefault("IMPORT_MAX_BYTES", str(64 * 1024 * 1024))

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from indicators.models import Measure  # noqa: E402
from lib.months import Month  # noqa: E402
from returns.imports import returns_import  # noqa: E402
from returns.models import Return, ReturnValue, StateChange, ValueChange  # noqa: E402
from returns.reference_import import reference_import  # noqa: E402

TEAMS = 50
TARGET = 10_000  # rows/s end to end on PostgreSQL (the target)
FIRST_MONTH = Month(2013, 1)
# Counts that are "of those" in a validation rule stay small; the others stay large, so every rule holds.
SMALL = {"unallocated_cases", "cpp_visits_made", "supervisions", "assessments_out_of_timescale"}


def to_csv(rows: list[list]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def set_up_council() -> None:
    """Create the council, five areas and 50 teams through the reference import."""
    reference_import(kind="council", file_name="council.csv", data=to_csv([["code", "name"], ["CITY", "Bench City"]]))
    areas = [["code", "name", "kind"]] + [[f"AREA{n}", f"Area {n}", "locality"] for n in range(1, 6)]
    reference_import(kind="areas", file_name="areas.csv", data=to_csv(areas))
    types = ["assessment", "safeguarding", "children_in_care", "disabled_children", "uasc"]
    teams = [["code", "name", "area", "team_type"]] + [
        [f"T{n:02d}", f"Team {n}", f"AREA{n % 5 + 1}", types[n % len(types)]] for n in range(1, TEAMS + 1)
    ]
    reference_import(kind="teams", file_name="teams.csv", data=to_csv(teams))


def long_rows(count: int, bump: int = 0) -> list[list]:
    """Return `count` long-form rows: month by month, team by team, measure by measure."""
    measures = list(Measure.objects.filter(level=Measure.Level.TEAM).order_by("order").values_list("code", flat=True))
    rows: list[list] = []
    month = FIRST_MONTH
    while len(rows) < count:
        for team in range(1, TEAMS + 1):
            for index, code in enumerate(measures):
                seed = (month - FIRST_MONTH) * 31 + team * 7 + index * 3
                value = (1 + seed % 5 if code in SMALL else 20 + seed % 80) + bump
                rows.append([str(month), f"T{team:02d}", code, value])
                if len(rows) == count:
                    return rows
        month += 1
    return rows


def timed_import(data: bytes, name: str) -> tuple[float, float, int, object]:
    """Return wall seconds, this process's CPU seconds, queries and the result of one import."""
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        result = returns_import(data=data, file_name=name)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, len(queries), result


def clear_returns() -> None:
    """Delete every return, value and audit row (one statement each, not timed) for the next round."""
    for model in (ValueChange, StateChange, ReturnValue, Return):
        model.objects.all()._raw_delete(model.objects.db)


def copy_rate(rows: list[list], repeat: int) -> float | None:
    """Return rows/s of a plain COPY of the rows into a scratch table (PostgreSQL only), commit included."""
    if connection.vendor != "postgresql":
        return None
    best = None
    for _ in range(repeat):
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_copy (month text, team text, measure text, value bigint)")
        try:
            started = time.perf_counter()
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                cursor.cursor.copy("COPY bench_copy (month, team, measure, value) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            elapsed = time.perf_counter() - started
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE bench_copy")
        best = elapsed if best is None else min(best, elapsed)
    return len(rows) / best


def run(count: int, repeat: int) -> None:
    set_up_council()
    first = long_rows(count)
    changed = long_rows(count, bump=1)
    header = [["month", "team", "measure", "value"]]
    first_file, changed_file = to_csv(header + first), to_csv(header + changed)

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}), rows: {count:,}, "
          f"file: {len(first_file) / 1024:,.0f} KB, best of {repeat} rounds")
    phases = [
        ("first import (all new)", first_file, "bench-first.csv", lambda r: r.new == count),
        ("re-import, every value changed", changed_file, "bench-changed.csv", lambda r: r.changed == count),
        ("re-import, nothing changed", changed_file, "bench-changed.csv",
         lambda r: r.unchanged == count and r.audit_rows == 0),
    ]
    best: dict[str, tuple[float, float, int]] = {}
    for _ in range(repeat):
        clear_returns()
        for label, data, name, check in phases:
            elapsed, cpu, queries, result = timed_import(data, name)
            assert check(result), f"{label}: unexpected result"
            if label not in best or elapsed < best[label][0]:
                best[label] = (elapsed, cpu, queries)
        assert ValueChange.objects.count() == 2 * count
    for label, (elapsed, cpu, queries) in best.items():
        print(f"{label:<34} {count / elapsed:>9,.0f} rows/s  ({elapsed:.2f} s wall, {cpu:.2f} s CPU here, "
              f"{queries} queries)")
    t1, t2 = best[phases[0][0]][0], best[phases[1][0]][0]
    rate = copy_rate(first, repeat)
    if rate is None:
        print("COPY comparison: PostgreSQL only (set DATABASE_URL=postgres://...)")
        return
    print(f"{'plain COPY into a scratch table':<34} {rate:>9,.0f} rows/s")
    slowest = count / max(t1, t2)
    verdict = "met" if slowest >= TARGET else "NOT met"
    print(f"slowest import: {slowest:,.0f} rows/s, {rate / slowest:.1f}x the time of the COPY "
          f"(target of at least {TARGET:,} rows/s end to end: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="Rounds to run; the best of each is shown.")
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args.rows, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
