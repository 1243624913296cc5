"""The demo's Annex A workbook imports back to the demo's own figures (the round trip)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from lib.months import Month
from returns.annex_a.importer import annex_a_import
from returns.annex_a.measures import ALL_MEASURES
from returns.models import Return, ReturnValue
from scorecard.demo.annex_a import MISMATCHED, annex_a_workbook, demo_counts
from scorecard.demo.counts import CITY, TEAMS
from scorecard.demo.loader import load_reference


@pytest.mark.parametrize("month", [Month(2017, 12), Month(2016, 2)])
def test_generate_import_and_get_the_same_figures(db, month):
    load_reference()
    result = annex_a_import(data=annex_a_workbook(month), file_name="demo.xlsx", month=month, actor=None)
    assert not result.unmapped and result.derivation.measures == list(ALL_MEASURES)
    stored = {
        (ret_team or CITY, code): value
        for ret_team, code, value in ReturnValue.objects.filter(ret__month=month.first_day).values_list(
            "ret__team__code", "measure__code", "value"
        )
    }
    expected = {key: value for key, value in demo_counts(month).items() if key[1] in ALL_MEASURES}
    differing = {key for key in expected if stored.get(key) != expected[key]}
    assert differing == {(CITY, code) for code in MISMATCHED}
    teams = [code for code, *_ in TEAMS]
    assert stored[(CITY, "cin_supported_total")] == sum(expected[(t, "open_cases")] for t in teams)
    assert stored[(CITY, "assessments_completed")] == sum(
        expected[(t, m)] for t in teams for m in ("assessments_in_timescale", "assessments_out_of_timescale")
    )
    assert Return.objects.filter(state=Return.State.DRAFT).count() == len(teams) + 1


def test_the_command_writes_the_workbook(tmp_path, capsys):
    path = tmp_path / "annex.xlsx"
    call_command("demo_annex_a", "2017-12", "-o", str(path))
    assert path.read_bytes()[:2] == b"PK" and "Annex A for December 2017" in capsys.readouterr().out


@pytest.mark.parametrize(("month", "says"), [("2019-01", "not 2019-01"), ("Dec", "YYYY-MM")])
def test_the_command_refuses_a_month_outside_the_demo(tmp_path, month, says):
    with pytest.raises(CommandError, match=says):
        call_command("demo_annex_a", month, "-o", str(tmp_path / "annex.xlsx"))
