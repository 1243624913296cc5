"""Parsing typed counts, the standard rules, outliers and blanks: plain functions, mostly without a database."""

import pytest
from django.core.exceptions import ValidationError

from returns import standard_rules
from returns.models import ValidationRule
from returns.validation import (
    ERROR,
    WARNING,
    CountError,
    Rule,
    check_blanks,
    check_outliers,
    check_return,
    check_rule,
    is_material_change,
    load_rules,
    parse_count,
)

STANDARD = [Rule(*spec) for spec in standard_rules.RULES]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("12", 12),
        (" 42 ", 42),
        ("1,234", 1234),
        ("1,234,567", 1234567),
        ("007", 7),
        ("1000000000", 10**9),
        ("", None),
        ("   ", None),
        (None, None),
        (15, 15),
    ],
)
def test_it_accepts_whole_numbers_and_blank(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("3.5", "decimal point"),
        ("3.", "decimal point"),
        ("1e3", "exponent"),
        ("12a", "not a whole number"),
        ("1,234x", "not a whole number"),
        ("1,23", "commas in the wrong places"),
        ("12,34,567", "commas in the wrong places"),
        ("-1", "cannot be negative"),
        ("+5", "not a whole number"),
        ("١٢", "digits other than 0-9"),  # Arabic-Indic digits: int() would take them
        ("１２", "digits other than 0-9"),  # full-width digits
        ("1_000", "not a whole number"),
        ("1000000001", "too large"),
        ("99999999999999999999999", "too large"),
        ("9" * 100_000, "too large"),
        ("0x10", "not a whole number"),
        ("½", "not a whole number"),
    ],
)
def test_it_refuses_anything_else_saying_why(text, says):
    with pytest.raises(CountError, match=says):
        parse_count(text)


@pytest.mark.parametrize("value", [-1, 10**9 + 1, True, 2.0])
def test_it_refuses_numbers_out_of_range_or_of_the_wrong_type(value):
    with pytest.raises(CountError):
        parse_count(value)


# Each standard rule: (left code, right code). Equal values pass; left above right fails naming both.
RULE_PAIRS = [(left, right) for _, left, _, right, _, _ in standard_rules.RULES]


@pytest.mark.parametrize(("left", "right"), RULE_PAIRS)
def test_each_standard_rule_passes_when_the_part_is_within_the_whole(left, right):
    assert check_return({left: 10, right: 10}, rules=STANDARD) == []
    assert check_return({left: 0, right: 10}, rules=STANDARD) == []


@pytest.mark.parametrize(("left", "right"), RULE_PAIRS)
def test_each_standard_rule_fails_as_an_error_naming_fields_and_values(left, right):
    [finding] = check_return({left: 11, right: 10}, rules=STANDARD, labels={left: "The part"})
    assert finding.severity == ERROR
    assert finding.fields[0] == left and right in finding.fields
    assert f"The part ({left}) = 11" in finding.message
    assert f"{right} = 10" in finding.message


def test_a_rule_is_skipped_when_a_value_is_blank_or_not_returned_by_the_unit():
    assert check_return({"re_referrals": 300, "referrals": None}, rules=STANDARD) == []
    assert check_return({"re_referrals": 300}, rules=STANDARD) == []


@pytest.mark.parametrize(
    ("operator", "left", "right", "fails"),
    [
        ("<=", 3, 3, False),
        ("<=", 4, 3, True),
        ("<", 2, 3, False),
        ("<", 3, 3, True),
        (">=", 3, 3, False),
        (">=", 2, 3, True),
        (">", 4, 3, False),
        (">", 3, 3, True),
        ("==", 3, 3, False),
        ("==", 4, 3, True),
        ("!=", 4, 3, False),
        ("!=", 3, 3, True),
    ],
)
def test_every_operator_compares_as_written(operator, left, right, fails):
    rule = Rule("r", "a", operator, "b", WARNING, "Check a against b.")
    finding = check_rule(rule, {"a": left, "b": right}, {})
    assert (finding is not None) == fails
    if fails:
        assert finding.severity == WARNING


def test_a_rule_over_expressions_shows_each_side_with_its_value():
    rule = Rule(
        "agency",
        "agency_social_workers + agency_team_managers",
        "<=",
        "(social_worker_posts + team_manager_posts) / 2",
        ERROR,
        "Too many agency staff.",
    )
    values = {
        "agency_social_workers": 20,
        "agency_team_managers": 5,
        "social_worker_posts": 30,
        "team_manager_posts": 5,
    }
    finding = check_rule(rule, values, {})
    assert finding.message == (
        "Too many agency staff. agency_social_workers + agency_team_managers = 25 "
        "is more than (social_worker_posts + team_manager_posts) / 2 = 17.50."
    )
    assert finding.fields[:2] == ("agency_social_workers", "agency_team_managers")


