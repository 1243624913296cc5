"""Done when: a new council is set up and its returns loaded from files alone, through the commands.

The demo council's reference data and its 48 months of counts are written out
as the import files a council would keep, loaded with `import_reference` and
`import_returns` into an empty install, and the December 2017 scorecard
computed from them must be exactly the one the demo loader produces (which the
golden test holds to the seed).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import transaction

from indicators.models import Measure
from lib.months import Month
from scorecard import exports
from scorecard.demo import counts, reference
from scorecard.demo.loader import DEMO_CHANGE_POINTS, load_demo
from scorecard.services import PUBLISHED, build_scorecard


def write_csv(path, rows) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


# Written on the scorecard by the performance team, not loaded from files: commentary, and the SPC
# change points the demo records (they move the process limits of their indicator's chart).
ANNOTATED = {code for code, _month, _reason in DEMO_CHANGE_POINTS}


def figures() -> dict:
    """Return December 2017's scorecard as the JSON export has it, less what files do not carry."""
    # Imported returns are drafts: compare the latest saved values (the demo's are approved, so the same).
    data = exports.scorecard_dict(build_scorecard(Month(2017, 12), PUBLISHED, approved_only=False))
    for indicator in data["indicators"]:
        indicator.pop("commentary", None)
        if indicator["code"] in ANNOTATED:
            indicator.pop("spc", None)
    return data["indicators"]


def load_from_files(folder) -> None:
    files = {
        "council": [["code", "name"], list(reference.COUNCIL)],
        "areas": [["code", "name", "kind"], *map(list, reference.AREAS)],
        "teams": [["code", "name", "area", "team_type"], *map(list, reference.TEAMS)],
        "population": [["area", "year", "population_0_17"], *map(list, reference.POPULATIONS)],
        "targets": [["indicator", "effective_from", "value", "tolerance"], *map(list, reference.TARGETS)],
        "comparators": [
            ["indicator", "kind", "period", "value", "source", "line"],
            *[
                [code, kind, period, value, source, line or ""]
                for code, kind, period, value, source, line in reference.COMPARATORS
            ],
        ],
    }
    for kind, rows in files.items():
        call_command("import_reference", kind, write_csv(folder / f"{kind}.csv", rows), stdout=io.StringIO())

    # Teams keep wide sheets, one row per team and month; the council's counts come as a long-form extract.
    team_measures = list(Measure.objects.filter(level="team").order_by("order").values_list("code", flat=True))
    wide: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    long = [["month", "team", "measure", "value"]]
    for (unit, month, measure), value in sorted(counts.monthly_counts().items()):
        if unit == reference.COUNCIL[0]:
            long.append([month, unit, measure, value])
        else:
            wide[(month, unit)][measure] = value
    sheet = [["month", "team", *team_measures]] + [
        [month, unit, *[values.get(code, "") for code in team_measures]]
        for (month, unit), values in sorted(wide.items())
    ]
    call_command("import_returns", write_csv(folder / "teams.csv", sheet), stdout=io.StringIO())
    call_command("import_returns", write_csv(folder / "council-extract.csv", long), stdout=io.StringIO())


@pytest.mark.django_db
def test_the_demo_council_loaded_from_files_reads_as_the_demo(tmp_path):
    with transaction.atomic():
        load_from_files(tmp_path)
        from_files = figures()
        transaction.set_rollback(True)
    with transaction.atomic():
        load_demo(password="files-test-Password-1")
        from_demo = figures()
        transaction.set_rollback(True)
    assert [i["code"] for i in from_files] == [i["code"] for i in from_demo]
    for mine, theirs in zip(from_files, from_demo, strict=True):
        assert mine == theirs, mine["code"]
