"""Each measure derived from small hand-worked Annex A workbooks, boundary dates included (no database)."""

from __future__ import annotations

import pytest

from lib.months import Month
from lib.workdays import WorkingCalendar
from returns.annex_a.reader import derive
from tests.returns.annex_a_books import HEADERS, book, d

DEC = Month(2017, 12)


def run(sheets, month=DEC, headers=None, calendar=None):
    return derive(book(sheets, headers=headers), "annex-a.xlsx", month, calendar or WorkingCalendar())


def test_referrals_count_the_month_and_re_referrals_count_a_previous_one_within_12_months():
    result = run(
        {
            "List 3": [
                ["R1", "a) Male", d(2010, 1, 1), d(2017, 12, 1), "Police", 1, "Team A", "SW"],  # first day: counted
                [
                    "R2",
                    "b) Female",
                    d(2011, 1, 1),
                    d(2017, 12, 31),
                    "Police",
                    2,
                    "Team A",
                    "SW",
                ],  # last day, a re-referral
                [
                    "R3",
                    "b) Female",
                    d(2011, 1, 1),
                    d(2017, 11, 30),
                    "Police",
                    3,
                    "Team A",
                    "SW",
                ],  # November: not counted
                ["R4", "a) Male", d(2012, 1, 1), d(2018, 1, 1), "Police", 2, "Team A", "SW"],  # January: not counted
                [
                    "R5",
                    "a) Male",
                    d(2012, 1, 1),
                    d(2017, 12, 15),
                    "Police",
                    4,
                    "",
                    "",
                ],  # no team: still the authority's
            ]
        }
    )
    assert result.authority == {"referrals": 3, "re_referrals": 2}
    assert not result.errors


def test_assessments_in_timescale_means_45_working_days_or_fewer_from_the_start():
    # Authorised Friday 29 December 2017. Counting back over 19 December working days (Christmas Day and
    # Boxing Day skipped), 22 in November and 4 in October reaches Wednesday 25 October: 45 working days
    # after the 25th up to the 29th; from the 24th it is 46.
    calendar = WorkingCalendar()
    assert calendar.count(d(2017, 10, 25), d(2017, 12, 29)) == 45
    assert calendar.count(d(2017, 10, 24), d(2017, 12, 29)) == 46
    result = run(
        {
            "List 4": [
                ["A1", d(2017, 10, 25), "a) Yes", d(2017, 12, 29), "Team A", "SW"],  # exactly 45: in timescale
                ["A2", d(2017, 10, 24), "Yes", d(2017, 12, 29), "Team A", "SW"],  # 46: out
                ["A3", d(2017, 12, 1), "No", d(2017, 12, 1), "Team B", "SW"],  # same day, first of the month
                ["A4", d(2017, 11, 1), "b) No", d(2017, 11, 30), "Team B", "SW"],  # November: not this month
                ["A5", d(2017, 11, 1), "Y", d(2017, 12, 31), "Team B", "SW"],  # last day of the month
            ]
        }
    )
    assert result.authority == {"assessments_completed": 4, "children_seen_at_assessment": 3}
    assert result.teams == {
        "Team A": {"assessments_in_timescale": 1, "assessments_out_of_timescale": 1},
        "Team B": {"assessments_in_timescale": 2},
    }


def test_a_bank_holiday_inside_the_window_does_not_count_as_a_working_day():
    # 45 working days ending Wednesday 4 April 2018 span Good Friday (30 March) and Easter Monday (2 April).
    calendar = WorkingCalendar()
    start = d(2018, 1, 29)
    assert calendar.count(start, d(2018, 4, 4)) == 45  # 47 weekdays less the two bank holidays
    result = run({"List 4": [["A1", start, "Yes", d(2018, 4, 4), "Team A", "SW"]]}, month=Month(2018, 4))
    assert result.teams == {"Team A": {"assessments_in_timescale": 1}}
    # One working day earlier is 46, out of timescale, unless a council closure day falls in the window.
    late = [["A1", d(2018, 1, 26), "Yes", d(2018, 4, 4), "Team A", "SW"]]
    assert run({"List 4": late}, month=Month(2018, 4)).teams == {"Team A": {"assessments_out_of_timescale": 1}}
    closed = WorkingCalendar([d(2018, 2, 1)])
    assert run({"List 4": late}, month=Month(2018, 4), calendar=closed).teams == {
        "Team A": {"assessments_in_timescale": 1}
    }


