"""The README's import examples are real files: a council set up and a month loaded from them alone."""

from __future__ import annotations

import re
from pathlib import Path

from returns.imports import returns_import
from returns.models import ReturnValue
from returns.reference_import import KINDS, reference_import
from teams.models import Team

README = Path(__file__).resolve().parents[2] / "README.md"


def examples() -> dict[str, bytes]:
    """Return each CSV block of the README by the kind its header names."""
    kinds = {",".join(kind.headers): name for name, kind in KINDS.items()}
    found = {}
    for block in re.findall(r"```csv\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        header = block.splitlines()[0]
        if header == "month,team,measure,value":
            found["long"] = block.encode()
        elif header.startswith("month,team,"):
            found["wide"] = block.encode()
        else:
            found[kinds[header]] = block.encode()
    return found


def test_every_readme_example_imports_in_order(db):
    files = examples()
    assert set(files) == {*KINDS, "long", "wide"}
    assert all(len(data.decode().strip().splitlines()) in (2, 5) for data in files.values())  # header + rows
    for kind in ("council", "areas", "teams", "population", "targets", "comparators"):
        reference_import(kind=kind, data=files[kind], file_name=f"{kind}.csv")
    long = returns_import(data=files["long"], file_name="long.csv")
    wide = returns_import(data=files["wide"], file_name="wide.csv")
    assert long.new == 4 and wide.new == 15 and wide.blanks == 1
    assert Team.objects.count() == 4
    assert ReturnValue.objects.count() == 19
