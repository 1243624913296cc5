"""SPC against the peers' own fixtures: their data and their published outputs, reproduced as published.

* NHSRplotthedots (nhs-r-community): the snapshot series of tests/testthat (R's rnorm(20) with set.seed(123),
  limits as printed in _snaps/ptd_spc_standard.md and _snaps/ptd_spc.md), the "Deviations from Excel defaults"
  vignette (limits printed to two places) and its two-of-three opposite-sides test.
* PowerBI-SPC (AUS-DOH-Safety-and-Quality): test/Chart Types/i.test.ts, limits to four places.
* NHS England's Making Data Count SPC SQL query (v2.4): its sample data, metric M1 by group with the signals
  its annotations name, and metric M2 with a baseline, a recalculation of limits and a ghosted point.

Weekly or daily peer data are charted here as consecutive months: the rules look only at order.
"""

import pytest

from indicators.spc import SpcOptions, limits_from, xmr
from lib.months import Month

START = Month(2021, 1)


def monthly(values, start=START):
    return [(start + index, value) for index, value in enumerate(values)]


def flagged(result):
    return {index: point.rules for index, point in enumerate(result.points) if point.rules}


def starts(result, rule):
    """Return the indexes where a run of points flagged with `rule` (any side) begins."""
    flags = [any(flag.startswith(rule) for flag in point.rules) for point in result.points]
    return [i for i, flag in enumerate(flags) if flag and (i == 0 or not flags[i - 1])]


# --- NHSRplotthedots ------------------------------------------------------------

# set.seed(123); rnorm(20), as glimpsed in tests/testthat/_snaps/ptd_spc_standard.md
RNORM_20 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]


def test_nhsr_snapshot_series_limits_as_printed():
    # r1: mean_col 0.1416238, lpl -3.01138, upl 3.294627 (screening changes nothing here)
    for screen in (False, True):
        limits = limits_from(RNORM_20, screen_outliers=screen)
        assert round(limits.centre, 7) == 0.1416238
        assert round(limits.lower, 5) == -3.01138
        assert round(limits.upper, 6) == 3.294627


def test_nhsr_snapshot_series_with_an_outlier_screened_and_not():
    values = list(RNORM_20)
    values[14] = 10  # data$y[15] <- 10
    screened = limits_from(values, screen_outliers=True)  # r2
    assert (round(screened.centre, 7), round(screened.lower, 6), round(screened.upper, 6)) == (
        0.6694159,
        -2.383666,
        3.722497,
    )
    unscreened = limits_from(values)  # r3
    assert (round(unscreened.centre, 7), round(unscreened.lower, 6), round(unscreened.upper, 6)) == (
        0.6694159,
        -4.596625,
        5.935457,
    )


def test_nhsr_snapshot_facets_of_ten_points_limits_as_printed():
    # summary(s3): facet 0 mean 0.0746, lpl -2.60, upl 2.75; facet 1 mean 0.209, lpl -3.28, upl 3.70
    first, second = limits_from(RNORM_20[:10]), limits_from(RNORM_20[10:])
    assert (round(first.centre, 4), round(first.lower, 2), round(first.upper, 2)) == (0.0746, -2.60, 2.75)
    assert (round(second.centre, 3), round(second.lower, 2), round(second.upper, 2)) == (0.209, -3.28, 3.70)


def test_nhsr_snapshot_facets_are_too_short_for_limits_here():
    # NHSRplotthedots draws trial limits on 10 points; Making Data Count (and this project) want 15.
    assert not xmr(monthly(RNORM_20[:10]), polarity="higher").enough_data


DEVIATIONS = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


@pytest.mark.parametrize(("screen", "printed"), [(True, (4.6, 1.94, -0.72)), (False, (6.95, 1.94, -3.06))])
def test_nhsr_deviations_vignette_limits_and_its_one_special_cause(screen, printed):
    result = xmr(monthly(DEVIATIONS), polarity="higher", options=SpcOptions(screen_outliers=screen))
    limits = result.limits
    assert (round(limits.upper, 2), round(limits.centre, 2), round(limits.lower, 2)) == printed
    # "four grey common cause points followed by a single blue special cause improvement point followed by a
    # further 12 grey common cause points"
    assert flagged(result) == {4: ("outside_high",)}
    assert result.points[4].side == "high"


def test_nhsr_two_of_three_close_to_the_limits_on_opposite_sides_is_common_cause():
    values = [1, -1] * 8
    values[14], values[15] = 5.5, -5.5
    result = xmr(monthly(values), polarity="higher")
    assert result.points[14].rules == () and result.points[15].rules == ()
    assert result.variation == "common_cause"


# --- PowerBI-SPC ---------------------------------------------------------------

