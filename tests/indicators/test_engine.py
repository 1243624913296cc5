"""The engine on small hand-made data: no database, expected figures worked by hand."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.engine import (
    AreaInfo,
    ComparatorSpec,
    Dataset,
    Figure,
    IndicatorSpec,
    LineSpec,
    TargetSpec,
    Totals,
    UnitInfo,
    baseline_figure,
    baseline_label,
    baseline_months,
    compute_indicator,
    compute_scorecard,
    headline_history,
    latest_comparators,
    line_figure,
    rating,
    target_in_force,
    trend,
)
from lib.months import Month, month_range
from lib.vocab import Polarity, Rating, Trend

DEC17 = Month(2017, 12)
AREAS = [
    AreaInfo("EAST", "East", "locality"),
    AreaInfo("SOUTH", "South", "locality"),
    AreaInfo("DCSC", "Disabled children", "citywide"),
]
UNITS = {
    "CITY": UnitInfo(),
    "E-ASM": UnitInfo("EAST", "assessment"),
    "E-SG": UnitInfo("EAST", "safeguarding"),
    "S-ASM": UnitInfo("SOUTH", "assessment"),
    "D-DIS": UnitInfo("DCSC", "disabled_children"),
}


def headline(numerator, denominator="", multiplier=1, precision=0, unit="percent", **extra) -> LineSpec:
    return LineSpec(
        "headline",
        "Headline",
        unit,
        numerator,
        denominator,
        multiplier=Fraction(multiplier),
        precision=precision,
        is_headline=True,
        **extra,
    )


def spec(*lines, **extra) -> IndicatorSpec:
    fields = {
        "code": "x",
        "number": 1,
        "title": "X",
        "short_title": "X",
        "unit": "percent",
        "polarity": "higher",
        "lines": lines,
        **extra,
    }
    return IndicatorSpec(**fields)


def dataset(values, populations=None) -> Dataset:
    return Dataset(values=values, units=UNITS, areas=AREAS, populations=populations or {})


def monthly(unit, measure, by_month: dict[Month, int]) -> dict:
    return {(unit, month, measure): value for month, value in by_month.items()}


# ---------------------------------------------------------------- current figures


def test_team_counts_add_up_to_areas_and_the_city():
    data = dataset({("E-ASM", DEC17, "open"): 10, ("E-SG", DEC17, "open"): 5, ("S-ASM", DEC17, "open"): 7})
    count = spec(headline("open", unit="count"), breakdown="area")
    result = compute_indicator(Totals(data), count, DEC17, AREAS)
    assert result.headline.current.value == 22
    assert [(a.area, a.figure.value) for a in result.headline.breakdown] == [("EAST", 15), ("SOUTH", 7), ("DCSC", None)]


def test_a_percentage_keeps_its_numerator_and_denominator():
    data = dataset({("CITY", DEC17, "re"): 268, ("CITY", DEC17, "refs"): 1234})
    figure = line_figure(Totals(data), spec(headline("re", "refs", 100)), headline("re", "refs", 100), DEC17)
    assert (figure.numerator, figure.denominator) == (268, 1234)
    assert figure.value == Fraction(26800, 1234)


def test_a_measure_nobody_returned_is_no_data_not_zero():
    data = dataset({("E-ASM", DEC17, "open"): 10})
    line = headline("unallocated", unit="count")
    assert line_figure(Totals(data), spec(line), line, DEC17).value is None


def test_a_returned_zero_is_zero():
    data = dataset({("E-ASM", DEC17, "unallocated"): 0})
    line = headline("unallocated", unit="count")
    assert line_figure(Totals(data), spec(line), line, DEC17).value == 0


def test_a_zero_denominator_gives_no_value_rather_than_an_error():
    data = dataset({("CITY", DEC17, "seen"): 0, ("CITY", DEC17, "done"): 0})
    line = headline("seen", "done", 100)
    figure = line_figure(Totals(data), spec(line), line, DEC17)
    assert figure.value is None
    assert (figure.numerator, figure.denominator) == (0, 0)


def test_authority_level_counts_reach_the_city_but_no_area():
    data = dataset({("CITY", DEC17, "uasc"): 151, ("E-SG", DEC17, "cic"): 521})
    line = LineSpec("rate", "Rate", "count", "cic + uasc", is_headline=True)
    result = compute_indicator(Totals(data), spec(line, breakdown="area"), DEC17, AREAS)
    assert result.headline.current.value == 672
    assert result.headline.breakdown[0].figure.value is None  # EAST cannot add UASC it never returned


def test_an_area_numerator_replaces_the_city_expression_in_area_columns():
    data = dataset({("CITY", DEC17, "uasc"): 151, ("E-SG", DEC17, "cic"): 521})
    line = LineSpec("rate", "Rate", "count", "cic + uasc", area_numerator="cic", is_headline=True)
    result = compute_indicator(Totals(data), spec(line, breakdown="area"), DEC17, AREAS)
    assert result.headline.breakdown[0].figure.value == 521


def test_a_team_type_line_counts_only_teams_of_that_type():
    data = dataset(
        {
            ("E-ASM", DEC17, "cases"): 200,
            ("E-ASM", DEC17, "sw"): 10,
            ("E-SG", DEC17, "cases"): 150,
            ("E-SG", DEC17, "sw"): 10,
            ("S-ASM", DEC17, "cases"): 90,
            ("S-ASM", DEC17, "sw"): 5,
        }
    )
    assessment = LineSpec("asm", "Assessment", "ratio", "cases", "sw", team_type="assessment")
    city = headline("cases", "sw", unit="ratio")
    result = compute_indicator(Totals(data), spec(assessment, city, breakdown="team_type_area"), DEC17, AREAS)
    by_code = {line.code: line for line in result.lines}
    assert by_code["asm"].current.value == Fraction(290, 15)
    assert [a.figure.value for a in by_code["asm"].breakdown] == [20, 18, None]
    assert by_code["headline"].current.value == Fraction(440, 25)
    assert by_code["headline"].breakdown[0].figure.value == Fraction(350, 20)


# ---------------------------------------------------------------- rates per 10,000


def test_rates_use_each_locality_population_and_their_sum_for_the_city():
    pops = {("EAST", 2016): 107112, ("SOUTH", 2016): 69198}
    data = dataset({("E-SG", DEC17, "cpp"): 282, ("S-ASM", DEC17, "cpp"): 344, ("D-DIS", DEC17, "cpp"): 20}, pops)
    rate = LineSpec("rate", "Rate", "rate_per_10k", "cpp", "population", multiplier=Fraction(10000), is_headline=True)
    result = compute_indicator(Totals(data), spec(rate, breakdown="area"), DEC17, AREAS)
    assert result.headline.current.value == Fraction(646 * 10000, 107112 + 69198)
    assert result.headline.breakdown[0].figure.value == Fraction(282 * 10000, 107112)
    assert result.headline.breakdown[2].figure.value is None  # a citywide service has no population


def test_rates_use_the_latest_estimate_before_the_month_s_year():
    pops = {("EAST", 2015): 100000, ("EAST", 2016): 200000, ("EAST", 2017): 400000}
    data = dataset({("E-SG", DEC17, "cpp"): 100, ("E-SG", Month(2015, 6), "cpp"): 100}, pops)
    rate = LineSpec("rate", "Rate", "rate_per_10k", "cpp", "population", multiplier=Fraction(10000), is_headline=True)
    totals = Totals(data)
    assert line_figure(totals, spec(rate), rate, DEC17).value == 5  # 2016's 200,000
    assert line_figure(totals, spec(rate), rate, Month(2015, 6)).value == 10  # none before 2015: earliest held


# ---------------------------------------------------------------- windows


def test_a_rolling_window_pools_days_and_children_over_twelve_months():
    months = month_range(Month(2017, 1), DEC17)
    values = {
        **monthly("CITY", "days", dict.fromkeys(months, 250)),
        **monthly("CITY", "kids", dict.fromkeys(months, 1)),
    }
    values[("CITY", DEC17, "days")] = 1000
    values[("CITY", DEC17, "kids")] = 4
    line = headline("days", "kids", unit="days")
    rolling = spec(line, window="rolling_12")
    assert line_figure(Totals(dataset(values)), rolling, line, DEC17).value == Fraction(250 * 11 + 1000, 15)


def test_a_rolling_window_that_starts_before_the_first_data_has_no_value():
    months = month_range(Month(2017, 3), DEC17)  # ten months only
    values = {
        **monthly("CITY", "days", dict.fromkeys(months, 250)),
        **monthly("CITY", "kids", dict.fromkeys(months, 1)),
    }
    line = headline("days", "kids", unit="days")
    assert line_figure(Totals(dataset(values)), spec(line, window="rolling_12"), line, DEC17).value is None


# ---------------------------------------------------------------- baselines


def six_months(measure, numbers, unit="CITY"):
    return monthly(unit, measure, dict(zip(DEC17.previous(6), numbers, strict=True)))


def test_a_previous_six_months_baseline_pools_sum_over_sum():
    values = {**six_months("made", [100, 90, 80, 70, 60, 50]), **six_months("due", [100, 100, 100, 100, 100, 200])}
    line = headline("made", "due", 100)
    figure = baseline_figure(Totals(dataset(values)), spec(line), line, DEC17)
    assert figure.value == Fraction(450 * 100, 700)  # not the mean of the six percentages
    assert (figure.numerator, figure.denominator) == (75, Fraction(700, 6))


def test_a_count_s_baseline_is_the_average_of_the_six_months():
    values = six_months("unallocated", [2, 3, 4, 3, 2, 4])
    line = headline("unallocated", unit="count")
    assert baseline_figure(Totals(dataset(values)), spec(line), line, DEC17).value == 3


def test_a_cumulative_baseline_totals_the_counts():
    values = six_months("re", [250, 260, 270, 280, 260, 276])
    line = LineSpec("re", "No. re-referrals", "count", "re")
    cumulative = spec(line, headline("re", unit="count"), baseline_rule="previous_cumulative")
    assert baseline_figure(Totals(dataset(values)), cumulative, line, DEC17).value == 1596
    assert baseline_label(cumulative, DEC17) == "Prev. 6 months cumulative"


def test_a_baseline_with_a_month_missing_is_no_data():
    values = six_months("unallocated", [2, 3, 4, 3, 2, 4])
    del values[("CITY", Month(2017, 8), "unallocated")]
    line = headline("unallocated", unit="count")
    assert baseline_figure(Totals(dataset(values)), spec(line), line, DEC17).value is None


@pytest.mark.parametrize(
    ("month", "years_back", "expected"),
    [
        (DEC17, 0, Month(2017, 3)),
        (DEC17, 1, Month(2016, 3)),
        (Month(2017, 3), 0, Month(2016, 3)),  # strictly before: March compares with the March before
        (Month(2017, 4), 0, Month(2017, 3)),
    ],
)
def test_a_year_end_baseline_is_the_last_march_before_the_month(month, years_back, expected):
    line = headline("cpp", unit="count")
    year_end = spec(line, baseline_rule="year_end", baseline_years_back=years_back)
    data = dataset({("E-SG", expected, "cpp"): 988})
    assert baseline_figure(Totals(data), year_end, line, month).value == 988
    assert baseline_label(year_end, month) == expected.label


def test_a_fixed_month_baseline_uses_that_month():
    line = headline("cic", unit="count")
    fixed = spec(line, baseline_rule="fixed_month", baseline_month=Month(2016, 3))
    assert baseline_figure(Totals(dataset({("E-SG", Month(2016, 3), "cic"): 1735})), fixed, line, DEC17).value == 1735
    assert baseline_label(fixed, DEC17) == "Mar-16"


# ---------------------------------------------------------------- targets, ratings, trends

TARGET_85 = TargetSpec(Month(2014, 4), Decimal(85), Decimal(5))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(85), "green"),  # exactly on the target meets it
        (Fraction(8450, 100), "green"),  # prints as 85 (half up), so it meets it as printed
        (Fraction(8449, 100), "amber"),  # prints as 84
        (Fraction(80), "amber"),  # exactly at the tolerance is still amber
        (Fraction(7950, 100), "amber"),  # prints as 80
        (Fraction(7949, 100), "red"),  # prints as 79: beyond the tolerance
        (None, "none"),
    ],
)
def test_higher_is_better_ratings_at_the_edges(value, expected):
    assert rating(value, TARGET_85, "higher", 0) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(15, "green"), (Fraction(1549, 100), "green"), (Fraction(1550, 100), "amber"), (20, "amber"), (21, "red")],
)
def test_lower_is_better_ratings_at_the_edges(value, expected):
    assert rating(Fraction(value), TargetSpec(Month(2014, 4), Decimal(15), Decimal(5)), "lower", 0) == expected


def test_no_target_or_neither_polarity_is_rated_none():
    assert rating(Fraction(10), None, "higher", 0) == "none"
    assert rating(Fraction(10), TARGET_85, "neither", 0) == "none"


def test_the_target_in_force_changes_mid_year():
    old, new = TargetSpec(Month(2016, 4), Decimal(80)), TargetSpec(Month(2017, 10), Decimal(85))
    indicator = spec(headline("a", "b", 100), targets=(new, old))
    assert target_in_force(indicator, Month(2017, 9)) == old
    assert target_in_force(indicator, Month(2017, 10)) == new
    assert target_in_force(indicator, Month(2016, 3)) is None


def test_a_month_before_the_first_target_is_rated_none():
    values = {("CITY", Month(2016, 1), "a"): 9, ("CITY", Month(2016, 1), "b"): 10}
    indicator = spec(headline("a", "b", 100), targets=(TARGET_85,))
    assert compute_indicator(Totals(dataset(values)), indicator, Month(2016, 1), AREAS).rating == "green"
    early = spec(headline("a", "b", 100), targets=(TargetSpec(Month(2016, 4), Decimal(85)),))
    assert compute_indicator(Totals(dataset(values)), early, Month(2016, 1), AREAS).rating == "none"


@pytest.mark.parametrize(
    ("current", "baseline", "polarity", "expected"),
    [
        (92, 90, "higher", "improving"),
        (88, 90, "higher", "declining"),
        (91, 90, "higher", "stable"),  # a change equal to the threshold is stable
        (89, 90, "lower", "stable"),
        (88, 90, "lower", "improving"),
        (95, 90, "lower", "declining"),
        (95, 90, "neither", "up"),
        (85, 90, "neither", "down"),
        (90, 90, "neither", "stable"),
        (None, 90, "higher", None),
    ],
)
def test_trend_by_polarity_with_a_threshold_of_one(current, baseline, polarity, expected):
    current = None if current is None else Fraction(current)
    assert trend(current, Fraction(baseline), polarity, Decimal(1)) == expected


# ---------------------------------------------------------------- property

team_counts = st.dictionaries(
    st.sampled_from(["E-ASM", "E-SG", "S-ASM", "D-DIS"]), st.integers(min_value=0, max_value=10**6), min_size=1
)


@settings(max_examples=200, deadline=None)
@given(team_counts)
def test_area_breakdowns_of_team_counts_sum_to_the_city(counts):
    data = dataset({(unit, DEC17, "open"): value for unit, value in counts.items()})
    result = compute_indicator(Totals(data), spec(headline("open", unit="count"), breakdown="area"), DEC17, AREAS)
    areas = [a.figure.value for a in result.headline.breakdown if a.figure.value is not None]
    assert sum(areas) == result.headline.current.value == sum(counts.values())


# ---------------------------------------------------------------- what mutation testing found untested


def test_the_whole_scorecard_carries_each_indicators_figures_labels_and_commentary():
    values = {
        **monthly("E-ASM", "seen", dict.fromkeys(DEC17.previous(6), 8)),
        **monthly("E-ASM", "done", dict.fromkeys(DEC17.previous(6), 10)),
        ("E-ASM", DEC17, "seen"): 9,
        ("E-ASM", DEC17, "done"): 10,
        ("S-ASM", DEC17, "seen"): 3,
        ("S-ASM", DEC17, "done"): 4,
    }
    seen = spec(
        headline("seen", "done", 100, precision=1),
        code="seen",
        number=1,
        breakdown="area",
        targets=(TargetSpec(Month(2017, 4), Decimal(90), Decimal(5)),),
        comparators=(ComparatorSpec("national", "2016-17", Decimal(88)),),
    )
    count = spec(
        LineSpec("open", "Open cases", "count", "done", is_headline=True),
        code="count",
        number=2,
        unit="count",
        polarity="neither",
    )
    first, second = compute_scorecard(dataset(values), [seen, count], DEC17, {"seen": "Better than last year."})
    assert (first.spec, first.month, first.commentary) == (seen, DEC17, "Better than last year.")
    assert (second.spec, second.commentary) == (count, "")
    assert first.target == seen.targets[0] and first.comparators == seen.comparators
    assert first.baseline_label == "Prev. 6 months average"
    # 12 of 14 seen is 85.7%: amber against 90 (amber to 85); 80% before, so improving.
    assert (first.rating, first.trend) == ("amber", "improving")
    line = first.headline
    assert (line.code, line.label, line.unit, line.precision) == ("headline", "Headline", "percent", 1)
    assert line.current.value == Fraction(1200, 14) and line.baseline.value == 80
    assert [(a.area, a.name, a.figure.value) for a in line.breakdown] == [
        ("EAST", "East", 90),
        ("SOUTH", "South", 75),
        ("DCSC", "Disabled children", None),
    ]
    assert second.headline.current.value == 14 and second.trend == "up"  # 10 a month before, 14 now
    assert compute_scorecard(dataset(values), [seen], DEC17)[0].commentary == ""


def test_headline_history_gives_each_month_its_figure_oldest_first():
    months = [Month(2017, 10), Month(2017, 11), DEC17]
    values = monthly("CITY", "n", {Month(2017, 10): 4, DEC17: 6})
    history = headline_history(Totals(dataset(values)), spec(headline("n", unit="count")), months)
    assert [(month, figure.value) for month, figure in history] == [
        (Month(2017, 10), 4),
        (Month(2017, 11), None),
        (DEC17, 6),
    ]


def test_counts_from_a_unit_outside_any_area_still_add_up_to_the_city():
    values = {("E-ASM", DEC17, "n"): 2, ("E-SG", DEC17, "n"): 3, ("GONE", DEC17, "n"): 4, ("E-ASM", DEC17, "m"): 1}
    totals = Totals(dataset(values))
    assert totals.measures(("city", None), [DEC17]) == {"n": 9, "m": 1}
    assert totals.measures(("area", "EAST"), [DEC17]) == {"n": 5, "m": 1}


@pytest.mark.parametrize("missing", [Month(2017, 1), Month(2017, 2), DEC17])
def test_a_window_leaves_out_a_measure_missing_in_any_of_its_months(missing):
    months = month_range(Month(2017, 1), DEC17)
    values = monthly("CITY", "n", {m: 1 for m in months if m != missing})
    assert Totals(dataset(values)).measures(("city", None), months) == {}
    values[("CITY", missing, "n")] = 1
    assert Totals(dataset(values)).measures(("city", None), months) == {"n": 12}


def test_the_city_has_no_population_when_no_locality_has_one():
    line = headline("n", "population", 10000, unit="rate")
    totals = Totals(dataset({("CITY", DEC17, "n"): 5}, populations={}))
    assert totals.population(("city", None), DEC17) is None
    assert line_figure(totals, spec(line), line, DEC17).value is None


def test_a_count_line_is_multiplied_not_divided():
    line = headline("n", multiplier=10, unit="count")
    figure = line_figure(Totals(dataset({("CITY", DEC17, "n"): 5})), spec(line), line, DEC17)
    assert (figure.value, figure.numerator) == (50, 5)


def test_a_year_end_baseline_early_in_the_year_is_the_march_before_last():
    year_end = spec(headline("n"), baseline_rule="year_end")
    assert baseline_months(year_end, Month(2018, 1)) == [Month(2017, 3)]
    assert baseline_months(year_end, Month(2018, 3)) == [Month(2017, 3)]
    assert baseline_months(year_end, Month(2018, 4)) == [Month(2018, 3)]
    assert baseline_label(year_end, Month(2018, 2)) == "Mar-17"


def test_an_unknown_baseline_rule_is_refused_by_name_even_with_a_month_set():
    odd = spec(headline("n"), code="odd", baseline_rule="someday", baseline_month=Month(2017, 3))
    with pytest.raises(ValueError, match="odd: unknown baseline rule 'someday'"):
        baseline_months(odd, DEC17)


def test_a_two_month_baseline_is_pooled_and_a_count_baseline_is_averaged_and_scaled():
    values = {
        **monthly("CITY", "n", {Month(2017, 10): 3, Month(2017, 11): 6}),
        **monthly("CITY", "d", {Month(2017, 10): 10, Month(2017, 11): 20}),
    }
    pooled = spec(headline("n", "d", 100), baseline_months=2)
    assert baseline_figure(Totals(dataset(values)), pooled, pooled.headline, DEC17).value == 30
    counted = spec(headline("n", multiplier=2, unit="count"), baseline_months=2)
    figure = baseline_figure(Totals(dataset(values)), counted, counted.headline, DEC17)
    assert (figure.value, figure.numerator) == (9, Fraction(9, 2))


def test_the_rating_uses_the_figure_rounded_to_the_indicators_precision():
    target = TargetSpec(Month(2017, 4), Decimal("89.4"), Decimal(0))
    assert rating(Fraction(8944, 100), target, "higher", 1) == "green"  # 89.4 as printed
    assert rating(Fraction(8944, 100), target, "higher", 0) == "red"  # 89 as printed


@pytest.mark.parametrize(("polarity", "expected"), [("neither", "up"), ("higher", "improving"), ("lower", "declining")])
def test_a_change_smaller_than_one_still_has_a_direction(polarity, expected):
    assert trend(Fraction(21, 2), Fraction(10), polarity, Decimal(0)) == expected


def test_the_latest_comparator_of_each_kind_and_line_national_first():
    older = ComparatorSpec("national", "2015-16", Decimal(20))
    newer = ComparatorSpec("national", "2016-17", Decimal(21))
    neighbours = ComparatorSpec("statistical_neighbours", "2016-17", Decimal(23))
    other = ComparatorSpec("england_and_wales", "2016-17", Decimal(25))
    on_a_line = ComparatorSpec("national", "2014-15", Decimal(5), line="rate")
    found = latest_comparators(spec(headline("n"), comparators=(other, neighbours, newer, older, on_a_line)))
    assert found == (newer, neighbours, other, on_a_line)


def test_units_of_the_same_area_and_type_add_up():
    units = {"A1": UnitInfo("EAST", "assessment"), "A2": UnitInfo("EAST", "assessment")}
    data = Dataset(values={("A1", DEC17, "n"): 2, ("A2", DEC17, "n"): 3}, units=units, areas=AREAS)
    assert Totals(data).measures(("type_area", ("assessment", "EAST")), [DEC17]) == {"n": 5}


def test_an_indicator_without_breakdown_or_commentary_has_neither():
    data = dataset({("CITY", DEC17, "n"): 4})
    result = compute_indicator(Totals(data), spec(headline("n", unit="count")), DEC17, AREAS)
    assert result.headline.breakdown == () and result.commentary == ""


def test_an_indicators_baseline_heading_is_for_its_month():
    data = dataset({("CITY", Month(2017, 3), "n"): 4, ("CITY", DEC17, "n"): 5})
    year_end = spec(headline("n", unit="count"), baseline_rule="year_end")
    assert compute_indicator(Totals(data), year_end, DEC17, AREAS).baseline_label == "Mar-17"


# ---------------------------------------------------------------- blank (not available) values


def _supervised(blanks=frozenset()) -> Dataset:
    values = {
        ("E-ASM", DEC17, "supervised"): 40,
        ("E-ASM", DEC17, "staff"): 50,
        ("E-SG", DEC17, "staff"): 58,  # its "supervised" is blank (not available)
        ("S-ASM", DEC17, "supervised"): 30,
        ("S-ASM", DEC17, "staff"): 40,
    }
    return Dataset(values=values, units=UNITS, areas=AREAS, blanks=blanks)


def test_a_team_blank_for_a_ratios_measure_is_left_out_of_numerator_and_denominator():
    data = _supervised(frozenset({("E-SG", DEC17, "supervised")}))
    percent = spec(headline("supervised", "staff", 100), breakdown="area")
    result = compute_indicator(Totals(data), percent, DEC17, AREAS)
    city = result.headline.current
    assert (city.numerator, city.denominator, city.excluded) == (70, 90, 1)  # not 70/148
    east = result.headline.breakdown[0].figure
    assert (east.numerator, east.denominator, east.excluded) == (40, 50, 1)
    south = result.headline.breakdown[1].figure
    assert (south.numerator, south.denominator, south.excluded) == (30, 40, 0)
    assert result.excluded == 1


def test_a_team_type_line_leaves_out_its_blank_team_and_others_are_untouched():
    data = _supervised(frozenset({("E-SG", DEC17, "supervised")}))
    safeguarding = headline("supervised", "staff", 100, team_type="safeguarding")
    assessment = LineSpec(
        "asm", "Assessment", "percent", "supervised", "staff", multiplier=Fraction(100), team_type="assessment"
    )
    result = compute_indicator(Totals(data), spec(safeguarding, assessment), DEC17, AREAS)
    assert result.headline.current == Figure(None, None, None, 1)  # its only team is blank: no data, not 0%
    other = result.lines[1].current
    assert (other.numerator, other.denominator, other.excluded) == (70, 90, 0)


def test_without_blanks_a_ratio_is_complete_and_a_count_ignores_blanks():
    complete = line_figure(
        Totals(_supervised()), spec(headline("supervised", "staff", 100)), headline("supervised", "staff", 100), DEC17
    )
    assert (complete.numerator, complete.denominator, complete.excluded) == (70, 148, 0)
    blank = _supervised(frozenset({("E-SG", DEC17, "supervised")}))
    staff = line_figure(Totals(blank), spec(headline("staff", unit="count")), headline("staff", unit="count"), DEC17)
    assert (staff.value, staff.excluded) == (148, 0)  # a blank elsewhere is not this count's concern


def test_a_blank_month_leaves_the_team_out_of_that_month_only_in_a_rolling_window():
    months = month_range(Month(2017, 1), DEC17)
    values = {
        **monthly("E-ASM", "supervised", dict.fromkeys(months, 1)),
        **monthly("E-ASM", "staff", dict.fromkeys(months, 2)),
        **monthly("S-ASM", "supervised", dict.fromkeys(months, 1)),
        **monthly("S-ASM", "staff", dict.fromkeys(months, 4)),
    }
    june = Month(2017, 6)
    del values[("S-ASM", june, "supervised")]
    data = Dataset(values=values, units=UNITS, areas=AREAS, blanks=frozenset({("S-ASM", june, "supervised")}))
    line = headline("supervised", "staff", 100)
    figure = line_figure(Totals(data), spec(line, window="rolling_12"), line, DEC17)
    assert (figure.numerator, figure.denominator, figure.excluded) == (23, 68, 1)  # S-ASM's June 4 staff left out


def test_ratings_and_trends_are_the_vocabularies_members():
    assert rating(Fraction(90), TARGET_85, Polarity.HIGHER, 0) is Rating.GREEN
    assert rating(Fraction(10), None, Polarity.HIGHER, 0) is Rating.NO_TARGET
    assert trend(Fraction(12), Fraction(10), Polarity.LOWER, Decimal(1)) is Trend.DECLINING
    assert trend(Fraction(12), Fraction(10), Polarity.NEITHER, Decimal(1)) is Trend.UP
    assert trend(Fraction(10), Fraction(10), Polarity.HIGHER, Decimal(1)) is Trend.STABLE
    data = dataset(monthly("CITY", "n", dict.fromkeys(DEC17.previous(6), 10)) | {("CITY", DEC17, "n"): 80})
    result = compute_indicator(Totals(data), spec(headline("n", unit="count"), targets=(TARGET_85,)), DEC17, AREAS)
    assert (result.rating, result.trend) == (Rating.AMBER, Trend.IMPROVING)
    assert type(result.rating) is Rating and type(result.trend) is Trend