def test_child_protection_plans_visits_due_and_made():
    result = run(
        {
            "List 7": [
                ["C1", d(2017, 6, 1), d(2017, 12, 1), None, "Team A", "SW"],  # on a plan, visited on the 1st
                ["C2", d(2017, 6, 1), d(2017, 11, 30), None, "Team A", "SW"],  # on a plan, not visited in December
                ["C3", d(2017, 12, 1), d(2017, 12, 5), None, "Team A", "SW"],  # started in the month: not due a visit
                ["C4", d(2017, 12, 31), None, None, "Team A", "SW"],  # started on the last day: on a plan
                ["C5", d(2017, 1, 1), d(2017, 12, 20), d(2017, 12, 31), "Team A", "SW"],  # ended on E: not on a plan
                ["C6", d(2017, 1, 1), d(2017, 12, 20), d(2018, 1, 2), "Team B", "SW"],  # ends after E: on a plan
                ["C7", d(2018, 1, 1), None, None, "Team B", "SW"],  # starts after E
            ]
        }
    )
    assert result.teams == {
        "Team A": {"cpp_children": 4, "cpp_visits_due": 2, "cpp_visits_made": 1},
        "Team B": {"cpp_children": 1, "cpp_visits_due": 1, "cpp_visits_made": 1},
    }


def test_children_in_care_split_by_uasc():
    result = run(
        {
            "List 8": [
                ["L1", "b) No", d(2015, 3, 1), None, "CiC 1", "SW"],
                ["L2", "N", d(2017, 12, 31), None, "CiC 1", "SW"],  # started on E
                ["L3", "a) Yes", d(2017, 5, 1), None, "UASC Team", "SW"],
                ["L4", "Y", d(2017, 5, 1), d(2017, 12, 31), "UASC Team", "SW"],  # ceased on E: not in care at E
                ["L5", "No", d(2017, 5, 1), d(2017, 12, 10), "CiC 1", "SW"],
            ]
        }
    )
    assert result.authority == {"cic_uasc": 1}
    assert result.teams == {"CiC 1": {"cic_children": 2}}


@pytest.mark.parametrize(
    ("month", "birth", "counted"),
    [
        (DEC, d(2000, 12, 31), True),  # 17th birthday on E
        (DEC, d(1999, 12, 31), True),  # 18th birthday on E
        (DEC, d(1996, 1, 1), True),  # 21, nearly 22
        (DEC, d(1995, 12, 31), False),  # 22nd birthday on E
        (DEC, d(2001, 1, 1), False),  # 16 at E, 17 the next day
        (Month(2017, 6), d(1999, 6, 30), True),  # 18th birthday on E (30 June)
        (Month(2017, 6), d(2000, 7, 1), False),  # 17 the day after E: still 16
        (Month(2017, 6), d(1995, 7, 1), True),  # 22 the day after E: still 21
    ],
)
def test_care_leavers_are_aged_17_to_21_at_the_months_end(month, birth, counted):
    result = run({"List 9": [["K1", birth, "PA team", "F3: Full time in training or employment"]]}, month=month)
    assert result.authority == (
        {"care_leavers": 1, "care_leavers_ete": 1} if counted else {"care_leavers": 0, "care_leavers_ete": 0}
    )


def test_care_leavers_in_education_employment_or_training_by_activity_code():
    rows = [
        ["K1", d(1999, 6, 1), "PA", activity]
        for activity in (
            "F1",
            "p1) Part time in higher education",
            "F2: Full time in education other than higher",
            "P2",
            "Full time in training or employment",
            "P3",
            "G4",
            "G6: NEET pregnancy or parenting",
            None,
        )
    ]
    result = run({"List 9": rows})
    assert result.authority == {"care_leavers": 9, "care_leavers_ete": 6}


