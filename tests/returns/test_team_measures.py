"""Forms per team type: which measures a team returns is data, and the form, checks and import follow it."""

import pytest

from indicators.models import Measure
from returns import selectors, team_measures
from returns.imports import returns_import
from returns.models import Return, ReturnValue
from returns.spreadsheets import ImportRefused
from scorecard.demo.loader import load_team_type_measures
from teams.models import TeamType
from tests.imports.conftest import csv_file
from tests.returns.factories import TEAM_VALUES, make_council, make_team

CIC_FORM = "/returns/2017-12/EAST-CIC/"
NOT_CIC = (
    "assessments_in_timescale",
    "assessments_out_of_timescale",
    "cpp_children",
    "cpp_visits_due",
    "cpp_visits_made",
)


pytestmark = pytest.mark.usefixtures("january_2018")


@pytest.fixture
def cic(db, entry_user):
    """East's children in care team, whose type is not asked about assessments or child protection."""
    make_council()
    team = make_team("EAST-CIC", area="EAST", team_type="children_in_care", members=[entry_user])
    others = TeamType.objects.exclude(code="children_in_care")
    for measure in Measure.objects.filter(code__in=NOT_CIC):
        measure.team_types.set(others)
    return team


def codes(unit_team) -> list[str]:
    return [m.code for m in selectors.measures_for(selectors.Unit(unit_team.code, "", unit_team))]


def test_a_team_returns_its_types_measures_and_every_unrestricted_one(cic):
    safeguarding = make_team("EAST-SG", area="EAST")
    assert codes(cic) == [code for code in TEAM_VALUES if code not in NOT_CIC]
    assert codes(safeguarding) == list(TEAM_VALUES)


def test_the_form_asks_only_for_the_types_measures(client, entry_user, cic):
    client.force_login(entry_user)
    html = client.get(CIC_FORM).content.decode()
    assert 'name="cic_children"' in html and 'name="cpp_children"' not in html


def test_a_complete_return_of_the_types_measures_submits(client, entry_user, cic):
    client.force_login(entry_user)
    data = {"version": 1, "action": "submit", "comment": ""}
    data.update({code: str(value) for code, value in TEAM_VALUES.items() if code not in NOT_CIC})
    assert client.post(CIC_FORM, data).status_code == 302
    assert Return.objects.get(team=cic).state == Return.State.SUBMITTED


def test_the_import_refuses_a_measure_the_team_type_does_not_return(cic):
    data = csv_file(
        [
            ["month", "team", "measure", "value"],
            ["2017-12", "EAST-CIC", "cic_children", "12"],
            ["2017-12", "EAST-CIC", "cpp_children", "3"],
        ]
    )
    with pytest.raises(ImportRefused) as caught:
        returns_import(data=data, file_name="cic.csv")
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.startswith("Row 3") and "Teams of type “Children in care” do not return cpp_children" in problem
    assert not ReturnValue.objects.exists()


def test_the_import_takes_the_types_measures(cic):
    data = csv_file([["month", "team", "measure", "value"], ["2017-12", "EAST-CIC", "cic_children", "12"]])
    returns_import(data=data, file_name="cic.csv")
    assert ReturnValue.objects.get().value == 12


def test_every_teams_measures_are_read_in_three_queries(cic, django_assert_num_queries):
    for n in range(5):
        make_team(f"T{n}", area="EAST")
    with django_assert_num_queries(3):  # chosen team types, team-level measures, teams with their types
        found = team_measures.team_measure_codes()
    assert found[cic.pk][1] == frozenset(TEAM_VALUES) - set(NOT_CIC)
    memo: dict = {}
    assert team_measures.measure_refusal(None, "referrals", memo) is None and memo == {}


def test_the_demo_does_not_ask_children_in_care_teams_about_assessments(db):
    load_team_type_measures()
    team = make_team("CIC", team_type="children_in_care")
    assert not set(NOT_CIC) & set(codes(team))
    assert "cic_children" not in codes(make_team("ASM", team_type="assessment"))
    assert codes(make_team("SG", team_type="safeguarding")) == list(TEAM_VALUES)
    load_team_type_measures()  # a second run changes nothing
    assert Measure.objects.get(code="open_cases").team_types.count() == 0


def test_the_template_follows_the_team_type(client, entry_user, cic):
    client.force_login(entry_user)
    body = client.get(CIC_FORM + "template.csv").content.decode()
    assert "cic_children" in body and "cpp_children" not in body
