"""XmR charts and Making Data Count rules, checked against hand-worked series.

Most rule tests chart BASELINE followed by a short tail, with BASELINE's
twenty months locked as the period the limits come from, so that a tail never
moves the limits it is tested against. Worked by hand:
    BASELINE = 12, 10, 12, 10, ... (20 points): mean 11, every moving range 2,
    so mR-bar = 2 and the process limits are 11 +/- 2.66 x 2 = 5.68 .. 16.32.
    The near-limit band is two thirds of 5.32 = 3.5467 out: 7.4533 .. 14.5467.
BASELINE ends on a 10 (below the mean, after a fall), so each tail below is
chosen so that its runs start where the test says. The default (limits from
every point of the segment) has its own tests below.
"""

import itertools
import json
import pickle

import pytest

from indicators.spc import SpcOptions, SpcPoint, SpcResult, explain, limits_from, point_variation, xmr
from lib.months import Month
from lib.vocab import Assurance, ConflictRule, Polarity, Side, Variation

START = Month(2020, 1)
BASELINE = [12, 10] * 10
TAIL = 20  # index of the first point after BASELINE; START + 20 is Sep-21


def monthly(values, start=START):
    """Return values as a monthly series from start."""
    return [(start + index, value) for index, value in enumerate(values)]


LOCKED = (START, START + 19)


def chart(tail, **options):
    """Chart BASELINE followed by tail on BASELINE's limits, higher-is-better unless told."""
    options.setdefault("polarity", "higher")
    options.setdefault("baseline", LOCKED)
    return xmr(monthly(BASELINE + tail), **options)


def flagged(result):
    """Return {index: rules} for every flagged point."""
    return {index: point.rules for index, point in enumerate(result.points) if point.rules}


def flags(indexes, rule):
    """Return the expected {index: (rule,)} for a run of indexes."""
    return dict.fromkeys(indexes, (rule,))


# --- limits and baseline -------------------------------------------------------


def test_limits_are_mean_plus_or_minus_2_66_average_moving_ranges():
    point = chart([]).points[0]
    assert point.centre == 11
    assert point.upper == pytest.approx(16.32)
    assert point.lower == pytest.approx(5.68)
    assert point.upper_near == pytest.approx(11 + 5.32 * 2 / 3)
    assert point.lower_near == pytest.approx(11 - 5.32 * 2 / 3)


def test_limits_from_averages_absolute_moving_ranges():
    # ranges 4, 2, 6: mR-bar 4; mean of 10, 14, 12, 6 is 10.5.
    limits = limits_from([10, 14, 12, 6])
    assert limits.centre == 10.5
    assert limits.upper == pytest.approx(10.5 + 2.66 * 4)
    assert limits.lower == pytest.approx(10.5 - 2.66 * 4)


def test_by_default_limits_rest_on_every_point_of_the_segment():
    # 10 x (12, 10) then 30, 30: mean 280 / 22, moving ranges 19 x 2, then 20, then 0: mR-bar 58 / 21
    result = xmr(monthly([*BASELINE, 30, 30]), polarity="higher")
    assert result.points[0].centre == pytest.approx(280 / 22)
    assert result.points[0].upper == pytest.approx(280 / 22 + 2.66 * 58 / 21)
    assert {point.centre for point in result.points} == {result.points[0].centre}
    assert (result.baseline_first, result.baseline_last) == (START, START + 21)
    assert result.period == "since Jan-20"


def test_moving_ranges_are_not_screened_unless_asked():
    values = [12, 10] * 9 + [40]  # one moving range of 30 among eighteen of 2
    plain, screened = limits_from(values), limits_from(values, screen_outliers=True)
    assert plain.upper - plain.centre == pytest.approx(2.66 * (17 * 2 + 30) / 18)
    # 30 > 3.267 x mR-bar (3.56): left out, so mR-bar is 2 again
    assert screened.upper - screened.centre == pytest.approx(2.66 * 2)
    assert screened.centre == plain.centre  # screening narrows the limits, it never moves the average