PBI_NUMERATORS = [5, 7, 5, 7, 7, 5, 4, 9, 8, 13, 8, 7, 8, 7, 12, 11, 8]
PBI_DENOMINATORS = [113, 132, 121, 134, 116, 131, 93, 138, 182, 157, 100, 103, 146, 108, 153, 141, 134]


def test_powerbi_i_chart_limits_to_four_places():
    values = [n / d for n, d in zip(PBI_NUMERATORS, PBI_DENOMINATORS, strict=True)]
    result = xmr(monthly(values, start=Month(2010, 1)), polarity="higher")
    assert result.enough_data  # 17 points
    for point in result.points:
        assert point.upper == pytest.approx(0.0957, abs=0.5e-4)  # ul99
        assert point.upper_near == pytest.approx(0.0836, abs=0.5e-4)  # ul95
        assert point.lower_near == pytest.approx(0.0350, abs=0.5e-4)  # ll95
        assert point.lower == pytest.approx(0.0229, abs=0.5e-4)  # ll99


# --- Making Data Count SPC SQL query, sample data ------------------------------

# Metric M1 ("Rate", XmR, improvement 'Up', conflict rule 'Concern', target 0.95), weekly from 4 Jan 2021.
M1 = {
    "TOTAL": [
        0.922,
        0.928,
        0.93,
        0.926,
        0.926,
        0.923,
        0.921,
        0.918,
        0.925,
        0.91,
        0.92,
        0.924,
        0.923,
        0.92,
        0.925,
        0.928,
        0.927,
        0.921,
        0.918,
        0.921,
        0.925,
        0.939,
        0.929,
        0.927,
        0.925,
        0.926,
    ],
    "Department A": [
        0.972,
        0.965,
        0.966,
        0.974,
        0.97,
        0.971,
        0.977,
        0.97,
        0.97,
        0.968,
        0.965,
        0.96,
        0.967,
        0.97,
        0.981,
        0.977,
        0.976,
        0.97,
        0.973,
        0.975,
        0.977,
        0.98,
        0.978,
        0.98,
        0.973,
        0.97,
    ],
    "Department B": [
        0.965,
        0.956,
        0.963,
        0.952,
        0.947,
        0.951,
        0.956,
        0.958,
        0.962,
        0.965,
        0.967,
        0.961,
        0.958,
        0.947,
        0.952,
        0.963,
        0.961,
        0.96,
        0.957,
        0.956,
        0.955,
        0.952,
        0.959,
        0.963,
        0.954,
        0.956,
    ],
    "Department C": [
        0.913,
        0.911,
        0.912,
        0.909,
        0.912,
        0.923,
        0.905,
        0.923,
        0.912,
        0.905,
        0.905,
        0.898,
        0.901,
        0.915,
        0.91,
        0.905,
        0.912,
        0.91,
        0.907,
        0.915,
        0.912,
        0.909,
        0.92,
        0.923,
        0.924,
        0.923,
    ],
    "Department D": [
        0.971,
        0.973,
        0.978,
        0.979,
        0.981,
        0.985,
        0.987,
        0.991,
        0.993,
        0.987,
        0.982,
        0.98,
        0.979,
        0.972,
        0.964,
        0.962,
        0.958,
        0.96,
        0.961,
        0.963,
        0.964,
        0.965,
        0.966,
        0.968,
        0.97,
        0.972,
    ],
}
M1_OPTIONS = SpcOptions(conflict_rule="concern")


def m1(group):
    return xmr(monthly(M1[group]), polarity="higher", target=0.95, options=M1_OPTIONS)


def test_mdc_total_below_and_above_the_process_limits_as_annotated():
    result = m1("TOTAL")
    # 8 Mar 2021 "Below lower process limit", 31 May 2021 "Above upper process limit"; nothing else
    assert flagged(result) == {9: ("outside_low",), 21: ("outside_high",)}


def test_mdc_department_a_seven_points_below_then_above_the_mean_as_annotated():
    result = m1("Department A")
    # 22 Feb 2021 "Start of seven points below mean", 10 May 2021 "Start of seven points above mean"
    assert starts(result, "shift_low") == [7]
    assert starts(result, "shift_high") == [18]
    assert [i for i, p in enumerate(result.points) if "shift_low" in p.rules] == list(range(7, 14))
    assert [i for i, p in enumerate(result.points) if "shift_high" in p.rules] == list(range(18, 25))


def test_mdc_department_b_seven_points_increasing_then_decreasing_as_annotated():
    result = m1("Department B")
    # 1 Feb 2021 "Start of seven points increasing", 19 Apr 2021 "Start of seven points decreasing"
    assert [i for i, p in enumerate(result.points) if "trend_high" in p.rules] == list(range(4, 11))
    assert [i for i, p in enumerate(result.points) if "trend_low" in p.rules] == list(range(15, 22))
    assert {flag for p in result.points for flag in p.rules} == {"trend_high", "trend_low"}


