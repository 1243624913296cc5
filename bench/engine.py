"""Benchmark: compute one month's full scorecard over 5 years of history for 50 teams.

Runs in a throwaway test database on whatever DATABASE_URL names (SQLite by
default), so the real data is never touched. Prints the median time to build
the scorecard from the database (selectors + engine + SPC), the engine alone,
and the queries it took.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/engine.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from harness import throwaway_database  # noqa: E402

TEAMS, YEARS, RUNS = 50, 5, 7


def load(last):
    """Create 50 teams in 5 areas and 5 years of approved returns for every measure."""
    from indicators.models import Measure
    from lib.months import month_range
    from returns.models import Return, ReturnValue
    from teams.models import Area, Council, Population, Team, TeamType

    rng = random.Random(2017)
    Council.objects.create(code="CITY", name="Benchmark Council")
    areas = [Area.objects.create(code=f"A{n}", name=f"Area {n}", kind="locality", order=n) for n in range(5)]
    for area in areas:
        Population.objects.create(area=area, year=last.year - 1, population_0_17=60000)
    types = list(TeamType.objects.all())
    teams = [
        Team.objects.create(code=f"T{n:02d}", name=f"Team {n}", area=areas[n % 5], team_type=types[n % 3])
        for n in range(TEAMS)
    ]
    months = month_range(last - (YEARS * 12 - 1), last)
    team_measures = list(Measure.objects.filter(level="team"))
    council_measures = list(Measure.objects.filter(level="authority"))
    returns = Return.objects.bulk_create(
        [Return(team=t, month=m.first_day, state="approved") for t in teams for m in months]
        + [Return(team=None, month=m.first_day, state="approved") for m in months]
    )
    values = []
    for ret in returns:
        for measure in team_measures if ret.team_id else council_measures:
            values.append(ReturnValue(ret=ret, measure=measure, value=rng.randint(20, 400)))
    ReturnValue.objects.bulk_create(values, batch_size=5000)
    return len(values)


def main() -> None:
    from indicators.engine import compute_scorecard
    from indicators.selectors import indicator_specs
    from lib.months import Month
    from returns.dataset import scorecard_dataset
    from scorecard.services import DRAFT, build_scorecard

    with throwaway_database():
        month = Month(2017, 12)
        rows = load(month)
        with CaptureQueriesContext(connection) as queries:
            build_scorecard(month, DRAFT)
        full = []
        for _ in range(RUNS):
            started = time.perf_counter()
            build_scorecard(month, DRAFT)
            full.append(time.perf_counter() - started)
        data, specs = scorecard_dataset(until=month), indicator_specs()
        engine = []
        for _ in range(RUNS):
            started = time.perf_counter()
            compute_scorecard(data, specs, month)
            engine.append(time.perf_counter() - started)
        print(f"database: {connection.vendor}; {TEAMS} teams, {YEARS} years, {rows:,} values")
        print(
            f"full scorecard (selectors + engine + history + SPC): median {statistics.median(full) * 1000:.0f} ms "
            f"over {RUNS} runs"
        )
        print(f"engine alone (14 indicators, current month): median {statistics.median(engine) * 1000:.0f} ms")
        print(f"queries for one scorecard: {len(queries)}")


if __name__ == "__main__":
    main()