def test_screening_keeps_a_moving_range_exactly_at_its_limit():
    # ranges 2 x 9 and r with r = 3.267 x mean(ranges) exactly: r = 3.267 (18 + r) / 10 -> r = 58.806 / 6.733
    r = 58.806 / 6.733
    values = [0, 2] * 5
    values[-1] = values[-2] + r
    limits = limits_from(values, screen_outliers=True)
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    assert limits.upper - limits.centre == pytest.approx(2.66 * sum(ranges) / len(ranges))


def test_fifteen_points_are_enough_for_limits():
    result = xmr(monthly([12, 10] * 7 + [12]), polarity="higher")
    assert result.enough_data
    assert result.points[0].centre == pytest.approx(166 / 15)
    assert result.points[0].upper == pytest.approx(166 / 15 + 2.66 * 2)


def test_fourteen_points_read_as_a_run_chart_with_no_limits_no_flags_and_no_guess():
    result = xmr(monthly([12, 10] * 6 + [12, 50]), polarity="higher", target=11)
    assert not result.enough_data
    assert all(point.centre is None and point.upper is None for point in result.points)
    assert flagged(result) == {}
    assert result.variation == "not_enough_data"
    assert result.assurance is None
    assert result.baseline_first is None and result.limits is None
    assert result.sentence == (
        "Not enough data for limits: 14 months since Jan-20, and process limits need 15. Read the chart as a run chart."
    )


def test_the_least_points_for_limits_is_an_option():
    assert xmr(monthly([12, 10] * 6), polarity="higher", options=SpcOptions(min_points=12)).enough_data


def test_empty_series_is_not_enough_data():
    result = xmr([], polarity="lower")
    assert result.points == ()
    assert result.variation == "not_enough_data"
    assert result.sentence == (
        "Not enough data for limits: 0 months, and process limits need 15. Read the chart as a run chart."
    )


# --- rule 1: outside the process limits ----------------------------------------


def test_point_just_inside_upper_limit_is_not_flagged():
    assert flagged(chart([16.3])) == {}


def test_point_just_outside_upper_limit_is_flagged():
    result = chart([16.4])
    assert flagged(result) == {TAIL: ("outside_high",)}
    assert result.points[TAIL].side == "high"


def test_point_exactly_on_upper_limit_is_not_outside():
    assert flagged(chart([11 + 2.66 * 2])) == {}


def test_point_just_inside_lower_limit_is_not_flagged():
    assert flagged(chart([5.7])) == {}


def test_point_just_outside_lower_limit_is_flagged():
    result = chart([5.6])
    assert flagged(result) == {TAIL: ("outside_low",)}
    assert result.points[TAIL].side == "low"


# --- rule 2: shifts --------------------------------------------------------------


def test_seven_points_above_average_are_a_shift_and_all_are_flagged():
    assert flagged(chart([12] * 7)) == flags(range(20, 27), "shift_high")


def test_six_points_above_average_are_not_a_shift_by_default():
    assert flagged(chart([12] * 6)) == {}


def test_six_points_above_average_are_a_shift_when_the_shift_length_is_six():
    assert flagged(chart([12] * 6, options=SpcOptions(shift_length=6))) == flags(range(20, 26), "shift_high")


def test_the_shift_length_leaves_trends_alone():
    assert flagged(chart([10, 10.5, 11, 11.5, 12, 12.5], options=SpcOptions(shift_length=6))) == {}


def test_eight_points_are_needed_when_the_shift_length_is_eight():
    assert flagged(chart([12] * 7, options=SpcOptions(shift_length=8))) == {}
    assert flagged(chart([12] * 8, options=SpcOptions(shift_length=8))) == flags(range(20, 28), "shift_high")