def test_mdc_department_c_two_and_three_of_three_between_two_and_three_sigma_as_annotated():
    result = m1("Department C")
    # 22 Mar 2021 "Two out of three points within two-to-three sigma lines with the other point on the same side
    # of the mean"; 14 Jun 2021 "Three out of three points within two-to-three sigma lines"
    assert flagged(result) == {
        11: ("two_of_three_low",),
        12: ("two_of_three_low",),
        23: ("two_of_three_high",),
        24: ("two_of_three_high",),
        25: ("two_of_three_high",),
    }
    assert result.points[10].rules == ()  # the third, same-side point of the first window is not itself flagged


def test_mdc_department_d_conflicts_read_as_concern_by_the_metrics_rule():
    result = m1("Department D")
    # 1 Mar 2021 "Start of decrease (concern) while still above mean (improvement)"
    assert {"shift_high", "trend_low"} <= set(result.points[8].rules)
    assert result.points[8].conflict and result.points[8].side == "low"
    # 26 Apr 2021 "Start of increase (improvement) while still below mean (concern)"
    assert {"shift_low", "trend_high"} <= set(result.points[16].rules)
    assert result.points[16].conflict and result.points[16].side == "low"
    assert result.variation == "concern_low" and result.conflict
    assert result.sentence.startswith(
        "Special cause concern compared with its usual range since Jan-21: 13 months below the average. "
        "It is also part of a rising trend, an improvement; this indicator shows concern when the two conflict."
    )


def test_mdc_department_d_reads_improvement_when_that_is_the_rule():
    result = xmr(monthly(M1["Department D"]), polarity="higher", options=SpcOptions(conflict_rule="improvement"))
    assert result.points[16].side == "high" and result.variation == "improvement_high"


def test_mdc_m1_assurance_against_its_target_of_95_percent():
    # Limits wholly below 0.95 fail; wholly above pass; across it hit and miss.
    assert m1("TOTAL").assurance == "fail"
    assert m1("Department A").assurance == "pass"
    assert m1("Department B").assurance == "hit_and_miss"


# Metric M2 ("Count (for improvement)", improvement 'Down', conflict 'Concern', target 12), monthly from Jan 2016:
# baseline set at Dec 2017, limits recalculated from Sep 2019, Oct 2020 ghosted (27, left out of everything).
M2 = [
    13,
    16,
    14,
    13,
    15,
    16,
    18,
    16,
    17,
    15,
    13,
    16,
    15,
    14,
    13,
    16,
    19,
    17,
    12,
    14,
    17,
    19,
    16,
    17,
    16,
    13,
    18,
    22,
    19,
    19,
    18,
    19,
    17,
    21,
    20,
    14,
    18,
    17,
    15,
    16,
    19,
    21,
    17,
    14,
    8,
    6,
    5,
    3,
    5,
    4,
    6,
    5,
    4,
    6,
    7,
    5,
    5,
    None,
    6,
    2,
    5,
    7,
    5,
    4,
    5,
    6,
]
M2_START = Month(2016, 1)


def m2():
    return xmr(
        monthly(M2, start=M2_START),
        polarity="lower",
        target=12,
        change_points=[Month(2019, 9)],
        baseline=(Month(2016, 1), Month(2017, 12)),
        options=SpcOptions(conflict_rule="concern"),
    )


def test_mdc_m2_baseline_sets_the_limits_until_the_recalculation():
    result = m2()
    baseline = limits_from(M2[:24])
    before = {(p.centre, p.upper, p.lower) for p in result.points[:44]}
    assert before == {(baseline.centre, baseline.upper, baseline.lower)}
    after = limits_from([v for v in M2[44:] if v is not None])  # the ghosted month is left out
    assert result.limits == after
    assert result.period == "since Sep-19"


def test_mdc_m2_ghosted_month_is_charted_without_a_value_and_breaks_nothing():
    result = m2()
    ghost = result.points[57]
    assert (ghost.month, ghost.value, ghost.rules) == (Month(2020, 10), None, ())
    assert result.variation == "common_cause"
    assert result.assurance == "pass"  # the upper limit sits below the target of 12


def test_mdc_m2_first_partition_shows_the_rise_against_the_baseline():
    result = m2()
    # 2018's rise sits above the 2016-17 baseline: a shift, one point above the upper limit (22 in Apr 2018).
    assert "outside_high" in result.points[27].rules
    assert all("shift_high" in result.points[i].rules for i in range(26, 35))
    assert result.points[27].side == "high"  # a count for improvement: high is concern