def test_a_rule_dividing_by_zero_is_skipped():
    rule = Rule("r", "a / b", "<=", "1", ERROR, "Ratio too high.")
    assert check_rule(rule, {"a": 3, "b": 0}, {}) is None


def test_a_value_far_from_its_last_twelve_months_is_a_warning():
    past = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100]
    [finding] = check_outliers({"open_cases": 160}, {"open_cases": past}, labels={"open_cases": "Open cases"})
    assert finding.severity == WARNING
    assert finding.fields == ("open_cases",)
    assert "Open cases (open_cases) = 160" in finding.message
    assert "median is 100" in finding.message


def test_a_value_within_the_usual_range_is_not_an_outlier():
    past = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100]
    assert check_outliers({"open_cases": 104}, {"open_cases": past}) == []


@pytest.mark.parametrize(("value", "warns"), [(114, False), (115, True), (86, False), (85, True)])
def test_a_steady_count_may_move_under_fifteen_percent_from_last_month_without_a_warning(value, warns):
    past = [100, 101, 99, 100, 100, 102, 98, 100, 101, 99, 100, 100]  # 3 scaled MADs is under 5
    assert bool(check_outliers({"open_cases": value}, {"open_cases": past})) == warns


def test_outside_the_usual_range_but_close_to_last_month_is_not_a_warning():
    # The example: a caseload of 611 against 609 last month, after a steady year.
    past = [540, 541, 539, 540, 540, 542, 538, 540, 541, 560, 590, 609]
    assert check_outliers({"caseload_cases": 611}, {"caseload_cases": past}) == []


def test_far_from_last_month_but_inside_the_usual_range_is_not_a_warning():
    past = [100, 140, 80, 130, 90, 120, 70, 135, 95, 125, 85, 80]  # a bumpy count
    assert check_outliers({"open_cases": 130}, {"open_cases": past}) == []


def test_outside_the_usual_range_and_far_from_last_month_is_a_warning_naming_both():
    past = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100]
    [finding] = check_outliers({"open_cases": 130}, {"open_cases": past})
    assert "usual range 90 to 110, and last month it was 100" in finding.message


def test_a_material_change_is_at_least_five_and_fifteen_percent():
    assert not is_material_change(104, 100) and not is_material_change(114, 100)
    assert is_material_change(115, 100) and is_material_change(5, 0) and not is_material_change(4, 0)
    assert not is_material_change(24, 20)  # 20% but only 4


def test_a_change_of_more_than_half_on_last_month_is_a_warning_even_with_short_history():
    [finding] = check_outliers({"supervisions": 31}, {"supervisions": [None] * 11 + [20]})
    assert "last month it was 20" in finding.message


def test_a_change_of_exactly_half_is_not_a_warning():
    assert check_outliers({"supervisions": 30}, {"supervisions": [None] * 11 + [20]}) == []


def test_small_counts_moving_a_little_are_not_outliers():
    assert check_outliers({"unallocated_cases": 3}, {"unallocated_cases": [0] * 12}) == []


def test_without_history_there_are_no_outliers():
    assert check_outliers({"open_cases": 5000}, {}) == []
    assert check_outliers({"open_cases": 5000}, {"open_cases": [None] * 12}) == []


def test_a_blank_not_marked_not_available_is_an_error_and_a_marked_one_is_not():
    findings = check_blanks(
        {"open_cases": None, "cpp_children": None, "cic_children": 3},
        {"cpp_children": "System outage"},
        {"open_cases": "Open cases"},
    )
    assert [(f.severity, f.fields) for f in findings] == [(ERROR, ("open_cases",))]
    assert "Open cases (open_cases) is blank" in findings[0].message


def test_check_return_uses_the_active_rules_in_the_database(db):
    ValidationRule.objects.filter(code="re_referrals_le_referrals").update(active=False)
    assert [r.code for r in load_rules()] == sorted(
        code for code, *_ in standard_rules.RULES if code != "re_referrals_le_referrals"
    )
    assert check_return({"re_referrals": 11, "referrals": 10}) == []
    assert len(check_return({"cpp_visits_made": 11, "cpp_visits_due": 10})) == 1


def test_a_fresh_install_holds_the_nine_standard_rules_as_errors(db):
    assert ValidationRule.objects.filter(active=True, severity=ERROR).count() == 9