def test_seven_points_below_average_are_a_low_shift():
    # the 11 sits on the mean and stops the baseline's last 10 joining the run
    assert flagged(chart([11] + [10] * 7)) == flags(range(21, 28), "shift_low")


def test_point_exactly_on_average_breaks_a_shift():
    # 3 above, one on the mean, 4 above: two short runs, not one of 8
    assert flagged(chart([12] * 3 + [11] + [12] * 4)) == {}


def test_shift_does_not_run_across_a_change_point():
    # 3 above the old mean of 11, then 4 above the new mean of 136/12 = 11.33
    new_segment = [12, 12, 12, 12, 10, 12, 10, 12, 10, 12, 10, 12]
    series = monthly(BASELINE + [12] * 3 + new_segment)
    result = xmr(series, polarity="higher", change_points=[START + 23])
    assert flagged(result) == {}


# --- rule 3: trends ------------------------------------------------------------


def test_seven_rising_points_are_a_trend_and_all_are_flagged():
    # the first 10 ties with the baseline's last 10, so the trend starts there
    result = chart([10, 10.5, 11, 11.5, 12, 12.5, 13])
    assert flagged(result) == flags(range(20, 27), "trend_high")


def test_six_rising_points_are_not_a_trend_by_default():
    assert flagged(chart([10, 10.5, 11, 11.5, 12, 12.5])) == {}


def test_six_rising_points_are_a_trend_when_the_trend_length_is_six():
    result = chart([10, 10.5, 11, 11.5, 12, 12.5], options=SpcOptions(trend_length=6))
    assert flagged(result) == flags(range(20, 26), "trend_high")


def test_the_trend_length_leaves_shifts_alone():
    assert flagged(chart([12] * 6, options=SpcOptions(trend_length=6))) == {}


def test_a_tie_breaks_a_trend():
    # eight points, but the repeated 11.5 splits them into two rises of four
    assert flagged(chart([10, 10.5, 11, 11.5, 11.5, 12, 12.5, 13])) == {}


def test_seven_falling_points_are_a_low_trend():
    result = chart([13, 12.5, 12, 11.5, 11, 10.5, 10])
    assert flagged(result) == flags(range(20, 27), "trend_low")


# --- rule 4: two of three beyond the near-limit band ----------------------------


def test_two_of_three_beyond_near_band_on_same_side_flag_those_two_points():
    # 15 is beyond 14.5467 but inside 16.32; the 12 between is not flagged
    assert flagged(chart([15, 12, 15])) == {20: ("two_of_three_high",), 22: ("two_of_three_high",)}


def test_two_of_three_below_near_band_are_flagged_low():
    # 7 is below 7.4533 but above 5.68
    assert flagged(chart([7, 10, 7])) == {20: ("two_of_three_low",), 22: ("two_of_three_low",)}


def test_two_beyond_near_band_on_opposite_sides_are_not_flagged():
    assert flagged(chart([15, 12, 7])) == {}


def test_one_of_three_beyond_near_band_is_not_flagged():
    assert flagged(chart([15, 12, 12])) == {}


# --- variation of the latest point ---------------------------------------------


def test_high_point_is_improvement_when_higher_is_better():
    assert chart([16.4], polarity="higher").variation == "improvement_high"


def test_high_point_is_concern_when_lower_is_better():
    assert chart([16.4], polarity="lower").variation == "concern_high"


def test_low_point_is_concern_when_higher_is_better():
    assert chart([5.6], polarity="higher").variation == "concern_low"


def test_low_point_is_improvement_when_lower_is_better():
    assert chart([5.6], polarity="lower").variation == "improvement_low"


def test_neutral_measure_reports_neither_high_or_neither_low():
    assert chart([16.4], polarity="neither").variation == "neither_high"
    assert chart([5.6], polarity="neither").variation == "neither_low"


def test_latest_point_without_special_cause_is_common_cause():
    result = chart([16.4, 12])
    assert TAIL in flagged(result)
    assert result.variation == "common_cause"


