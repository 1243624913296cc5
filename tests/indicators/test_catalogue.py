"""A fresh install holds the standard catalogue, and expressions are checked when saved."""

import pytest
from django.core.exceptions import ValidationError

from indicators.models import Indicator, IndicatorLine, Measure

CONTRACT_MEASURES = {
    "open_cases",
    "unallocated_cases",
    "referrals",
    "re_referrals",
    "assessments_in_timescale",
    "assessments_out_of_timescale",
    "assessments_completed",
    "children_seen_at_assessment",
    "cpp_children",
    "cpp_visits_due",
    "cpp_visits_made",
    "cic_children",
    "cic_uasc",
    "care_leavers",
    "care_leavers_ete",
    "adoption_match_days",
    "adoption_match_children",
    "adoption_placement_days",
    "adoption_placement_children",
    "cin_supported_at_home",
    "cin_supported_total",
    "supervisions",
    "social_work_staff",
    "caseload_cases",
    "qualified_social_workers",
    "agency_social_workers",
    "social_worker_posts",
    "agency_team_managers",
    "team_manager_posts",
}
CONTRACT_INDICATORS = [
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
AUTHORITY_LEVEL = {
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
}


def test_it_holds_every_contract_measure_after_migrate(db):
    assert set(Measure.objects.values_list("code", flat=True)) == CONTRACT_MEASURES


def test_it_levels_measures_as_the_data_dictionary_says(db):
    authority = set(Measure.objects.filter(level="authority").values_list("code", flat=True))
    assert authority == AUTHORITY_LEVEL


def test_it_numbers_the_fourteen_indicators_in_contract_order(db):
    assert list(Indicator.objects.order_by("number").values_list("code", flat=True)) == CONTRACT_INDICATORS
    assert list(Indicator.objects.order_by("number").values_list("number", flat=True)) == list(range(1, 15))


def test_every_catalogue_expression_passes_its_own_validation(db):
    for indicator in Indicator.objects.all():
        indicator.full_clean()
    for line in IndicatorLine.objects.all():
        line.full_clean()


def test_it_describes_the_seed_windows_and_baselines(db):
    by_code = {i.code: i for i in Indicator.objects.all()}
    assert by_code["adoption_match_days"].window == "rolling_12"
    assert by_code["adoption_placement_days"].window == "rolling_36"
    assert by_code["re_referrals"].baseline_rule == "previous_cumulative"
    cpp, cic = by_code["child_protection_plans"], by_code["children_in_care"]
    assert (cpp.baseline_rule, cpp.baseline_years_back) == ("year_end", 0)
    assert (cic.baseline_rule, cic.baseline_years_back) == ("year_end", 1)


@pytest.mark.parametrize(
    ("numerator", "message"),
    [
        ("unknown_measure", "Unknown measure code"),
        ("open_cases +", "not a valid expression"),
        ("__import__('os').system('true')", "may use only"),
        ("open_cases ** 2", "may use only"),
        ("open_cases.real", "may use only"),
    ],
)
def test_it_refuses_an_indicator_with_an_unusable_expression(db, numerator, message):
    indicator = Indicator.objects.get(code="re_referrals")
    indicator.numerator = numerator
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert message in str(error.value.message_dict["numerator"])


def test_it_refuses_a_line_with_an_unknown_measure(db):
    line = IndicatorLine.objects.filter(indicator__code="supervision").first()
    line.denominator = "social_work_stuff"
    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert "social_work_stuff" in str(error.value)


def test_it_refuses_a_fixed_month_baseline_without_its_month(db):
    indicator = Indicator.objects.get(code="cp_visits")
    indicator.baseline_rule = Indicator.Baseline.FIXED_MONTH
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "baseline_month" in error.value.message_dict
