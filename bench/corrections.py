"""Benchmark: the performance team's corrections check, and loading the demo that it runs on.

The page of a published month tells the performance team which published months
approved data would now change. This loads the demo council (timed), then prints
for the performance team's December 2017 page: the check with an empty cache
(every published month), and the page just after each of the changes that move
it: a correction to December approved, December restated, a correction to June
approved, a population changed (reference data: every month checked again).
Each change is made afresh with the earlier check cached, and rolled back.
With --large TEAMSxYEARS it then loads a generated council (bench/published.py's),
publishes every month and prints the check with an empty cache (all of it, and
one view's share) and after a population change, where the cost grows with the
square of the months published.
Runs in a throwaway test database on whatever DATABASE_URL names (SQLite by default).

    .venv/bin/python bench/corrections.py [--runs 5] [--large 50x10]
"""

from __future__ import annotations

import argparse
import os
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

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from harness import throwaway_database  # noqa: E402

PAGE = "/scorecard/2017-12/"


def seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def correct(unit: str, month, measure: str) -> None:
    """Reopen a return, add 40 to one count, submit and approve it: a correction through the workflow."""
    from django.contrib.auth.models import User

    from returns import services
    from returns.models import Return

    performance, performance2 = User.objects.get(username="performance"), User.objects.get(username="performance2")
    ret = Return.objects.get(team__code=unit, month=month.first_day)
    ret = services.return_reopen(ret=ret, actor=performance, reason="Benchmark recount")
    value = ret.values.get(measure__code=measure).value
    services.return_save_values(ret=ret, values={measure: value + 40}, actor=performance, comment="Recounted")
    services.return_submit(ret=ret, actor=performance, comment="Recounted")
    services.return_approve(ret=ret, actor=performance2)


def more_children() -> None:
    """Add 5,000 children to the latest year's population of the first area: reference data every month reads."""
    from teams.models import Population

    population = Population.objects.order_by("-year", "area__order").first()
    population.population_0_17 += 5000
    population.save()


def empty_check() -> float:
    """Return the seconds the whole corrections check takes from an empty cache."""
    from scorecard import snapshots

    cache.clear()
    return seconds(snapshots.published_differences)


def teams_by_years(text: str) -> tuple[int, int]:
    """Read --large's TEAMSxYEARS, both whole numbers of at least 1."""
    teams, _, years = text.partition("x")
    if not (teams.isdigit() and years.isdigit() and int(teams) >= 1 and int(years) >= 1):
        raise argparse.ArgumentTypeError(f"{text!r} is not TEAMSxYEARS, e.g. 50x10")
    return int(teams), int(years)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large", metavar="TEAMSxYEARS", type=teams_by_years, help="Also a generated council: 50x10")
    args = parser.parse_args()
    with throwaway_database():
        from django.contrib.auth.models import User

        from lib.months import Month
        from scorecard import snapshots
        from scorecard.demo.loader import load_demo

        december = Month(2017, 12)
        print(f"database: {connection.vendor}; medians of {args.runs} runs")
        loads = []
        for _ in range(args.runs):
            # Passwords hashed cheaply, as the tests hash them: PBKDF2's cost is not the demo's.
            with (
                transaction.atomic(),
                override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
            ):
                loads.append(seconds(lambda: load_demo(password="benchmark-Password-1")))
                transaction.set_rollback(True)
        print(f"  loading the demo (48 months published): {statistics.median(loads):.2f} s")
        with transaction.atomic():
            load_demo(password="benchmark-Password-1")
            client = Client()
            client.force_login(User.objects.get(username="performance"))
            client.get("/")

            def page() -> None:
                assert client.get(PAGE).status_code == 200

            print(f"  the check, empty cache: {statistics.median(empty_check() for _ in range(args.runs)):.3f} s")

            def restate_december() -> None:
                """Correct December and view the page (its check cached), then restate it."""
                correct("EAST-SG", december, "cpp_children")
                cache.clear()
                page()
                snapshots.month_restate(
                    month=december, actor=User.objects.get(username="performance"), reason="Recount"
                )

            changes: list[tuple[str, Callable[[], object]]] = [
                ("a correction to December approved", lambda: correct("EAST-SG", december, "cpp_children")),
                ("December restated", restate_december),
                ("a correction to June 2017 approved", lambda: correct("EAST-SG", Month(2017, 6), "cpp_children")),
                ("a population changed", more_children),
            ]
            for label, change in changes:
                times = []
                for _ in range(args.runs):
                    with transaction.atomic():
                        cache.clear()
                        page()  # the check before the change is cached, as on a working day
                        change()
                        times.append(seconds(page))
                        transaction.set_rollback(True)
                print(f"  the page after {label}: {statistics.median(times):.3f} s")
            transaction.set_rollback(True)
        if args.large:
            large(*args.large, args.runs)


def large(teams: int, years: int, runs: int) -> None:
    """Time the check for a generated council with every month of `years` years published."""
    from published import load_large

    from lib.months import Month, month_range
    from scorecard import snapshots

    with transaction.atomic():
        load_large(teams, years)
        last = Month(2017, 12)
        published = snapshots.freeze_months(month_range(last - (years * 12 - 1), last), actor=None)
        print(f"large council ({teams} teams, {years} years, {published} months published):")

        print(f"  the check, empty cache: {statistics.median(empty_check() for _ in range(runs)):.3f} s")

        def first_view() -> float:
            cache.clear()
            at_most = settings.CORRECTIONS_MONTHS_PER_VIEW
            return seconds(lambda: snapshots.published_corrections(at_most=at_most))

        print(
            f"  a view's share of it, empty cache ({settings.CORRECTIONS_MONTHS_PER_VIEW} months): "
            f"{statistics.median(first_view() for _ in range(runs)):.3f} s"
        )
        times = []
        for _ in range(runs):
            with transaction.atomic():
                cache.clear()
                snapshots.published_differences()
                more_children()
                times.append(seconds(snapshots.published_differences))
                transaction.set_rollback(True)
        print(f"  the check after a population changed: {statistics.median(times):.3f} s")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