# 12 then seven points below the mean of 11 that each rise: the latest point is
# in a low shift (21..27) and in a rising trend (21..27) at the same time.
SHIFT_LOW_TREND_UP = [12, 7.6, 8, 8.5, 9, 9.5, 10, 10.5]


def test_latest_point_flagged_both_ways_records_both_rules():
    result = chart(SHIFT_LOW_TREND_UP)
    assert flagged(result) == dict.fromkeys(range(21, 28), ("shift_low", "trend_high"))


def test_improvement_wins_over_concern_when_higher_is_better():
    result = chart(SHIFT_LOW_TREND_UP, polarity="higher")
    assert result.variation == "improvement_high" and result.conflict
    assert result.sentence == (
        "Special cause improvement compared with its usual range from Jan-20 to Aug-21: 7 months rising in a row. "
        "It is also part of a run below the average, a concern; this indicator shows improvement when the two "
        "conflict."
    )


def test_improvement_wins_over_concern_when_lower_is_better():
    result = chart(SHIFT_LOW_TREND_UP, polarity="lower")
    assert result.variation == "improvement_low" and result.conflict
    assert result.sentence == (
        "Special cause improvement compared with its usual range from Jan-20 to Aug-21: 7 months below the average. "
        "It is also part of a rising trend, a concern; this indicator shows improvement when the two conflict."
    )


def test_concern_wins_over_improvement_when_that_is_the_indicators_rule():
    result = chart(SHIFT_LOW_TREND_UP, polarity="higher", options=SpcOptions(conflict_rule="concern"))
    assert result.variation == "concern_low" and result.conflict
    assert result.points[-1].side == "low"
    assert result.sentence.endswith(
        "It is also part of a rising trend, an improvement; this indicator shows concern when the two conflict."
    )


def test_a_point_flagged_one_way_is_no_conflict():
    result = chart([16.4])
    assert not result.conflict and not result.points[-1].conflict
    assert "conflict" not in result.sentence


def test_neutral_measure_flagged_both_ways_reports_where_the_point_sits():
    assert chart(SHIFT_LOW_TREND_UP, polarity="neither").variation == "neither_low"


# --- months without data -------------------------------------------------------


def test_none_points_are_skipped_in_the_baseline_and_kept_in_output():
    values = [*BASELINE[:5], None, *BASELINE[5:]]
    result = xmr(monthly(values), polarity="higher")
    assert len(result.points) == 21
    assert result.points[0].upper == pytest.approx(16.32)
    gap = result.points[5]
    assert (gap.month, gap.value, gap.rules, gap.side) == (START + 5, None, (), None)
    assert result.baseline_last == START + 20


def test_none_point_does_not_break_a_shift():
    result = chart([12, 12, 12, None, 12, 12, 12, 12])
    assert flagged(result) == flags([20, 21, 22, 24, 25, 26, 27], "shift_high")


def test_latest_point_with_data_is_read_when_last_month_has_none():
    result = chart([16.4, None])
    assert result.points[-1].value is None
    assert result.variation == "improvement_high"


def test_nan_counts_as_no_data():
    result = chart([16.4, float("nan")])
    assert result.points[-1].value is None
    assert result.variation == "improvement_high"


# --- change points (rebasing) ----------------------------------------------------


def test_change_point_starts_new_limits_from_its_own_points():
    # after the change: 22, 20, ... (16 points) has mean 21 and mR-bar 2
    series = monthly(BASELINE + [22, 20] * 8)
    result = xmr(series, polarity="higher", change_points=[START + 20])
    assert {point.centre for point in result.points[:20]} == {11}
    assert {point.centre for point in result.points[20:]} == {21}
    assert result.points[20].upper == pytest.approx(26.32)
    assert result.points[20].lower == pytest.approx(15.68)
    assert flagged(result) == {}
    assert (result.baseline_first, result.baseline_last) == (START + 20, START + 35)
    assert result.change_points == (START + 20,)
    assert (result.segment_first, result.period) == (START + 20, "since Sep-21")


