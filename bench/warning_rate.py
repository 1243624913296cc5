"""Measure how many of the demo's returns would carry an outlier warning under the current rule.

No database: the demo's counts (scorecard/demo/counts.py) are checked month by
month against each unit's previous 12 months, as the form does. Prints the
share of returns (a unit's month with at least one month of history) that
carry at least one warning, and the share of values.

    .venv/bin/python bench/warning_rate.py
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key")

import django

django.setup()

from lib.months import Month  # noqa: E402
from returns.validation import check_outliers  # noqa: E402
from scorecard.demo import counts  # noqa: E402

HISTORY = 12


def main() -> None:
    by_unit: dict[str, dict[Month, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for (unit, month, measure), value in counts.monthly_counts().items():
        by_unit[unit][Month.parse(month)][measure] = value
    returns = warned = values = warned_values = 0
    for months in by_unit.values():
        for month, figures in sorted(months.items()):
            window = month.previous(HISTORY)
            if not any(m in months for m in window):
                continue
            history = {code: [months.get(m, {}).get(code) for m in window] for code in figures}
            findings = check_outliers(figures, history)
            returns += 1
            values += len(figures)
            warned += bool(findings)
            warned_values += len(findings)
    print(f"returns checked: {returns}, with a warning: {warned} ({warned / returns:.1%})")
    print(f"values checked: {values}, with a warning: {warned_values} ({warned_values / values:.1%})")


if __name__ == "__main__":
    main()