@pytest.mark.parametrize(
    ("left", "right", "field"),
    [
        ("re_referals", "referrals", "left"),
        ("referrals", "import os", "right"),
        ("population", "referrals", "left"),
        ("__import__('os')", "referrals", "left"),
    ],
)
def test_a_rule_with_an_unknown_measure_or_bad_expression_is_refused(db, left, right, field):
    rule = ValidationRule(code="bad", left=left, operator="<=", right=right, severity=ERROR, message="m")
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert field in caught.value.message_dict


# ---------------------------------------------------------------- what mutation testing found untested


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (True, "Enter a whole number."),
        (2.0, "Enter a whole number."),
        (-1, "Enter 0 or more: counts cannot be negative."),
        ("-5", "Enter 0 or more: counts cannot be negative."),
        ("abcdefghijklmnopqrstuvwxyz", "“abcdefghijklmnopqrst…” is not a whole number: use the digits 0-9 only."),
        ("abcdefghijklmnopqrst", "“abcdefghijklmnopqrst” is not a whole number: use the digits 0-9 only."),
        ("abcdefghijklmnopqrstu", "“abcdefghijklmnopqrst…” is not a whole number: use the digits 0-9 only."),
        ("1E3", "“1E3” is in exponent form: write the number out in full."),
        ("9a", "“9a” is not a whole number: use the digits 0-9 only."),
    ],
)
def test_each_refusal_says_exactly_why(value, says):
    with pytest.raises(CountError) as refused:
        parse_count(value)
    assert str(refused.value) == says


def test_leading_zeros_do_not_make_a_count_too_large():
    assert parse_count("00000000000042") == 42
    assert parse_count("0,000") == 0


def test_rules_come_from_the_database_with_their_message(db):
    ValidationRule.objects.create(
        code="zz_custom", left="a", operator="<=", right="b", severity=WARNING, message="A cannot pass B."
    )
    custom = next(rule for rule in load_rules() if rule.code == "zz_custom")
    assert custom == Rule("zz_custom", "a", "<=", "b", WARNING, "A cannot pass B.")


def test_a_rule_with_a_constant_side_names_the_measures_of_the_other():
    finding = check_rule(Rule("r", "10", "<=", "a + b", ERROR, "Too few."), {"a": 2, "b": 3}, {})
    assert finding.fields == ("a", "b")


def test_check_return_labels_outliers_too():
    history = {"open_cases": [100] * 12}
    [finding] = check_return({"open_cases": 160}, history, rules=[], labels={"open_cases": "Open cases"})
    assert finding.message.startswith("Open cases (open_cases) = 160 looks unusual")


def test_every_value_is_checked_after_a_blank_one():
    findings = check_outliers({"a": None, "b": 160}, {"a": [100] * 12, "b": [100] * 12})
    assert [f.code for f in findings] == ["outlier:b"]


def test_an_outlier_message_gives_the_median_and_the_usual_range_of_whole_numbers():
    # Median 100; absolute deviations 0, 0, 10, 10, 20, 20 have median 10, so the band is 3 x 10 x 1.4826.
    [finding] = check_outliers({"n": 150}, {"n": [100, 110, 90, 120, 80, 100]})
    assert finding.message == (
        "n = 150 looks unusual: the last 6 months' median is 100, usual range 56 to 144, "
        "and last month it was 100. Check it, or explain it in the comment."
    )


def test_small_counts_have_a_usual_range_from_zero_and_last_month_is_given():
    # Median 2, band 5 (the smallest change that counts): 0 to 7; and 20 is far more than half again on 2.
    [finding] = check_outliers({"n": 20}, {"n": [2, 0, 4, 1, 3, 2]})
    assert finding.message == (
        "n = 20 looks unusual: the last 6 months' median is 2, usual range 0 to 7, "
        "and last month it was 2. Check it, or explain it in the comment."
    )


@pytest.mark.parametrize(
    ("value", "last", "warns"), [(13, 8, True), (12, 8, False), (5, 0, True), (3, 8, True), (6, 3, False)]
)
def test_a_change_on_last_month_needs_five_and_more_than_half(value, last, warns):
    assert bool(check_outliers({"n": value}, {"n": [last]})) == warns


def test_six_months_are_enough_history_for_the_median():
    # 140 on 100 is no more than half again on last month: only the median can flag it.
    assert check_outliers({"n": 140}, {"n": [100] * 6})
    assert not check_outliers({"n": 140}, {"n": [None] + [100] * 5})


def test_a_blank_is_named_by_its_code_when_it_has_no_label():
    [finding] = check_blanks({"open_cases": None}, {})
    assert finding.code == "blank:open_cases"
    assert finding.message == ("open_cases (open_cases) is blank: enter a value, or mark it not available and say why.")