def test_without_the_change_point_the_new_level_is_outside_the_old_limits():
    result = xmr(monthly(BASELINE + [22, 20] * 6), polarity="higher")
    assert "outside_high" in result.points[20].rules


def test_segment_after_change_point_with_fewer_than_fifteen_points_has_no_limits():
    series = monthly(BASELINE + [22, 20] * 7)
    result = xmr(series, polarity="higher", change_points=[START + 20], target=15)
    assert {point.centre for point in result.points[:20]} == {11}
    assert {point.centre for point in result.points[20:]} == {None}
    assert not result.enough_data
    assert result.variation == "not_enough_data"
    assert result.assurance is None


# --- locked baseline -----------------------------------------------------------


def test_locked_baseline_sets_limits_for_the_whole_segment():
    # months 5..20 hold 12, 10 eight times: mean 11, mR-bar 2, whatever comes before
    values = [30] * 5 + [12, 10] * 8 + [12, 10] * 2
    locked = (START + 5, START + 20)
    result = xmr(monthly(values), polarity="higher", baseline=locked)
    assert {point.centre for point in result.points} == {11}
    assert result.points[0].upper == pytest.approx(16.32)
    assert "outside_high" in result.points[0].rules
    assert (result.baseline_first, result.baseline_last) == locked
    assert result.period == "from Jun-20 to Sep-21"


def test_locked_baseline_with_fewer_than_fifteen_points_is_not_enough_data():
    result = chart([], baseline=(START, START + 13))
    assert not result.enough_data
    assert result.points[0].centre is None


def test_locked_baseline_across_a_change_point_is_refused():
    with pytest.raises(ValueError):
        chart([12] * 12, change_points=[START + 20], baseline=(START + 10, START + 25))


# --- assurance against the target (limits 5.68 .. 16.32) ------------------------


@pytest.mark.parametrize(
    ("polarity", "target", "expected"),
    [
        ("higher", 5, "pass"),
        ("higher", 11 - 2.66 * 2, "pass"),  # exactly on the lower limit counts as meeting
        ("higher", 11, "hit_and_miss"),
        ("higher", 17, "fail"),
        ("lower", 17, "pass"),
        ("lower", 11 + 2.66 * 2, "pass"),  # exactly on the upper limit counts as meeting
        ("lower", 11, "hit_and_miss"),
        ("lower", 5, "fail"),
    ],
)
def test_assurance_compares_the_limits_with_the_target(polarity, target, expected):
    assert chart([12], polarity=polarity, target=target).assurance == expected


def test_target_exactly_on_the_best_limit_fails_as_making_data_count_reads_it():
    # MDC v2: for higher-is-better a target at or above the upper limit fails (mirrored for lower-is-better)
    assert chart([12], polarity="higher", target=11 + 2.66 * 2).assurance == "fail"
    assert chart([12], polarity="lower", target=11 - 2.66 * 2).assurance == "fail"


@pytest.mark.parametrize(
    ("polarity", "target", "expected"),
    [
        ("higher", 11 + 2.66 * 2 - 1e-9, "hit_and_miss"),
        ("higher", 11 - 2.66 * 2 + 1e-9, "hit_and_miss"),
        ("lower", 11 - 2.66 * 2 + 1e-9, "hit_and_miss"),
        ("lower", 11 + 2.66 * 2 - 1e-9, "hit_and_miss"),
    ],
)
def test_a_target_just_inside_the_limits_is_hit_and_miss(polarity, target, expected):
    assert chart([12], polarity=polarity, target=target).assurance == expected


def test_no_assurance_without_a_target():
    assert chart([12]).assurance is None


def test_no_assurance_for_a_neutral_measure():
    assert chart([12], polarity="neither", target=11).assurance is None


# --- sentences ---------------------------------------------------------------


