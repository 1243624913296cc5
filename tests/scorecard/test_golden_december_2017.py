"""The acceptance reference: after `demo`, December 2017 reads exactly as the seed prints it.

Every expected string below is typed from shared/seed/SCORECARD-2017-12.md, not
taken from the engine. Each row: (line label, baseline, current, areas EAST,
NWC, SOUTH, DCSC, Other citywide) with "-" where the seed prints none and
None where the seed has no column at all.
"""

import pytest

from lib.months import Month
from lib.numbers import format_number
from scorecard.services import PUBLISHED, build_scorecard
from tests.conftest import demo_for_the_module

# The module's fixture loads the demo itself; the mark makes pytest-django create the test database.
pytestmark = pytest.mark.django_db

NO_AREAS = None

SEED = {
    "unallocated_cases": [
        ("Unallocated (open > 7 days)", "3", "1", ["0", "1", "0", "0", "0"]),
        ("Total number of open cases", "7,362", "7,546", ["1,990", "2,090", "1,922", "704", "840"]),
        ("% of unallocated cases", "0.0%", "0.0%", ["0.0%"] * 5),
    ],
    "re_referrals": [
        ("No. re-referrals", "1,596", "268", NO_AREAS),
        ("Total referrals", "6,671", "1,234", NO_AREAS),
        ("Re-referrals %", "24%", "22%", NO_AREAS),
    ],
    "assessments_in_timescale": [
        ("No. inside", "1,103", "923", ["340", "274", "270", "8", "31"]),
        ("No. outside", "119", "78", ["19", "17", "24", "0", "18"]),
        ("Total", "1,222", "1,001", ["359", "291", "294", "8", "49"]),
        ("% inside", "90%", "92%", ["95%", "94%", "92%", "100%", "63%"]),
    ],
    "children_seen_at_assessment": [
        ("Assessments completed", "1,169", "964", NO_AREAS),
        ("Children seen", "1,101", "906", NO_AREAS),
        ("% seen at assessment", "94%", "94%", NO_AREAS),
    ],
    "child_protection_plans": [
        ("No. of CPP", "988", "972", ["282", "312", "344", "20", "14"]),
        ("Rate per 10K", "35", "34", ["26", "28", "50", "-", "-"]),
    ],
    "cp_visits": [
        ("Number of CPP visited", "801", "776", NO_AREAS),
        ("Number of CPP to be visited", "855", "891", NO_AREAS),
        ("% visited in month", "94%", "87%", NO_AREAS),
    ],
    "children_in_care": [
        ("Total CiC (UASC excluded)", "1,735", "1,758", ["521", "539", "609", "80", "9"]),
        ("Rate per 10K (UASC included)", "66", "67", ["49", "49", "88", "-", "-"]),
    ],
    "care_leavers_ete": [("ETE %", "59%", "64%", NO_AREAS)],
    "adoption_match_days": [("Average no. of days taken", "276", "232", NO_AREAS)],
    "adoption_placement_days": [("Average no. of days taken", "618", "607", NO_AREAS)],
    "cin_supported_at_home": [("% supported to live with family", "82%", "87%", NO_AREAS)],
    "supervision": [
        ("Supervisions", "457", "419", ["98", "156", "131", "18", "16"]),
        ("Total staff", "512", "510", ["128", "176", "155", "31", "20"]),
        ("% supervised", "89%", "82%", ["77%", "89%", "85%", "58%", "80%"]),
    ],
    # The seed prints no "Other citywide" column for caseloads: only the first four areas are checked.
    "average_caseload": [
        ("Assessment teams", "14", "19", ["20", "23", "14", "-"]),
        ("Safeguarding teams", "17", "17", ["15", "18", "20", "-"]),
        ("Children in care teams", "14", "14", ["14", "12", "16", "-"]),
        ("Average caseload - city", "15", "17", ["16", "17", "17", "14"]),
    ],
    "agency_social_workers": [
        ("% agency social workers", "21%", "15%", NO_AREAS),
        ("% agency team managers", "10%", "8%", NO_AREAS),
        ("% agency SW qualified total", "19%", "14%", NO_AREAS),
    ],
}
BASELINE_LABELS = {
    "child_protection_plans": "Mar-17",
    "children_in_care": "Mar-16",
    "re_referrals": "Prev. 6 months cumulative",
}
TARGETS = {
    "unallocated_cases": "0",
    "re_referrals": "24%",
    "assessments_in_timescale": "85%",
    "children_seen_at_assessment": "90%",
    "cp_visits": "90%",
    "children_in_care": "1,695",
    "adoption_match_days": "271",
    "adoption_placement_days": "600",
    "cin_supported_at_home": "80%",
    "supervision": "83%",
    "average_caseload": "16",
    "agency_social_workers": "15%",
}
COMPARATORS = {  # (line, kind) -> printed value
    "re_referrals": {("", "national"): "22%", ("", "statistical_neighbours"): "22%"},
    "assessments_in_timescale": {("", "national"): "83%", ("", "statistical_neighbours"): "83%"},
    "child_protection_plans": {("rate", "national"): "43", ("rate", "statistical_neighbours"): "50"},
    "children_in_care": {("rate", "national"): "62", ("rate", "statistical_neighbours"): "74"},
    "care_leavers_ete": {("", "national"): "50%", ("", "statistical_neighbours"): "48%"},
    "adoption_match_days": {("", "national"): "226", ("", "statistical_neighbours"): "251"},
    "adoption_placement_days": {("", "national"): "558", ("", "statistical_neighbours"): "600"},
}


