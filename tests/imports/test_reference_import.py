"""Reference data from files: a new council set up from files alone, re-runnable, nothing auto-created."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators.models import Comparator, Target
from returns.policy import has_import_reference_permission
from returns.reference_import import reference_import
from returns.spreadsheets import ImportRefused
from teams.models import Area, Council, Population, Team


def refused(kind: str, data: bytes) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        reference_import(kind=kind, data=data, file_name=f"{kind}.csv")
    return [str(problem) for problem in caught.value.problems]


def test_a_council_is_set_up_from_files_alone(council):
    assert Council.objects.get().code == "CITY"
    assert list(Area.objects.values_list("code", "kind", "order")) == [
        ("EAST", "locality", 1),
        ("SOUTH", "locality", 2),
        ("CITYWIDE", "citywide", 3),
    ]
    assert Team.objects.get(code="UASC").area.code == "CITYWIDE"


def test_rerunning_a_file_updates_existing_codes_and_duplicates_nothing(council, make_csv):
    result = reference_import(
        kind="teams",
        file_name="teams.csv",
        data=make_csv(
            [
                ["code", "name", "area", "team_type"],
                ["EAST-SG", "East Safeguarding and Support", "EAST", "safeguarding"],
                ["UASC", "UASC team", "CITYWIDE", "uasc"],
                ["SOUTH-CIC", "South Children in Care", "SOUTH", "children_in_care"],
            ]
        ),
    )
    assert (result.new, result.updated, result.unchanged) == (1, 1, 1)
    assert result.rows[0].changes == [("name", "East Safeguarding", "East Safeguarding and Support")]
    assert Team.objects.count() == 5
    assert Team.objects.get(code="EAST-SG").name == "East Safeguarding and Support"


def test_population_targets_and_comparators_load_and_reload(council, make_csv):
    population = make_csv([["area", "year", "population_0_17"], ["EAST", "2017", "61,250"], ["SOUTH", "2017", "48000"]])
    targets = make_csv(
        [
            ["indicator", "effective_from", "value", "tolerance"],
            ["re_referrals", "2017-04", "22.5", "2"],
            ["cp_visits", "2017-04", "95", ""],
        ]
    )
    comparators = make_csv(
        [
            ["indicator", "kind", "period", "value", "source"],
            ["re_referrals", "national", "2016-17", "21.9", "DfE CIN census"],
            ["re_referrals", "statistical_neighbours", "2016-17", "23.1", ""],
        ]
    )
    for kind, data in (("population", population), ("targets", targets), ("comparators", comparators)):
        reference_import(kind=kind, data=data, file_name=f"{kind}.csv")
        again = reference_import(kind=kind, data=data, file_name=f"{kind}.csv")
        assert again.new == again.updated == 0
    assert Population.objects.get(area__code="EAST", year=2017).population_0_17 == 61250
    target = Target.objects.get(indicator__code="re_referrals")
    assert (target.effective_from, target.value, target.tolerance) == (dt.date(2017, 4, 1), Decimal("22.5"), 2)
    assert Target.objects.get(indicator__code="cp_visits").tolerance == 0
    assert Comparator.objects.get(kind="national").source == "DfE CIN census"
    assert Comparator.objects.count() == 2


def test_history_records_who_imported_reference_rows(council, make_csv, administrator):
    reference_import(
        kind="population",
        file_name="pop.csv",
        actor=administrator,
        data=make_csv([["area", "year", "population_0_17"], ["EAST", "2017", "61250"]]),
    )
    record = Population.history.get()
    assert record.history_user == administrator
    assert record.history_change_reason == "import pop.csv"


def test_a_dry_run_changes_nothing(council, make_csv, unchanged):
    unchanged()
    result = reference_import(
        kind="areas",
        file_name="areas.csv",
        dry_run=True,
        data=make_csv([["code", "name", "kind"], ["NORTH", "North", "locality"]]),
    )
    assert result.new == 1


def test_it_refuses_an_unknown_area_code_and_creates_no_area(council, make_csv, unchanged):
    unchanged()
    header = ["code", "name", "area", "team_type"]
    assert refused("teams", make_csv([header, ["WEST-SG", "West", "WEST", "safeguarding"]])) == [
        "Row 2, column area: No area has the code “WEST”"
    ]


def test_it_refuses_an_unknown_indicator_code(council, make_csv, unchanged):
    unchanged()
    problems = refused(
        "targets",
        make_csv([["indicator", "effective_from", "value", "tolerance"], ["re_referral", "2017-04", "22", "1"]]),
    )
    assert problems == ["Row 2, column indicator: No indicator has the code “re_referral”"]


def test_it_refuses_an_unknown_team_type(council, make_csv, unchanged):
    unchanged()
    assert refused("teams", make_csv([["code", "name", "area", "team_type"], ["E2", "East 2", "EAST", "family"]])) == [
        "Row 2, column team_type: No team type has the code “family”"
    ]


def test_it_refuses_a_population_for_a_citywide_service(council, make_csv, unchanged):
    unchanged()
    problems = refused("population", make_csv([["area", "year", "population_0_17"], ["CITYWIDE", "2017", "100"]]))
    assert problems == [
        "Row 2, column area: CITYWIDE is a citywide service, not a locality, so it has no child population"
    ]


@pytest.mark.parametrize(
    "kind, header",
    [
        ("areas", ["code", "name"]),
        ("areas", ["code", "name", "type"]),
        ("areas", ["code", "name", "kind", "order"]),
    ],
    ids=["missing", "renamed", "extra"],
)
def test_it_refuses_a_header_that_is_not_the_contract(council, make_csv, unchanged, kind, header):
    unchanged()
    problems = refused(kind, make_csv([header, ["NORTH", "North", "locality", "4"][: len(header)]]))
    assert problems and all(p.startswith("Row 1: The column") for p in problems)


def test_it_refuses_bad_cells_naming_row_and_column(council, make_csv, unchanged):
    unchanged()
    problems = refused(
        "targets",
        make_csv(
            [
                ["indicator", "effective_from", "value", "tolerance"],
                ["re_referrals", "April 2017", "22", "1"],
                ["cp_visits", "2017-04", "1e2", "-1"],
            ]
        ),
    )
    assert problems == [
        "Row 2, column effective_from: “April 2017” is not a month in the form YYYY-MM (e.g. 2017-12)",
        "Row 3, column value: “1e2” is not a plain number (digits and a decimal point only)",
        "Row 3, column tolerance: -1 is below 0",
    ]


def test_it_names_both_rows_of_a_code_given_twice(council, make_csv, unchanged):
    unchanged()
    problems = refused(
        "areas",
        make_csv([["code", "name", "kind"], ["NORTH", "North", "locality"], ["NORTH", "North again", "locality"]]),
    )
    assert problems == ["Row 3: Rows 2 and 3 both give NORTH; each must appear once"]


def test_it_refuses_a_second_council(council, make_csv, unchanged):
    unchanged()
    problems = refused("council", make_csv([["code", "name"], ["TOWN", "Another Town"]]))
    assert problems == [
        "Row 2, column code: This install already holds the council CITY (Demo City); a second council cannot be added"
    ]


def test_it_refuses_a_team_with_the_councils_code(council, make_csv, unchanged):
    unchanged()
    header = ["code", "name", "area", "team_type"]
    problems = refused("teams", make_csv([header, ["CITY", "City team", "EAST", "assessment"]]))
    assert "the council's own code" in problems[0]


def test_it_refuses_an_unknown_kind(db, make_csv):
    with pytest.raises(ImportRefused, match="not a kind of reference data"):
        reference_import(kind="users", data=make_csv([["code"], ["x"]]), file_name="users.csv")


def test_reference_kinds_follow_the_roles(administrator, performance, entry_user, leader):
    assert has_import_reference_permission(administrator, "teams")
    assert has_import_reference_permission(administrator, "targets")
    assert has_import_reference_permission(performance, "targets")
    assert has_import_reference_permission(performance, "comparators")
    assert not has_import_reference_permission(performance, "teams")
    assert not has_import_reference_permission(entry_user, "targets")
    assert not has_import_reference_permission(leader, "areas")


def test_a_comparator_may_name_the_line_it_compares_with(council, make_csv):
    reference_import(
        kind="comparators",
        file_name="comparators.csv",
        data=make_csv(
            [
                ["indicator", "kind", "period", "value", "source", "line"],
                ["children_in_care", "national", "2015-16", "62", "DfE", "rate"],
                ["children_in_care", "national", "2015-16", "1700", "DfE", ""],
            ]
        ),
    )
    assert sorted(Comparator.objects.values_list("line", "value")) == [("", 1700), ("rate", 62)]


def test_it_refuses_a_line_the_indicator_does_not_have(council, make_csv, unchanged):
    unchanged()
    problems = refused(
        "comparators",
        make_csv(
            [
                ["indicator", "kind", "period", "value", "source", "line"],
                ["re_referrals", "national", "2015-16", "22", "", "rates"],
            ]
        ),
    )
    assert problems == ["Row 2, column line: The indicator re_referrals has no line with the code “rates”"]


def test_it_names_both_rows_of_a_headline_comparator_given_twice(council, make_csv, unchanged):
    unchanged()
    problems = refused(
        "comparators",
        make_csv(
            [
                ["indicator", "kind", "period", "value", "source"],
                ["re_referrals", "national", "2015-16", "22", ""],
                ["re_referrals", "national", "2015-16", "23", ""],
            ]
        ),
    )
    assert problems == ["Row 3: Rows 2 and 3 both give re_referrals national 2015-16; each must appear once"]