def test_sentence_names_the_shift_and_formats_the_target_as_told():
    # 92, 88, ...: mean 90, mR-bar 4, limits 79.36 .. 100.64, so a 90 target is inside
    values = [92, 88] * 10 + [90] + [88] * 7
    result = xmr(monthly(values), polarity="higher", target=90, format_target=lambda v: f"{v:g}%", baseline=LOCKED)
    assert result.sentence == (
        "Special cause concern compared with its usual range from Jan-20 to Aug-21: 7 months below the average. "
        "The target of 90% will be met only by chance."
    )


def test_sentence_names_the_month_outside_the_limit():
    assert chart([16.4]).sentence == (
        "Special cause improvement compared with its usual range from Jan-20 to "
        "Aug-21: Sep-21 is above the upper process limit."
    )


def test_sentence_for_common_cause_and_a_target_met_consistently():
    assert chart([12], target=5).sentence == (
        "Common cause variation: Sep-21 is within its usual range from Jan-20 to Aug-21. "
        "The target of 5 will be met consistently."
    )


def test_sentence_for_a_target_that_will_fail():
    assert chart([12], target=17).sentence.endswith("The target of 17 will not be met without a change to the process.")


def test_sentence_for_a_neutral_falling_trend():
    result = chart([13, 12.5, 12, 11.5, 11, 10.5, 10], polarity="neither")
    assert result.sentence == (
        "Special cause variation compared with its usual range from Jan-20 to Aug-21: 7 months falling in a row."
    )


def test_sentence_for_two_of_three_near_the_limit():
    assert chart([15, 12, 15], polarity="lower").sentence == (
        "Special cause concern compared with its usual range from Jan-20 to Aug-21: "
        "two of the last three months close to the upper process limit."
    )


# --- output and inputs ---------------------------------------------------------


def test_as_dict_is_plain_json_with_months_as_text():
    series = monthly(BASELINE + [22, 20] * 8)
    result = xmr(series, polarity="higher", change_points=[START + 20], target=20)
    exported = json.loads(json.dumps(result.as_dict()))
    assert exported["points"][20]["month"] == "2021-09"
    assert exported["points"][20]["centre"] == 21
    assert exported["change_points"] == ["2021-09"]
    assert (exported["baseline_first"], exported["baseline_last"]) == ("2021-09", "2022-12")
    assert (exported["segment_first"], exported["period"]) == ("2021-09", "since Sep-21")
    assert exported["limits"]["centre"] == 21
    assert exported["assurance"] == "hit_and_miss"
    assert (exported["shift_length"], exported["trend_length"], exported["conflict_rule"]) == (7, 7, "improvement")


def test_a_result_comes_back_from_the_cache_as_it_went_in():
    # Scorecards are cached with their SPC results (scorecard.services.get_scorecard), and every request
    # reading the cache shares one: a result must pickle whole and refuse changes in place.
    result = chart([12, 30, 31], target=11)
    copy = pickle.loads(pickle.dumps(result))
    assert copy == result and copy.as_dict() == result.as_dict()
    assert isinstance(copy, SpcResult) and isinstance(copy.points[-1], SpcPoint)
    with pytest.raises(AttributeError):
        copy.variation = "common_cause"
    with pytest.raises(AttributeError):
        copy.points[-1].rules = ()


@pytest.mark.parametrize(
    "options",
    [
        {"polarity": "up"},
        {"polarity": "higher", "options": SpcOptions(shift_length=5)},
        {"polarity": "higher", "options": SpcOptions(trend_length=9)},
        {"polarity": "higher", "options": SpcOptions(conflict_rule="both")},
    ],
)
def test_bad_settings_are_refused(options):
    with pytest.raises(ValueError):
        xmr(monthly(BASELINE), **options)


def test_unsorted_series_is_refused():
    with pytest.raises(ValueError):
        xmr(list(reversed(monthly(BASELINE))), polarity="higher")