@pytest.fixture(scope="module")
def december(django_db_setup, django_db_blocker):
    """Load the demo once for the module, compute December 2017, and leave the database as it was."""
    with demo_for_the_module(django_db_blocker):
        scorecard = build_scorecard(Month(2017, 12), PUBLISHED)
    return {panel.spec.code: panel for panel in scorecard.panels}


def shown(figure, line) -> str:
    text = format_number(figure.value, line.precision, unit=line.unit)
    return "-" if text == "–" else text


PRINTED_ROWS = [
    pytest.param(code, label, baseline, current, areas, id=f"{code}:{label}")
    for code, rows in SEED.items()
    for label, baseline, current, areas in rows
]


@pytest.mark.parametrize(("code", "label", "baseline", "current", "areas"), PRINTED_ROWS)
def test_every_printed_figure_of_december_2017(december, code, label, baseline, current, areas):
    lines = {line.label: line for line in december[code].result.lines}
    line = lines[label]
    assert shown(line.baseline, line) == baseline
    assert shown(line.current, line) == current
    if areas is not None:
        assert [shown(a.figure, line) for a in line.breakdown][: len(areas)] == areas


def test_every_indicator_shows_exactly_the_seed_s_lines(december):
    for code, rows in SEED.items():
        assert [line.label for line in december[code].result.lines] == [row[0] for row in rows], code


def test_area_columns_are_the_seed_s_breakdown_columns(december):
    line = december["supervision"].result.headline
    assert [a.area for a in line.breakdown] == ["EAST", "NWC", "SOUTH", "DCSC", "CITYWIDE"]


def test_baselines_carry_the_seed_s_labels(december):
    for code, panel in december.items():
        assert panel.result.baseline_label == BASELINE_LABELS.get(code, "Prev. 6 months average"), code


def test_targets_in_force_are_the_printed_ones(december):
    for code, panel in december.items():
        target = panel.result.target
        shown_target = format_number(target.value, panel.spec.precision, unit=panel.spec.unit) if target else None
        assert shown_target == TARGETS.get(code), code


def test_comparators_are_the_printed_ones_with_their_period(december):
    for code, panel in december.items():
        found = {
            (c.line, c.kind): (format_number(c.value, 0, unit=panel.spec.unit if not c.line else "count"), c.period)
            for c in panel.result.comparators
        }
        expected = {key: (value, "2015-16") for key, value in COMPARATORS.get(code, {}).items()}
        assert found == expected, code


def test_uasc_and_agency_counts_tell_the_commentary_s_story(december):
    # The numerators behind the figures: 151 UASC and 119 agency social workers in December.
    assert december["children_in_care"].result.lines[1].current.numerator == 1758 + 151
    assert december["agency_social_workers"].result.lines[0].current.numerator == 119
