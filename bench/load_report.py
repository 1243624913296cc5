"""Print bench/load.sh's figures from Locust's CSV files: per phase and page, then the ceiling ratio.

python bench/load_report.py WORK_DIR THINK
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

PHASES = (
    ("mixed", "30 leaders + 50 data entry, {think} s pauses"),
    ("saturated", "30 leaders + 50 data entry, no pauses"),
    ("trivial", "30 leaders, trivial page, no pauses"),
    ("scorecard", "30 leaders, scorecard page, no pauses"),
)
P95_TARGET_MS = 300
RATIO_TARGET = 2.0


def rows(work: Path, phase: str) -> list[dict]:
    path = work / f"{phase}_stats.csv"
    return list(csv.DictReader(path.open())) if path.exists() else []


def cpu_per_request(work: Path, phase: str, requests: int) -> tuple[float, float] | None:
    """Return the (app, database) CPU milliseconds per request over the phase, if measured."""
    try:
        before = [float(x) for x in (work / f"{phase}_cpu_before").read_text().split()]
        after = [float(x) for x in (work / f"{phase}_cpu_after").read_text().split()]
    except (OSError, ValueError):
        return None
    if not requests:
        return None
    return tuple(1000 * (a - b) / requests for a, b in zip(after, before, strict=True))


def line(label: str, row: dict) -> str:
    return (
        f"  {label:<22} {int(row['Request Count']):>8} {float(row['Requests/s']):>8.1f} "
        f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6} {int(row['Failure Count']):>7}"
    )


def main(work: Path, think: str) -> int:
    print()
    print(f"  {'page':<22} {'requests':>8} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>7}   (ms)")
    totals = {}
    for phase, title in PHASES:
        stats = rows(work, phase)
        print(f"{phase}: {title.format(think=think)}")
        if not stats:
            print("  (no figures: the run failed)")
            continue
        for row in stats:
            if row["Name"] == "Aggregated":
                totals[phase] = row
            else:
                print(line(row["Name"], row))
        print(line("all", totals[phase]))
        cpu = cpu_per_request(work, phase, int(totals[phase]["Request Count"]))
        if cpu:
            print(f"  server CPU per request: {cpu[0]:.1f} ms app + {cpu[1]:.1f} ms database")
            totals[phase]["cpu"] = sum(cpu)
        failures = work / f"{phase}_failures.csv"
        if failures.exists():
            for failure in list(csv.DictReader(failures.open()))[:3]:
                print(f"    error: {failure['Name']}: {failure['Error']} (x{failure['Occurrences']})")

    verdicts = []
    if "mixed" in totals:
        p95, errors = int(totals["mixed"]["95%"]), int(totals["mixed"]["Failure Count"])
        verdicts.append(
            f"mixed load p95 {p95} ms (target < {P95_TARGET_MS}): {'met' if p95 < P95_TARGET_MS else 'NOT met'}"
        )
        verdicts.append(f"mixed load errors {errors} (target 0): {'met' if errors == 0 else 'NOT met'}")
    if "trivial" in totals and "scorecard" in totals:
        trivial, scorecard = float(totals["trivial"]["Requests/s"]), float(totals["scorecard"]["Requests/s"])
        ratio = trivial / scorecard if scorecard else float("inf")
        verdict = "met" if ratio <= RATIO_TARGET else "NOT met"
        verdicts.append(
            f"ceiling: trivial page {trivial:.1f} req/s, cached scorecard {scorecard:.1f} req/s, "
            f"ratio {ratio:.2f} (target <= {RATIO_TARGET:g}): {verdict}"
        )
        if "cpu" in totals["trivial"] and "cpu" in totals["scorecard"]:
            cpu_ratio = totals["scorecard"]["cpu"] / totals["trivial"]["cpu"]
            verdicts.append(
                f"  by server CPU per request: scorecard {totals['scorecard']['cpu']:.1f} ms, "
                f"trivial page {totals['trivial']['cpu']:.1f} ms, ratio {cpu_ratio:.2f}"
            )
    print()
    for verdict in verdicts:
        print(verdict)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