# --- two of three, as Making Data Count v2.1 defines it (limits 5.68 .. 16.32, two sigma 7.4533 .. 14.5467) -------


def test_a_point_beyond_the_process_limit_does_not_count_towards_two_of_three():
    # 17 is outside (rule 1), 15 is the only point between two and three sigma
    assert flagged(chart([17, 12, 15])) == {20: ("outside_high",)}


def test_two_of_three_needs_the_third_point_on_the_same_side_of_the_average():
    assert flagged(chart([15, 10, 15])) == {}  # the 10 is below the average of 11


def test_a_point_on_the_centre_line_is_on_neither_side_and_breaks_two_of_three():
    assert flagged(chart([15, 11, 15])) == {}


def test_a_point_exactly_at_two_sigma_is_not_near_the_limit():
    assert flagged(chart([11 + 2.66 * 2 * 2 / 3, 12, 15])) == {}


def test_a_point_exactly_on_the_process_limit_is_near_it_not_outside():
    result = chart([11 + 2.66 * 2, 12, 15])
    assert flagged(result) == {20: ("two_of_three_high",), 22: ("two_of_three_high",)}


def test_three_of_three_near_the_limit_flags_all_three():
    assert flagged(chart([15, 15, 15])) == flags(range(20, 23), "two_of_three_high")


# --- runs never cross a change point ---------------------------------------------------------------------------

# Eight rising points, 10 .. 12, split four and four by a change point at START + 19.
RISING_ACROSS = [12, 10] * 8 + [10.2, 10.4, 10.6] + [10.8, 11.0, 11.2] + [12, 10] * 6


def test_a_trend_does_not_run_across_a_change_point():
    with_change = xmr(monthly(RISING_ACROSS), polarity="higher", change_points=[START + 19])
    assert not any(flag.startswith("trend") for point in with_change.points for flag in point.rules)


def test_the_same_points_without_the_change_point_are_a_trend():
    without = xmr(monthly(RISING_ACROSS), polarity="higher")
    assert [i for i, p in enumerate(without.points) if "trend_high" in p.rules] == list(range(15, 23))


def test_two_of_three_does_not_run_across_a_change_point():
    # Each segment ends or starts with points near its upper limit; only across the change are two of three near.
    values = [12, 10] * 9 + [12, 16] + [16] + [12, 10] * 7
    result = xmr(monthly(values), polarity="higher", change_points=[START + 20])
    assert result.points[19].upper_near < 16 <= result.points[19].upper
    assert result.points[20].upper_near < 16 <= result.points[20].upper
    assert not any(flag.startswith("two_of_three") for point in result.points for flag in point.rules)


# --- suggested change points -------------------------------------------------------------------------------------


def test_a_run_of_seven_after_twelve_points_suggests_a_change_point_at_its_start():
    # 16 points around 11, then 16 around 21 (the last of them all above the whole series' average)
    values = [12, 10] * 8 + [22, 20] * 8
    result = xmr(monthly(values), polarity="higher")
    suggestion = result.suggestion
    assert (suggestion.month, suggestion.run, suggestion.side, suggestion.points) == (START + 16, 16, "high", 16)
    assert suggestion.limits == limits_from([22, 20] * 8)  # the limits a new segment from there would have


def test_a_suggestion_with_fewer_than_fifteen_points_after_it_gives_no_limits_yet():
    values = [12, 10] * 8 + [22, 20] * 4
    suggestion = xmr(monthly(values), polarity="higher").suggestion
    assert (suggestion.month, suggestion.points, suggestion.limits) == (START + 16, 8, None)


def test_a_run_starting_within_the_first_twelve_points_suggests_nothing():
    values = [22, 20] * 7 + [12, 10]  # the high run (14 points) starts at the first point
    result = xmr(monthly(values), polarity="higher")
    assert any("shift_high" in p.rules for p in result.points)
    assert result.suggestion is None


