"""XmR charts and Making Data Count rules, checked against hand-worked series.

Most tests chart BASELINE followed by a short tail. Worked by hand:
    BASELINE = 12, 10, 12, 10, ... (20 points): mean 11, every moving range 2,
    so mR-bar = 2 and the process limits are 11 +/- 2.66 x 2 = 5.68 .. 16.32.
    The near-limit band is two thirds of 5.32 = 3.5467 out: 7.4533 .. 14.5467.
BASELINE ends on a 10 (below the mean, after a fall), so each tail below is
chosen so that its runs start where the test says.
"""

import json
import pickle

import pytest

from indicators.spc import SpcPoint, SpcResult, limits_from, xmr
from lib.months import Month

START = Month(2020, 1)
BASELINE = [12, 10] * 10
TAIL = 20  # index of the first point after BASELINE; START + 20 is Sep-21


def monthly(values, start=START):
    """Return values as a monthly series from start."""
    return [(start + index, value) for index, value in enumerate(values)]


def chart(tail, **options):
    """Chart BASELINE followed by tail, higher-is-better unless told."""
    options.setdefault("polarity", "higher")
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


def test_baseline_uses_only_the_first_twenty_points():
    result = chart([100] * 5)
    assert {point.centre for point in result.points} == {11}
    assert all("outside_high" in point.rules for point in result.points[TAIL:])
    assert (result.baseline_first, result.baseline_last) == (START, START + 19)


def test_twelve_points_are_enough_for_limits():
    result = xmr(monthly([12, 10] * 6), polarity="higher")
    assert result.enough_data
    assert result.points[0].centre == 11
    assert result.points[0].upper == pytest.approx(16.32)


def test_fewer_than_twelve_points_give_no_limits_no_flags_and_no_guess():
    result = xmr(monthly([12, 10] * 5 + [50]), polarity="higher", target=11)
    assert not result.enough_data
    assert all(point.centre is None and point.upper is None for point in result.points)
    assert flagged(result) == {}
    assert result.variation == "not_enough_data"
    assert result.assurance is None
    assert result.baseline_first is None
    assert result.sentence == "Not enough data: process limits need at least 12 months, 11 available."


def test_empty_series_is_not_enough_data():
    result = xmr([], polarity="lower")
    assert result.points == ()
    assert result.variation == "not_enough_data"
    assert result.sentence == "Not enough data: process limits need at least 12 months, 0 available."


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


def test_six_points_above_average_are_a_shift_when_run_length_is_six():
    assert flagged(chart([12] * 6, run_length=6)) == flags(range(20, 26), "shift_high")


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


def test_six_rising_points_are_a_trend_when_run_length_is_six():
    result = chart([10, 10.5, 11, 11.5, 12, 12.5], run_length=6)
    assert flagged(result) == flags(range(20, 26), "trend_high")


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
    assert result.variation == "improvement_high"
    assert result.sentence == "Special cause improvement: 7 months rising in a row."


def test_improvement_wins_over_concern_when_lower_is_better():
    result = chart(SHIFT_LOW_TREND_UP, polarity="lower")
    assert result.variation == "improvement_low"
    assert result.sentence == "Special cause improvement: 7 months below the average."


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


def test_change_point_starts_new_limits_from_its_own_baseline():
    # after the change: 22, 20, ... (12 points) has mean 21 and mR-bar 2
    series = monthly(BASELINE + [22, 20] * 6)
    result = xmr(series, polarity="higher", change_points=[START + 20])
    assert {point.centre for point in result.points[:20]} == {11}
    assert {point.centre for point in result.points[20:]} == {21}
    assert result.points[20].upper == pytest.approx(26.32)
    assert result.points[20].lower == pytest.approx(15.68)
    assert flagged(result) == {}
    assert (result.baseline_first, result.baseline_last) == (START + 20, START + 31)
    assert result.change_points == (START + 20,)


def test_without_the_change_point_the_new_level_is_outside_the_old_limits():
    result = xmr(monthly(BASELINE + [22, 20] * 6), polarity="higher")
    assert "outside_high" in result.points[20].rules


def test_segment_after_change_point_with_fewer_than_twelve_points_has_no_limits():
    series = monthly(BASELINE + [22, 20] * 5 + [22])
    result = xmr(series, polarity="higher", change_points=[START + 20], target=15)
    assert {point.centre for point in result.points[:20]} == {11}
    assert {point.centre for point in result.points[20:]} == {None}
    assert not result.enough_data
    assert result.variation == "not_enough_data"
    assert result.assurance is None


