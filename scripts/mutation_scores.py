#!/usr/bin/env python3
"""Print the mutation score of each mutated file from mutmut's results in mutants/ (run `make mutation` first).

Score = (killed + timeout) / (killed + timeout + survived + no tests): a mutant no test runs counts against
the file, as a survivor does. A timeout (the change made the tests hang, or the machine was busy: rerun
those with `mutmut run NAME`) counts as killed, and is shown on its own.
Standard library only. Usage: python scripts/mutation_scores.py [MUTANTS_DIR]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3}  # mutmut's exit codes for a failing test run
TIMEOUT = {36, 24, -24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def scores(mutants: Path) -> dict[str, Counter[str]]:
    """Return, per source file, how many mutants were killed, survived, had no tests or were not checked."""
    found: dict[str, Counter[str]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        source = str(meta.relative_to(mutants))[: -len(".meta")]
        counts: Counter[str] = Counter()
        for code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].values():
            if code in KILLED:
                counts["killed"] += 1
            elif code in TIMEOUT:
                counts["timeout"] += 1
            elif code in SURVIVED:
                counts["survived"] += 1
            elif code in NO_TESTS:
                counts["no tests"] += 1
            elif code is None:
                counts["not checked"] += 1
            else:
                counts["other"] += 1
        found[source] = counts
    return found


def main(argv: list[str]) -> int:
    mutants = Path(argv[1] if len(argv) > 1 else "mutants")
    found = scores(mutants)
    if not found:
        print(f"mutation_scores: no results under {mutants}/: run `make mutation` first.", file=sys.stderr)
        return 1
    print(f"{'file':32} {'score':>7} {'killed':>7} {'timeout':>8} {'survived':>9} {'no tests':>9} {'unchecked':>10}")
    for source, counts in found.items():
        caught = counts["killed"] + counts["timeout"]
        judged = caught + counts["survived"] + counts["no tests"]
        score = f"{100 * caught / judged:.1f}%" if judged else "-"
        print(
            f"{source:32} {score:>7} {counts['killed']:>7} {counts['timeout']:>8} {counts['survived']:>9} "
            f"{counts['no tests']:>9} {counts['not checked']:>10}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