def test_a_run_starting_at_the_thirteenth_point_is_suggested():
    values = [12, 10] * 6 + [22, 20] * 5
    assert xmr(monthly(values), polarity="higher", options=SpcOptions(min_points=15)).suggestion.month == START + 12


def test_a_chart_without_a_sustained_shift_suggests_nothing():
    assert xmr(monthly(BASELINE), polarity="higher").suggestion is None


def test_accepting_the_suggestion_as_a_change_point_ends_it():
    values = [12, 10] * 8 + [22, 20] * 8
    result = xmr(monthly(values), polarity="higher", change_points=[START + 16])
    assert result.suggestion is None
    assert result.limits == limits_from([22, 20] * 8) and result.period == "since May-21"


# --- a baseline that itself contains special cause -----------------------------------------------------------


def test_months_of_the_limits_that_are_special_causes_are_named():
    values = [12, 10] * 8 + [22, 20] * 8
    result = xmr(monthly(values), polarity="higher")
    assert result.baseline_special_causes == tuple(START + i for i in range(32))  # two long shifts


def test_a_clean_baseline_names_nothing():
    assert xmr(monthly(BASELINE), polarity="higher").baseline_special_causes == ()


def test_a_locked_baseline_names_only_its_own_months():
    result = chart([16.4])  # the special cause is after the locked months
    assert result.baseline_special_causes == ()


# --- explaining the reading beside the trend and the rating ----------------------------------------------------


def test_improvement_beside_a_worse_than_baseline_trend_is_explained():
    result = explain(chart([16.4]), trend="declining", rating="green", baseline_label="Prev. 6 months average")
    assert result.note.startswith(
        "It is better than the usual range from Jan-20 to Aug-21 but worse than its baseline (Prev. 6 months average)"
    )
    assert result.full_sentence == f"{result.sentence} {result.note}"


def test_concern_beside_a_better_than_baseline_trend_is_explained():
    result = explain(chart([5.6]), trend="improving", rating="green")
    assert "better than its baseline but worse than the usual range" in result.note


def test_improvement_with_a_red_rating_is_explained():
    result = explain(chart([16.4], target=20, format_target=lambda v: f"{v:g}"), trend="improving", rating="red")
    assert "The change is real, but the figure still misses the target of 20." in result.note


def test_concern_with_a_green_rating_is_explained():
    result = explain(chart([5.6], target=5), trend="declining", rating="green")
    assert "still meets the target of 5, but the change is real" in result.note


def test_a_failing_process_with_a_green_month_is_explained():
    result = explain(chart([12], target=17), trend="stable", rating="green")
    assert result.assurance == "fail"
    assert result.note == "This month meets the target, which the process reaches only rarely."


def test_a_passing_process_with_a_red_month_is_explained():
    result = explain(chart([12], target=5), trend="stable", rating="red")
    assert result.note == "This month misses the target, which the process usually meets."


def test_an_improvement_read_against_a_failing_assurance_says_the_limits_predate_it():
    result = explain(chart([16.4], target=17), trend="improving", rating="red")
    assert "The assurance reads limits set before this change" in result.note


def test_readings_that_agree_need_no_note():
    assert explain(chart([12], target=11), trend="stable", rating="green").note == ""
    assert explain(chart([16.4], target=11), trend="improving", rating="green").note == ""


def test_the_reading_is_made_of_the_vocabularies_members_though_given_plain_words():
    result = chart([16.4], polarity="higher", target=11, options=SpcOptions(conflict_rule="concern"))
    assert result.variation is Variation.IMPROVEMENT_HIGH
    assert result.assurance is Assurance.HIT_AND_MISS
    assert result.polarity is Polarity.HIGHER
    assert result.options.conflict_rule is ConflictRule.CONCERN
    assert result.points[-1].side is Side.HIGH
    assert all(type(point_variation(p, result.polarity)) is Variation for p in result.points)
    assert xmr([], polarity="lower").variation is Variation.NOT_ENOUGH_DATA