# --- locked baseline -----------------------------------------------------------


def test_locked_baseline_sets_limits_for_the_whole_segment():
    # months 5..16 hold 12, 10 six times: mean 11, mR-bar 2, whatever comes before
    values = [30] * 5 + [12, 10] * 6 + [12, 10] * 2
    locked = (START + 5, START + 16)
    result = xmr(monthly(values), polarity="higher", baseline=locked)
    assert {point.centre for point in result.points} == {11}
    assert result.points[0].upper == pytest.approx(16.32)
    assert "outside_high" in result.points[0].rules
    assert (result.baseline_first, result.baseline_last) == locked


def test_locked_baseline_with_fewer_than_twelve_points_is_not_enough_data():
    result = chart([], baseline=(START, START + 10))
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


def test_target_exactly_on_the_best_limit_is_hit_and_miss_not_fail():
    # only the very top of the range meets the target, so it is not a sure fail
    assert chart([12], polarity="higher", target=11 + 2.66 * 2).assurance == "hit_and_miss"
    assert chart([12], polarity="lower", target=11 - 2.66 * 2).assurance == "hit_and_miss"


def test_no_assurance_without_a_target():
    assert chart([12]).assurance is None


def test_no_assurance_for_a_neutral_measure():
    assert chart([12], polarity="neither", target=11).assurance is None


# --- sentences ---------------------------------------------------------------


def test_sentence_names_the_shift_and_formats_the_target_as_told():
    # 92, 88, ...: mean 90, mR-bar 4, limits 79.36 .. 100.64, so a 90 target is inside
    values = [92, 88] * 10 + [90] + [88] * 7
    result = xmr(monthly(values), polarity="higher", target=90, format_target=lambda v: f"{v:g}%")
    assert result.sentence == (
        "Special cause concern: 7 months below the average. "
        "The target of 90% will be met only by chance."
    )


def test_sentence_names_the_month_outside_the_limit():
    assert chart([16.4]).sentence == "Special cause improvement: Sep-21 is above the upper process limit."


def test_sentence_for_common_cause_and_a_target_met_consistently():
    assert chart([12], target=5).sentence == (
        "Common cause variation: no special cause in Sep-21. The target of 5 will be met consistently."
    )


def test_sentence_for_a_target_that_will_fail():
    assert chart([12], target=17).sentence.endswith(
        "The target of 17 will not be met without a change to the process."
    )


def test_sentence_for_a_neutral_falling_trend():
    result = chart([13, 12.5, 12, 11.5, 11, 10.5, 10], polarity="neither")
    assert result.sentence == "Special cause variation: 7 months falling in a row."


def test_sentence_for_two_of_three_near_the_limit():
    assert chart([15, 12, 15], polarity="lower").sentence == (
        "Special cause concern: two of the last three months close to the upper process limit."
    )


# --- output and inputs ---------------------------------------------------------


def test_as_dict_is_plain_json_with_months_as_text():
    series = monthly(BASELINE + [22, 20] * 6)
    result = xmr(series, polarity="higher", change_points=[START + 20], target=20)
    exported = json.loads(json.dumps(result.as_dict()))
    assert exported["points"][20]["month"] == "2021-09"
    assert exported["points"][20]["centre"] == 21
    assert exported["change_points"] == ["2021-09"]
    assert (exported["baseline_first"], exported["baseline_last"]) == ("2021-09", "2022-08")
    assert exported["assurance"] == "hit_and_miss"


def test_a_result_comes_back_from_the_cache_as_it_went_in():
    # Scorecards are cached with their SPC results (scorecard.services.get_scorecard), and every request
    # reading the cache shares one: a result must pickle whole and refuse changes in place.
    result = chart([12, 30, 31], target=11, change_points=[START + 6])
    copy = pickle.loads(pickle.dumps(result))
    assert copy == result and copy.as_dict() == result.as_dict()
    assert isinstance(copy, SpcResult) and isinstance(copy.points[-1], SpcPoint)
    with pytest.raises(AttributeError):
        copy.variation = "common_cause"
    with pytest.raises(AttributeError):
        copy.points[-1].rules = ()


@pytest.mark.parametrize(
    "options",
    [{"polarity": "up"}, {"polarity": "higher", "run_length": 5}],
)
def test_bad_settings_are_refused(options):
    with pytest.raises(ValueError):
        xmr(monthly(BASELINE), **options)


def test_unsorted_series_is_refused():
    with pytest.raises(ValueError):
        xmr(list(reversed(monthly(BASELINE))), polarity="higher")
