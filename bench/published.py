"""Benchmark: what a published month costs a leader, for the demo and for a large council.

A published month is read from its snapshot, so its page should cost the same
however much history and however many teams lie behind it. This loads the demo
council, then a generated one (10 years, 150 teams by default), publishes
December 2017 in each, and prints for a leader: the page with an empty cache
(the snapshot decoded and rendered), the page from the cache, the JSON, their
queries, and the snapshot's size; beside them, what computing the same month
from the database takes (what every view cost before snapshots).
Runs in a throwaway test database on whatever DATABASE_URL names (SQLite by default).

    .venv/bin/python bench/published.py [--teams 150] [--years 10] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from harness import throwaway_database  # noqa: E402


def median_ms(action: Callable[[], object], runs: int, *, clear: bool = False) -> float:
    times = []
    for _ in range(runs):
        if clear:
            cache.clear()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def queries_of(action: Callable[[], object]) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def load_large(teams: int, years: int) -> int:
    """Create `teams` teams in 10 areas and `years` years of approved returns ending December 2017."""
    from indicators.models import Measure
    from lib.months import Month, month_range
    from returns.models import Return, ReturnValue
    from teams.models import Area, Council, Population, Team, TeamType

    rng = random.Random(2017)
    last = Month(2017, 12)
    Council.objects.create(code="CITY", name="Large Benchmark Council")
    areas = [Area.objects.create(code=f"A{n}", name=f"Area {n}", kind="locality", order=n) for n in range(10)]
    for area in areas:
        for year in range(last.year - years, last.year + 1):
            Population.objects.create(area=area, year=year, population_0_17=60000)
    types = list(TeamType.objects.all())
    team_objs = [
        Team.objects.create(code=f"T{n:03d}", name=f"Team {n}", area=areas[n % 10], team_type=types[n % len(types)])
        for n in range(teams)
    ]
    months = month_range(last - (years * 12 - 1), last)
    team_measures = list(Measure.objects.filter(level="team"))
    council_measures = list(Measure.objects.filter(level="authority"))
    returns = Return.objects.bulk_create(
        [Return(team=t, month=m.first_day, state="approved") for t in team_objs for m in months]
        + [Return(team=None, month=m.first_day, state="approved") for m in months],
        batch_size=5000,
    )
    values = []
    for ret in returns:
        for measure in team_measures if ret.team_id else council_measures:
            low = 20 if measure.code not in ("unallocated_cases", "re_referrals", "cpp_visits_made") else 0
            values.append(ReturnValue(ret=ret, measure=measure, value=rng.randint(low, 400)))
    ReturnValue.objects.bulk_create(values, batch_size=5000)
    return len(values)


def measure(label: str, values: int, runs: int) -> None:
    from django.contrib.auth.models import Group, User

    from lib.months import Month
    from scorecard import roles, snapshots
    from scorecard.models import ScorecardSnapshot
    from scorecard.services import PUBLISHED, build_scorecard

    month = Month(2017, 12)
    started = time.perf_counter()
    frozen = snapshots.freeze_months([month], actor=None)  # the demo has published it already
    publish = f"publishing froze it in {(time.perf_counter() - started) * 1000:,.0f} ms" if frozen else "published"
    size = len(ScorecardSnapshot.objects.filter(month=month.first_day).values_list("data", flat=True).get())
    leader = User.objects.create_user(f"bench.leader.{label}")
    leader.groups.set([Group.objects.get(name=roles.LEADERS)])
    client = Client()
    client.force_login(leader)
    client.get("/")

    def page() -> None:
        assert client.get("/scorecard/2017-12/").status_code == 200

    def as_json() -> None:
        assert client.get("/scorecard/2017-12.json").status_code == 200

    print(f"{label}: {values:,} values; snapshot {size / 1024:,.0f} KB; {publish}")
    print(
        f"  page, empty cache (decode snapshot + render): median {median_ms(page, runs, clear=True):,.0f} ms, "
        f"{queries_of(page)} queries"
    )
    page()
    print(f"  page, cached: median {median_ms(page, runs):,.1f} ms")
    print(
        f"  JSON, empty cache (decode snapshot): median {median_ms(as_json, runs, clear=True):,.0f} ms, "
        f"{queries_of(as_json)} queries; cached: median {median_ms(as_json, runs):,.1f} ms"
    )
    print(
        f"  for comparison, computing the month from the database: "
        f"median {median_ms(lambda: build_scorecard(month, PUBLISHED), max(3, runs // 2)):,.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=150)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with throwaway_database():
        from returns.models import ReturnValue
        from scorecard.demo.loader import load_demo

        print(f"database: {connection.vendor}")
        with transaction.atomic():
            load_demo(password="benchmark-Password-1")
            measure("demo (4 years, 11 teams)", ReturnValue.objects.count(), args.runs)
            transaction.set_rollback(True)
        with transaction.atomic():
            values = load_large(args.teams, args.years)
            measure(f"large ({args.years} years, {args.teams} teams)", values, args.runs)
            transaction.set_rollback(True)


if __name__ == "__main__":
    main()
