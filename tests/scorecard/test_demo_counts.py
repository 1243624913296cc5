"""The demo council's raw counts reproduce the December 2017 seed scorecard.

Every expected number is typed from shared/seed/SCORECARD-2017-12.md. The
arithmetic that turns counts into the printed figures is written out here
on its own (sums, pooled ratios, rolling windows, rounding half up), so the
test checks counts.py against the seed, not against itself or the engine.
Pure Python: no database, no Django.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from indicators import catalogue
from scorecard.demo import counts, reference

COUNTS = counts.monthly_counts()

CITY = "CITY"
DEC = "2017-12"
BASELINE = ["2017-06", "2017-07", "2017-08", "2017-09", "2017-10", "2017-11"]
ALL_MONTHS = [f"{year}-{month:02d}" for year in range(2014, 2018) for month in range(1, 13)]

TEAM_MEASURES = [
    "open_cases",
    "unallocated_cases",
    "assessments_in_timescale",
    "assessments_out_of_timescale",
    "cpp_children",
    "cpp_visits_due",
    "cpp_visits_made",
    "cic_children",
    "supervisions",
    "social_work_staff",
    "caseload_cases",
    "qualified_social_workers",
]
AUTHORITY_MEASURES = [
    "referrals",
    "re_referrals",
    "assessments_completed",
    "children_seen_at_assessment",
    "cic_uasc",
    "care_leavers",
    "care_leavers_ete",
    "adoption_match_days",
    "adoption_match_children",
    "adoption_placement_days",
    "adoption_placement_children",
    "cin_supported_at_home",
    "cin_supported_total",
    "agency_social_workers",
    "social_worker_posts",
    "agency_team_managers",
    "team_manager_posts",
]
INDICATORS = [
    "unallocated_cases",
    "re_referrals",
    "assessments_in_timescale",
    "children_seen_at_assessment",
    "child_protection_plans",
    "cp_visits",
    "children_in_care",
    "care_leavers_ete",
    "adoption_match_days",
    "adoption_placement_days",
    "cin_supported_at_home",
    "supervision",
    "average_caseload",
    "agency_social_workers",
]
AREAS = ["EAST", "NWC", "SOUTH", "DCSC", "CITYWIDE"]
LOCALITIES = ["EAST", "NWC", "SOUTH"]

TEAM_AREA = {code: area for code, _name, area, _type in reference.TEAMS}
TEAM_TYPE = {code: team_type for code, _name, _area, team_type in reference.TEAMS}
POPULATION = {area: people for area, _year, people in reference.POPULATIONS}
CITY_POPULATION = sum(POPULATION.values())


def half_up(value: Fraction | int, places: int = 0) -> Decimal:
    """Round as the printed scorecard does: half up, to `places` decimals."""
    value = Fraction(value)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def value(unit: str, month: str, measure: str) -> int:
    return COUNTS[(unit, month, measure)]


def total(measure: str, months: str | list[str], teams=None) -> int:
    """Sum of a measure over months and units (all units when teams is None)."""
    months = [months] if isinstance(months, str) else months
    return sum(
        count
        for (unit, month, code), count in COUNTS.items()
        if code == measure and month in months and (teams is None or unit in teams)
    )


def area_teams(area: str) -> list[str]:
    return [team for team, team_area in TEAM_AREA.items() if team_area == area]


def type_teams(team_type: str) -> list[str]:
    return [team for team, kind in TEAM_TYPE.items() if kind == team_type]


def area_total(measure: str, month: str, area: str) -> int:
    return total(measure, month, area_teams(area))


def percent(numerator: int, denominator: int) -> Fraction:
    return Fraction(100 * numerator, denominator)


def baseline_mean(measure: str) -> Decimal:
    """Mean of the six monthly city totals, rounded."""
    return half_up(Fraction(total(measure, BASELINE), len(BASELINE)))


def pooled_percent(numerator: str, denominator: str, months=BASELINE, teams=None) -> Decimal:
    return half_up(percent(total(numerator, months, teams), total(denominator, months, teams)))


def rolling(prefix: str, window: int, month: str) -> tuple[int, int]:
    """(days, children) over the `window` months ending `month`."""
    end = ALL_MONTHS.index(month)
    months = ALL_MONTHS[end - window + 1 : end + 1]
    return total(f"{prefix}_days", months), total(f"{prefix}_children", months)


def ints(*numbers) -> list[Decimal]:
    return [Decimal(number) for number in numbers]


# --------------------------------------------------------------------------
# Shape, validation rules, determinism
# --------------------------------------------------------------------------


def test_forty_eight_months_from_january_2014():
    assert counts.FIRST_MONTH == "2014-01"
    assert counts.LAST_MONTH == "2017-12"
    assert sorted({month for _unit, month, _code in COUNTS}) == ALL_MONTHS
    assert len(ALL_MONTHS) == 48


def test_every_team_returns_every_team_measure_every_month():
    for team in TEAM_AREA:
        for month in ALL_MONTHS:
            for measure in TEAM_MEASURES:
                assert (team, month, measure) in COUNTS, (team, month, measure)


def test_the_council_returns_every_authority_measure_every_month():
    for month in ALL_MONTHS:
        for measure in AUTHORITY_MEASURES:
            assert (CITY, month, measure) in COUNTS, (month, measure)


def test_nothing_else_is_returned():
    expected = len(ALL_MONTHS) * (len(TEAM_AREA) * len(TEAM_MEASURES) + len(AUTHORITY_MEASURES))
    assert len(COUNTS) == expected
    for unit, _month, measure in COUNTS:
        if unit == CITY:
            assert measure in AUTHORITY_MEASURES
        else:
            assert unit in TEAM_AREA and measure in TEAM_MEASURES


def test_values_are_non_negative_whole_numbers():
    for key, count in COUNTS.items():
        assert type(count) is int and count >= 0, key


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        ("re_referrals", "referrals"),
        ("cpp_visits_made", "cpp_visits_due"),
        ("children_seen_at_assessment", "assessments_completed"),
        ("supervisions", "social_work_staff"),
        ("unallocated_cases", "open_cases"),
        ("care_leavers_ete", "care_leavers"),
        ("cin_supported_at_home", "cin_supported_total"),
        ("agency_social_workers", "social_worker_posts"),
        ("agency_team_managers", "team_manager_posts"),
    ],
)
def test_part_never_exceeds_whole(part, whole):
    units = {unit for unit, _month, code in COUNTS if code == part}
    assert units
    for unit in units:
        for month in ALL_MONTHS:
            assert value(unit, month, part) <= value(unit, month, whole), (unit, month)


@pytest.mark.parametrize("prefix", ["adoption_match", "adoption_placement"])
def test_adoption_days_only_with_children_and_plausible(prefix):
    for month in ALL_MONTHS:
        days = value(CITY, month, f"{prefix}_days")
        children = value(CITY, month, f"{prefix}_children")
        if children == 0:
            assert days == 0, month
        else:
            # An average wait of two months to four years, whatever the month.
            assert 60 <= days / children <= 1500, (month, days, children)


def test_qualified_workers_are_among_the_staff():
    for team in TEAM_AREA:
        for month in ALL_MONTHS:
            workers = value(team, month, "qualified_social_workers")
            assert workers <= value(team, month, "social_work_staff"), (team, month)


def test_deterministic():
    # Seeded, so every run (and every machine) builds the same demo; how long it takes is not a test's business.
    again = counts.monthly_counts()
    assert again == COUNTS and again is not COUNTS


# --------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------


def test_reference_codes():
    assert reference.COUNCIL == ("CITY", "Demo City Council")
    assert [area[0] for area in reference.AREAS] == AREAS
    assert [area[2] for area in reference.AREAS] == ["locality"] * 3 + ["citywide"] * 2
    # Every team's type is one the standard catalogue installs.
    assert {team[3] for team in reference.TEAMS} <= {code for code, _name in catalogue.TEAM_TYPES}
    assert len(reference.TEAMS) == 13
    assert [team[0] for team in reference.TEAMS] == [
        "EAST-ASM",
        "EAST-SG",
        "EAST-CIC",
        "NWC-ASM",
        "NWC-SG",
        "NWC-CIC",
        "SOUTH-ASM",
        "SOUTH-SG",
        "SOUTH-CIC",
        "DCSC-DIS",
        "CW-UASC",
        "CW-NRPF",
        "CW-HOME",
    ]
    for locality in LOCALITIES:
        assert sorted(TEAM_TYPE[team] for team in area_teams(locality)) == [
            "assessment",
            "children_in_care",
            "safeguarding",
        ]
    assert TEAM_AREA["DCSC-DIS"] == "DCSC" and TEAM_TYPE["DCSC-DIS"] == "disabled_children"
    assert {TEAM_TYPE[team] for team in area_teams("CITYWIDE")} == {"uasc", "nrpf", "homeless"}
    assert reference.POPULATIONS == (
        ("EAST", 2016, 107112),
        ("NWC", 2016, 109786),
        ("SOUTH", 2016, 69198),
    )
    assert CITY_POPULATION == 286096


def test_targets_as_printed():
    targets = {code: (start, figure, tolerance) for code, start, figure, tolerance in reference.TARGETS}
    assert targets == {
        "unallocated_cases": ("2014-04", 0, 5),
        "re_referrals": ("2014-04", 24, 3),
        "assessments_in_timescale": ("2014-04", 85, 5),
        "children_seen_at_assessment": ("2014-04", 90, 5),
        "cp_visits": ("2014-04", 90, 5),
        "children_in_care": ("2014-04", 1695, 50),
        "adoption_match_days": ("2014-04", 271, 30),
        "adoption_placement_days": ("2014-04", 600, 30),
        "cin_supported_at_home": ("2014-04", 80, 5),
        "supervision": ("2014-04", 83, 5),
        "average_caseload": ("2014-04", 16, 2),
        "agency_social_workers": ("2014-04", 15, 5),
    }


def test_comparators_as_printed():
    found = {
        (code, kind): (period, figure, line) for code, kind, period, figure, _source, line in reference.COMPARATORS
    }
    expected = {
        "re_referrals": (22, 22, None),
        "assessments_in_timescale": (83, 83, None),
        "child_protection_plans": (43, 50, "rate"),
        "children_in_care": (62, 74, "rate"),
        "care_leavers_ete": (50, 48, None),
        "adoption_match_days": (226, 251, None),
        "adoption_placement_days": (558, 600, None),
    }
    assert len(found) == 2 * len(expected)
    for code, (national, neighbours, line) in expected.items():
        assert found[(code, "national")] == ("2015-16", national, line)
        assert found[(code, "statistical_neighbours")] == ("2015-16", neighbours, line)
    assert all("2016" in source for *_rest, source, _line in reference.COMPARATORS)


def test_commentary_for_every_indicator():
    assert sorted(reference.COMMENTARY) == sorted(INDICATORS)
    for code, text in reference.COMMENTARY.items():
        assert len(text) > 150, code


# --------------------------------------------------------------------------
# The seed's figures, indicator by indicator
# --------------------------------------------------------------------------


def test_1_unallocated_cases():
    assert [area_total("unallocated_cases", DEC, area) for area in AREAS] == [0, 1, 0, 0, 0]
    assert total("unallocated_cases", DEC) == 1
    assert baseline_mean("unallocated_cases") == 3
    assert [area_total("open_cases", DEC, area) for area in AREAS] == [1990, 2090, 1922, 704, 840]
    assert total("open_cases", DEC) == 7546
    assert baseline_mean("open_cases") == 7362
    # % unallocated is printed to one decimal place.
    zero = Decimal("0.0")
    assert half_up(percent(total("unallocated_cases", DEC), total("open_cases", DEC)), 1) == zero
    for area in AREAS:
        unallocated = area_total("unallocated_cases", DEC, area)
        assert half_up(percent(unallocated, area_total("open_cases", DEC, area)), 1) == zero
    baseline = percent(total("unallocated_cases", BASELINE), total("open_cases", BASELINE))
    assert half_up(baseline, 1) == zero


def test_2_re_referrals_cumulative_baseline():
    assert value(CITY, DEC, "re_referrals") == 268
    assert value(CITY, DEC, "referrals") == 1234
    assert half_up(percent(268, 1234)) == 22
    assert total("re_referrals", BASELINE) == 1596
    assert total("referrals", BASELINE) == 6671
    assert pooled_percent("re_referrals", "referrals") == 24


def test_3_assessments_in_timescale():
    inside = [area_total("assessments_in_timescale", DEC, area) for area in AREAS]
    outside = [area_total("assessments_out_of_timescale", DEC, area) for area in AREAS]
    assert inside == [340, 274, 270, 8, 31]
    assert outside == [19, 17, 24, 0, 18]
    assert sum(inside) == 923 and sum(outside) == 78 and sum(inside) + sum(outside) == 1001
    by_area = [half_up(percent(i, i + o)) for i, o in zip(inside, outside, strict=True)]
    assert by_area == ints(95, 94, 92, 100, 63)
    assert half_up(percent(923, 1001)) == 92

    inside_b = total("assessments_in_timescale", BASELINE)
    outside_b = total("assessments_out_of_timescale", BASELINE)
    assert half_up(Fraction(inside_b, 6)) == 1103
    assert half_up(Fraction(outside_b, 6)) == 119
    assert half_up(Fraction(inside_b + outside_b, 6)) == 1222
    assert half_up(percent(inside_b, inside_b + outside_b)) == 90


def test_4_children_seen_at_assessment():
    assert value(CITY, DEC, "assessments_completed") == 964
    assert value(CITY, DEC, "children_seen_at_assessment") == 906
    assert half_up(percent(906, 964)) == 94
    assert baseline_mean("assessments_completed") == 1169
    assert baseline_mean("children_seen_at_assessment") == 1101
    assert pooled_percent("children_seen_at_assessment", "assessments_completed") == 94


def test_5_child_protection_plans_and_rates():
    by_area = [area_total("cpp_children", DEC, area) for area in AREAS]
    assert by_area == [282, 312, 344, 20, 14]
    assert total("cpp_children", DEC) == 972
    assert total("cpp_children", "2017-03") == 988
    # The city rate counts every plan, citywide services included.
    assert half_up(Fraction(972 * 10000, CITY_POPULATION)) == 34
    assert half_up(Fraction(total("cpp_children", "2017-03") * 10000, CITY_POPULATION)) == 35
    rates = [half_up(Fraction(area_total("cpp_children", DEC, area) * 10000, POPULATION[area])) for area in LOCALITIES]
    assert rates == ints(26, 28, 50)
    assert "DCSC" not in POPULATION and "CITYWIDE" not in POPULATION


def test_5_plans_in_the_900s_for_two_years():
    for month in ALL_MONTHS[-24:]:
        assert 900 <= total("cpp_children", month) < 1010, month


def test_6_child_protection_visits():
    assert total("cpp_visits_made", DEC) == 776
    assert total("cpp_visits_due", DEC) == 891
    assert half_up(percent(776, 891)) == 87
    assert baseline_mean("cpp_visits_made") == 801
    assert baseline_mean("cpp_visits_due") == 855
    assert pooled_percent("cpp_visits_made", "cpp_visits_due") == 94


def test_7_children_in_care_and_rates():
    by_area = [area_total("cic_children", DEC, area) for area in AREAS]
    assert by_area == [521, 539, 609, 80, 9]
    assert total("cic_children", DEC) == 1758
    assert total("cic_children", "2016-03") == 1735
    assert value(CITY, DEC, "cic_uasc") == 151
    uasc_march_16 = value(CITY, "2016-03", "cic_uasc")
    assert 140 <= uasc_march_16 < 151
    # The city rate includes UASC; locality rates do not.
    assert half_up(Fraction((1758 + 151) * 10000, CITY_POPULATION)) == 67
    assert half_up(Fraction((1735 + uasc_march_16) * 10000, CITY_POPULATION)) == 66
    rates = [half_up(Fraction(area_total("cic_children", DEC, area) * 10000, POPULATION[area])) for area in LOCALITIES]
    assert rates == ints(49, 49, 88)


def test_7_uasc_rise_since_april_2015():
    assert 30 <= value(CITY, "2015-04", "cic_uasc") <= 50
    assert max(value(CITY, month, "cic_uasc") for month in ALL_MONTHS) == 151


def test_8_care_leavers_ete():
    in_ete, leavers = value(CITY, DEC, "care_leavers_ete"), value(CITY, DEC, "care_leavers")
    assert half_up(percent(in_ete, leavers)) == 64
    assert pooled_percent("care_leavers_ete", "care_leavers") == 59


def test_9_adoption_match_rolling_twelve_months():
    days, children = rolling("adoption_match", 12, DEC)
    assert half_up(Fraction(days, children)) == 232
    windows = [rolling("adoption_match", 12, month) for month in BASELINE]
    pooled = Fraction(sum(d for d, _c in windows), sum(c for _d, c in windows))
    assert half_up(pooled) == 276
    # November and December improved markedly on the months before.
    october = rolling("adoption_match", 12, "2017-10")
    november = rolling("adoption_match", 12, "2017-11")
    assert Fraction(*november) < Fraction(*october)
    assert Fraction(days, children) < Fraction(*november)


def test_10_adoption_placement_rolling_three_years():
    days, children = rolling("adoption_placement", 36, DEC)
    assert half_up(Fraction(days, children)) == 607
    windows = [rolling("adoption_placement", 36, month) for month in BASELINE]
    # The oldest baseline window starts in July 2014, inside the data.
    assert ALL_MONTHS.index("2017-06") - 35 >= 0
    pooled = Fraction(sum(d for d, _c in windows), sum(c for _d, c in windows))
    assert half_up(pooled) == 618


def test_11_cin_supported_at_home():
    at_home, cases = value(CITY, DEC, "cin_supported_at_home"), value(CITY, DEC, "cin_supported_total")
    assert half_up(percent(at_home, cases)) == 87
    assert pooled_percent("cin_supported_at_home", "cin_supported_total") == 82


def test_12_supervision():
    supervised = [area_total("supervisions", DEC, area) for area in AREAS]
    staff = [area_total("social_work_staff", DEC, area) for area in AREAS]
    assert supervised == [98, 156, 131, 18, 16]
    assert staff == [128, 176, 155, 31, 20]
    assert sum(supervised) == 419 and sum(staff) == 510
    assert half_up(percent(419, 510)) == 82
    assert [half_up(percent(s, t)) for s, t in zip(supervised, staff, strict=True)] == ints(77, 89, 85, 58, 80)
    assert baseline_mean("supervisions") == 457
    assert baseline_mean("social_work_staff") == 512
    assert pooled_percent("supervisions", "social_work_staff") == 89


def caseload(months, teams) -> Decimal:
    """Cases held over qualified workers holding them, pooled, rounded."""
    months = [months] if isinstance(months, str) else months
    return half_up(Fraction(total("caseload_cases", months, teams), total("qualified_social_workers", months, teams)))


@pytest.mark.parametrize(
    ("team_type", "city", "east", "nwc", "south", "baseline"),
    [
        ("assessment", 19, 20, 23, 14, 14),
        ("safeguarding", 17, 15, 18, 20, 17),
        ("children_in_care", 14, 14, 12, 16, 14),
    ],
)
def test_13_caseload_by_team_type(team_type, city, east, nwc, south, baseline):
    teams = type_teams(team_type)
    assert len(teams) == 3
    assert caseload(DEC, teams) == city
    by_area = [caseload(DEC, [team for team in teams if TEAM_AREA[team] == area]) for area in LOCALITIES]
    assert by_area == ints(east, nwc, south)
    assert caseload(BASELINE, teams) == baseline


def test_13_average_caseload_city():
    every_team = list(TEAM_AREA)
    assert caseload(DEC, every_team) == 17
    by_area = [caseload(DEC, area_teams(area)) for area in ["EAST", "NWC", "SOUTH", "DCSC"]]
    assert by_area == ints(16, 17, 17, 14)
    assert caseload(BASELINE, every_team) == 15
    # Citywide teams hold cases too and count in the city figure.
    assert total("caseload_cases", DEC, area_teams("CITYWIDE")) > 0


def test_14_agency_staff():
    sw = value(CITY, DEC, "agency_social_workers")
    sw_posts = value(CITY, DEC, "social_worker_posts")
    tm = value(CITY, DEC, "agency_team_managers")
    tm_posts = value(CITY, DEC, "team_manager_posts")
    assert sw == 119 and tm == 8
    assert value(CITY, "2017-03", "agency_social_workers") == 195
    assert half_up(percent(sw, sw_posts)) == 15
    assert half_up(percent(tm, tm_posts)) == 8
    assert half_up(percent(sw + tm, sw_posts + tm_posts)) == 14

    assert pooled_percent("agency_social_workers", "social_worker_posts") == 21
    assert pooled_percent("agency_team_managers", "team_manager_posts") == 10
    agency = total("agency_social_workers", BASELINE) + total("agency_team_managers", BASELINE)
    posts = total("social_worker_posts", BASELINE) + total("team_manager_posts", BASELINE)
    assert half_up(percent(agency, posts)) == 19


def test_14_agency_social_workers_fall_from_march():
    since_march = ALL_MONTHS[ALL_MONTHS.index("2017-03") :]
    path = [value(CITY, month, "agency_social_workers") for month in since_march]
    assert path[0] == 195 and path[-1] == 119
    assert all(count < 195 for count in path[1:])
    assert path[-1] == min(path)
    assert Fraction(sum(path[-6:]), 6) < Fraction(sum(path[:6]), 6)


def test_holiday_dips_in_visits_and_supervision():
    pairs = [("cpp_visits_made", "cpp_visits_due"), ("supervisions", "social_work_staff")]
    for numerator, denominator in pairs:

        def rate(month, numerator=numerator, denominator=denominator):
            return Fraction(total(numerator, month), total(denominator, month))

        for year in (2014, 2015, 2016, 2017):
            assert rate(f"{year}-08") < rate(f"{year}-07"), (numerator, year)
            assert rate(f"{year}-12") < rate(f"{year}-11"), (numerator, year)