def test_adoption_days_from_placement_order_to_match_and_from_care_to_placement():
    result = run(
        {
            "List 10": [
                ["D1", d(2015, 1, 1), d(2017, 6, 1), d(2017, 12, 1), None],  # matched on the 1st: 183 days
                ["D2", d(2016, 1, 1), d(2017, 9, 30), d(2017, 12, 31), d(2017, 12, 31)],  # 92 days; placed 730 days
                ["D3", d(2014, 1, 1), d(2017, 1, 1), d(2017, 11, 1), d(2017, 12, 15)],  # placed: 1444 days
                ["D4", d(2014, 1, 1), d(2017, 1, 1), d(2017, 11, 1), d(2018, 1, 2)],  # nothing in December
            ]
        }
    )
    assert result.authority == {
        "adoption_match_children": 2,
        "adoption_match_days": 183 + 92,
        "adoption_placement_children": 2,
        "adoption_placement_days": 730 + 1444,
    }


def test_children_in_need_open_at_the_months_end_and_unallocated_after_seven_days():
    result = run(
        {
            "List 6": [
                ["N1", d(2017, 1, 1), None, "c) Child in need plan", "Team A", "SW"],
                ["N2", d(2017, 1, 1), None, "a) Looked after child", "Team A", "SW"],  # in care: not at home
                ["N3", d(2017, 12, 24), None, "d) Open assessment", "Team A", None],  # 7 days before E: unallocated
                ["N4", d(2017, 12, 25), None, "d) Open assessment", "Team A", ""],  # 6 days: not yet
                ["N5", d(2017, 1, 1), d(2017, 12, 31), "e) Closed episode", "Team A", "SW"],  # closed on E
                ["N6", d(2017, 1, 1), d(2018, 1, 3), "b) Child Protection plan", "Team B", "SW"],  # closes after E
            ]
        }
    )
    assert result.authority == {"cin_supported_total": 5, "cin_supported_at_home": 4}
    assert result.teams == {"Team A": {"open_cases": 4, "unallocated_cases": 1}, "Team B": {"open_cases": 1}}


def test_lists_are_found_by_sheet_name_in_any_order_and_missing_ones_are_reported():
    result = run(
        {"list10 adoption": [], "Notes": [["anything"]], "List 3 - Referrals": []},
        headers={"list10 adoption": HEADERS["List 10"], "List 3 - Referrals": HEADERS["List 3"]},
    )
    assert result.lists == {3: "List 3 - Referrals", 10: "list10 adoption"}
    assert result.missing_lists == [1, 2, 4, 5, 6, 7, 8, 9, 11]
    assert result.not_derived["cpp_children"] == "List 7 (child protection) is not in the workbook"
    assert result.measures[:2] == ["referrals", "re_referrals"]


def test_a_missing_column_leaves_only_its_measures_underived():
    headers = {"List 6": ["Child Unique ID", "CIN Start Date", "CIN Closure Date", "Case Status", "Allocated Team"]}
    result = run({"List 6": [["N1", d(2017, 1, 1), None, "c) Child in need plan", "Team A"]]}, headers=headers)
    assert "unallocated_cases" not in result.measures
    assert result.not_derived["unallocated_cases"] == "List 6 has no column “Allocated Worker”"
    assert result.teams == {"Team A": {"open_cases": 1}}


def test_a_column_given_twice_refuses_the_list_naming_both():
    headers = {
        "List 7": [
            "Child Unique ID",
            "Child Protection Plan Start Date",
            "Date of the Last Statutory Visit",
            "Child Protection Plan End Date",
            "Allocated Team",
            "Allocated team ",
        ]
    }
    result = run({"List 7": [["C1", d(2017, 6, 1), None, None, "Team A", "Team B"]]}, headers=headers)
    assert [str(group) for group in result.errors] == [
        "List 7, row 1: two columns (E and F) are both “Allocated Team”: keep one"
    ]
