"""Benchmark: read 14 indicators' XmR charts of 60 months each, as one scorecard does (pure Python, no database).

Prints the median time of the 14 readings (limits over the whole segment, the four rules, the suggested change
point and the explaining note), and the same with three change points on every chart.

    .venv/bin/python bench/spc.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indicators import spc
from lib.months import Month

INDICATORS, MONTHS, RUNS = 14, 60, 15


def _series(rng: random.Random) -> list[tuple[Month, float]]:
    """Return a drifting monthly series with noise."""
    return [(Month(2013, 1) + i, 50 + i * 0.1 + rng.gauss(0, 5)) for i in range(MONTHS)]


def _median_ms(charts: list[list[tuple[Month, float]]], change_points: list[Month]) -> float:
    """Return the median time, in milliseconds, to read every chart once."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for series in charts:
            result = spc.xmr(series, polarity="higher", target=55, change_points=change_points)
            spc.explain(result, trend="declining", rating="amber")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    rng = random.Random(12)
    charts = [_series(rng) for _ in range(INDICATORS)]
    print(f"{INDICATORS} charts x {MONTHS} months: median {_median_ms(charts, []):.1f} ms over {RUNS} runs")
    breaks = [Month(2014, 6), Month(2015, 9), Month(2016, 12)]
    print(f"the same with 3 change points each: median {_median_ms(charts, breaks):.1f} ms")


if __name__ == "__main__":
    main()
