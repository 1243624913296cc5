"""Benchmark: checking a bulk write's links row by row against checking the whole table once (PostgreSQL).

    DATABASE_URL=postgres://... .venv/bin/python bench/links.py [--rows 1000000] [--runs 3]

A bulk import (returns.services.returns_write_staged) either leaves a table's
foreign keys in place, and PostgreSQL checks each row it writes, or drops them
and adds them back, which checks every row the table then holds in one join.
The first costs per row written, the second per row held, so which is cheaper
depends on how large the table has grown against the write. This prints both
costs per row, on temporary tables that vanish with the connection (nothing
stored is touched), and the ratio of table to write at which they break even:
returns.services.LINKS_ONCE_TABLE_RATIO should stay below it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key")

PARENTS = 100_000  # the rows linked to, as the returns of a large council's years


def _seconds(cursor, *statements: str) -> float:
    started = time.perf_counter()
    for statement in statements:
        cursor.execute(statement)
    return time.perf_counter() - started


def one_run(cursor, rows: int) -> tuple[float, float]:
    """Return (microseconds a row-by-row check costs a written row, microseconds the one check costs a held row)."""
    insert = f"INSERT INTO bench_child (parent_id) SELECT 1 + g % {PARENTS} FROM generate_series(1, {rows}) g"
    link = (
        "ALTER TABLE bench_child ADD CONSTRAINT bench_child_parent FOREIGN KEY (parent_id) "
        "REFERENCES bench_parent (id) DEFERRABLE INITIALLY DEFERRED"
    )
    cursor.execute("TRUNCATE bench_child")
    cursor.execute("ALTER TABLE bench_child DROP CONSTRAINT IF EXISTS bench_child_parent")
    bare = _seconds(cursor, "SAVEPOINT bare", insert)
    cursor.execute("ROLLBACK TO SAVEPOINT bare")
    cursor.execute(link)
    # As an import's transaction: the checks queued by the insert run when the constraints are set immediate.
    checked = _seconds(cursor, insert, "SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute("ANALYZE bench_child")
    cursor.execute("ALTER TABLE bench_child DROP CONSTRAINT bench_child_parent")
    once = _seconds(cursor, link)
    return (checked - bare) / rows * 1e6, once / rows * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="Rows written (and held) a run.")
    parser.add_argument("--runs", type=int, default=3, help="Runs; the medians are shown.")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction

    from returns.services import LINKS_ONCE_TABLE_RATIO

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL=postgres://...")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_parent (id bigint PRIMARY KEY)")
        cursor.execute(f"INSERT INTO bench_parent SELECT generate_series(1, {PARENTS})")
        cursor.execute("CREATE TEMPORARY TABLE bench_child (id bigserial PRIMARY KEY, parent_id bigint NOT NULL)")
        runs = [one_run(cursor, args.rows) for _ in range(args.runs)]
        transaction.set_rollback(True)
    by_row = statistics.median(run[0] for run in runs)
    once = statistics.median(run[1] for run in runs)
    print(f"{args.rows:,} rows, median of {args.runs} runs, one link each:")
    print(f"  checked row by row        {by_row:6.2f} us a row written")
    print(f"  checked once, set-based   {once:6.2f} us a row the table holds")
    print(
        f"  break-even: checking once is cheaper while the table holds under {by_row / once:.1f}x the rows written "
        f"(LINKS_ONCE_TABLE_RATIO is {LINKS_ONCE_TABLE_RATIO})"
    )


if __name__ == "__main__":
    main()
