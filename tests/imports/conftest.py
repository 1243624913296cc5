"""Files to import, built in memory, and a small council to import into."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from returns.reference_import import reference_import


def csv_file(rows, *, encoding="utf-8") -> bytes:
    """Return rows (the header first) as CSV bytes."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows) -> bytes:
    """Return rows (the header first) as an Excel workbook."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def make_csv():
    return csv_file


@pytest.fixture
def make_xlsx():
    return xlsx_file


@pytest.fixture
def council(db):
    """A small council set up from files alone: CITY, two localities and a citywide service, four teams."""
    reference_import(kind="council", file_name="council.csv", data=csv_file([["code", "name"], ["CITY", "Demo City"]]))
    reference_import(
        kind="areas",
        file_name="areas.csv",
        data=csv_file(
            [
                ["code", "name", "kind"],
                ["EAST", "East", "locality"],
                ["SOUTH", "South", "locality"],
                ["CITYWIDE", "Citywide teams", "citywide"],
            ]
        ),
    )
    reference_import(
        kind="teams",
        file_name="teams.csv",
        data=csv_file(
            [
                ["code", "name", "area", "team_type"],
                ["EAST-SG", "East Safeguarding", "EAST", "safeguarding"],
                ["EAST-ASM", "East Assessment", "EAST", "assessment"],
                ["SOUTH-SG", "South Safeguarding", "SOUTH", "safeguarding"],
                ["UASC", "UASC team", "CITYWIDE", "uasc"],
            ]
        ),
    )
    return "CITY"


def snapshot() -> dict:
    """Return every row an import could touch, to show that a refused file changed nothing."""
    from indicators.models import Comparator, Target
    from returns.models import Return, ReturnValue, StateChange, ValueChange
    from teams.models import Area, Council, Population, Team

    models = (Council, Area, Team, Population, Target, Comparator, Return, ReturnValue, ValueChange, StateChange)
    return {model.__name__: sorted(model.objects.values_list(), key=repr) for model in models}


@pytest.fixture
def unchanged(db):
    """Assert, after the test body, that the database holds exactly what it held before."""
    checks = []

    def start():
        checks.append(snapshot())

    yield start
    assert checks, "call unchanged() once the set-up is done"
    assert snapshot() == checks[0]


@pytest.fixture
def east_entry(entry_user, council):
    """entry.east, a member of the EAST-SG team only."""
    from teams.models import Membership, Team

    Membership.objects.create(user=entry_user, team=Team.objects.get(code="EAST-SG"))
    return entry_user
