"""The standard catalogue every install starts with: measures, indicators, team types.

Plain data, installed by a data migration (and re-installable by tests and the
demo, idempotently). Codes are contract; wording and thresholds are the
performance team's to change in the admin afterwards.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# (code, name, kind, level, description)
MEASURES = [
    ("open_cases", "Open cases", "snapshot", "team", "Open cases after the front door, at month end."),
    (
        "unallocated_cases",
        "Unallocated cases (open > 7 days)",
        "snapshot",
        "team",
        "Of the open cases, those with no allocated social worker 7 or more days after referral.",
    ),
    ("referrals", "Referrals", "flow", "authority", "Referrals received in the month."),
    (
        "re_referrals",
        "Re-referrals",
        "flow",
        "authority",
        "Of the month's referrals, those within 12 months of a previous referral.",
    ),
    (
        "assessments_in_timescale",
        "Assessments in timescale",
        "flow",
        "team",
        "Family assessments (including S47) completed within 45 working days.",
    ),
    (
        "assessments_out_of_timescale",
        "Assessments out of timescale",
        "flow",
        "team",
        "Family assessments (including S47) completed outside 45 working days.",
    ),
    (
        "assessments_completed",
        "Assessments completed (S17 and S47)",
        "flow",
        "authority",
        "S17 and S47 assessments completed in the month.",
    ),
    (
        "children_seen_at_assessment",
        "Children seen at assessment",
        "flow",
        "authority",
        "Of the assessments completed, those where the child was seen.",
    ),
    (
        "cpp_children",
        "Children with a child protection plan",
        "snapshot",
        "team",
        "Children subject to a child protection plan at month end.",
    ),
    ("cpp_visits_due", "Child protection visits due", "flow", "team", "Children on a plan due a visit in the month."),
    (
        "cpp_visits_made",
        "Child protection visits made",
        "flow",
        "team",
        "Of those due, children visited at least once in the month.",
    ),
    (
        "cic_children",
        "Children in care (UASC excluded)",
        "snapshot",
        "team",
        "Children in care at month end, unaccompanied asylum-seeking children excluded.",
    ),
    (
        "cic_uasc",
        "UASC in care",
        "snapshot",
        "authority",
        "Unaccompanied asylum-seeking children in care at month end.",
    ),
    ("care_leavers", "Care leavers aged 17-21", "snapshot", "authority", "Care leavers aged 17 to 21 in the cohort."),
    (
        "care_leavers_ete",
        "Care leavers in ETE",
        "snapshot",
        "authority",
        "Of the care leavers, those in employment, education or training.",
    ),
    (
        "adoption_match_days",
        "Days from court authority to match (total)",
        "flow",
        "authority",
        "Total days from court authority to place to the match, for children matched in the month.",
    ),
    ("adoption_match_children", "Children matched for adoption", "flow", "authority", "Children matched in the month."),
    (
        "adoption_placement_days",
        "Days from entering care to adoptive placement (total)",
        "flow",
        "authority",
        "Total days from entering care to moving in with the adoptive family, for children placed in the month.",
    ),
    (
        "adoption_placement_children",
        "Children placed for adoption",
        "flow",
        "authority",
        "Children placed for adoption in the month.",
    ),
    (
        "cin_supported_at_home",
        "CiN / family support supported at home",
        "snapshot",
        "authority",
        "Children in need and family support cases supported to live with their family.",
    ),
    (
        "cin_supported_total",
        "CiN / family support cases",
        "snapshot",
        "authority",
        "All children in need and family support cases.",
    ),
    ("supervisions", "Staff supervised", "flow", "team", "Social work staff supervised in the month."),
    ("social_work_staff", "Social work staff", "snapshot", "team", "Social work staff in post."),
    (
        "caseload_cases",
        "Cases held by qualified social workers",
        "snapshot",
        "team",
        "Cases held by qualified social workers at month end.",
    ),
    (
        "qualified_social_workers",
        "Qualified social workers holding cases",
        "snapshot",
        "team",
        "Qualified social workers holding cases at month end.",
    ),
    (
        "agency_social_workers",
        "Agency social workers",
        "snapshot",
        "authority",
        "Agency social workers in established posts.",
    ),
    ("social_worker_posts", "Social worker posts", "snapshot", "authority", "Established social worker posts."),
    ("agency_team_managers", "Agency team managers", "snapshot", "authority", "Agency team managers."),
    ("team_manager_posts", "Team manager posts", "snapshot", "authority", "Established team manager posts."),
]

TEAM_TYPES = [
    ("assessment", "Assessment"),
    ("safeguarding", "Safeguarding"),
    ("children_in_care", "Children in care"),
    ("disabled_children", "Disabled children"),
    ("uasc", "Unaccompanied asylum-seeking children"),
    ("nrpf", "No recourse to public funds"),
    ("homeless", "Homeless"),
]

PERCENT = {"unit": "percent", "multiplier": Decimal(100)}
RATE = {"unit": "rate_per_10k", "multiplier": Decimal(10000), "denominator": "population"}


def _line(code, label, numerator, denominator="", **extra):
    return {
        "code": code,
        "label": label,
        "numerator": numerator,
        "denominator": denominator,
        "unit": "count",
        "multiplier": Decimal(1),
        "precision": 0,
        **extra,
    }


_ASSESSMENTS_TOTAL = "assessments_in_timescale + assessments_out_of_timescale"

INDICATORS: list[dict[str, Any]] = [
    {
        "number": 1,
        "code": "unallocated_cases",
        "title": "Number of unallocated cases (open > 7 days)",
        "short_title": "Unallocated cases (open > 7 days)",
        "definition": "Open cases after the front door with no allocated social worker 7 or more days "
        "after referral, at month end.",
        "unit": "count",
        "numerator": "unallocated_cases",
        "window": "snapshot",
        "baseline_rule": "previous_average",
        "polarity": "lower",
        "trend_threshold": Decimal(1),
        "breakdown": "area",
        "headline_label": "Unallocated (open > 7 days)",
        "headline_order": 0,
        "lines": [
            _line("open_cases", "Total number of open cases", "open_cases", order=1),
            _line(
                "pct_unallocated",
                "% of unallocated cases",
                "unallocated_cases",
                "open_cases",
                order=2,
                precision=1,
                **PERCENT,
            ),
        ],
    },
    {
        "number": 2,
        "code": "re_referrals",
        "title": "% Re-referrals (monthly)",
        "short_title": "% re-referrals",
        "definition": "Referrals in the month that came within 12 months of a previous referral, "
        "as a percentage of all referrals in the month.",
        "unit": "percent",
        "numerator": "re_referrals",
        "denominator": "referrals",
        "multiplier": Decimal(100),
        "window": "month",
        "baseline_rule": "previous_cumulative",
        "polarity": "lower",
        "trend_threshold": Decimal(1),
        "breakdown": "none",
        "headline_label": "Re-referrals %",
        "headline_order": 2,
        "lines": [
            _line("re_referrals", "No. re-referrals", "re_referrals", order=0),
            _line("referrals", "Total referrals", "referrals", order=1),
        ],
    },
    {
        "number": 3,
        "code": "assessments_in_timescale",
        "title": "Family assessments completed in timescale (45 working days incl. S47)",
        "short_title": "Family assessments completed in timescale",
        "definition": "Family assessments, S47 included, completed within 45 working days, as a "
        "percentage of all completed in the month.",
        "unit": "percent",
        "numerator": "assessments_in_timescale",
        "denominator": _ASSESSMENTS_TOTAL,
        "multiplier": Decimal(100),
        "window": "month",
        "baseline_rule": "previous_average",
        "polarity": "higher",
        "trend_threshold": Decimal(1),
        "breakdown": "area",
        "headline_label": "% inside",
        "headline_order": 3,
        "lines": [
            _line("inside", "No. inside", "assessments_in_timescale", order=0),
            _line("outside", "No. outside", "assessments_out_of_timescale", order=1),
            _line("total", "Total", _ASSESSMENTS_TOTAL, order=2),
        ],
    },
    {
        "number": 4,
        "code": "children_seen_at_assessment",
        "title": "% Children seen at assessment (S17 and S47)",
        "short_title": "% children seen at assessment",
        "definition": "S17 and S47 assessments completed in the month in which the child was seen.",
        "unit": "percent",
        "numerator": "children_seen_at_assessment",
        "denominator": "assessments_completed",
        "multiplier": Decimal(100),
        "window": "month",
        "baseline_rule": "previous_average",
        "polarity": "higher",
        "trend_threshold": Decimal(1),
        "breakdown": "none",
        "headline_label": "% seen at assessment",
        "headline_order": 2,
        "lines": [
            _line("assessments_completed", "Assessments completed", "assessments_completed", order=0),
            _line("children_seen", "Children seen", "children_seen_at_assessment", order=1),
        ],
    },
    {
        "number": 5,
        "code": "child_protection_plans",
        "title": "Number of children with a child protection plan (snapshot at month end)",
        "short_title": "Children with a child protection plan",
        "definition": "Children subject to a child protection plan at month end; the rate is per "
        "10,000 children aged 0-17. A context measure without a target.",
        "unit": "count",
        "numerator": "cpp_children",
        "window": "snapshot",
        "baseline_rule": "year_end",
        "baseline_years_back": 0,
        "polarity": "neither",
        "trend_threshold": Decimal(20),
        "breakdown": "area",
        "headline_label": "No. of CPP",
        "headline_order": 0,
        "lines": [_line("rate", "Rate per 10K", "cpp_children", order=1, **RATE)],
    },
    {
        "number": 6,
        "code": "cp_visits",
        "title": "% of child protection visits in the month",
        "short_title": "% child protection visits in the month",
        "definition": "Children on a child protection plan due a visit in the month who were visited "
        "at least once in the month.",
        "unit": "percent",
        "numerator": "cpp_visits_made",
        "denominator": "cpp_visits_due",
        "multiplier": Decimal(100),
        "window": "month",
        "baseline_rule": "previous_average",
        "polarity": "higher",
        "trend_threshold": Decimal(1),
        "breakdown": "none",
        "headline_label": "% visited in month",
        "headline_order": 2,
        "lines": [
            _line("visited", "Number of CPP visited", "cpp_visits_made", order=0),
            _line("due", "Number of CPP to be visited", "cpp_visits_due", order=1),
        ],
    },
    {
        "number": 7,
        "code": "children_in_care",
        "title": "Number of children in care, UASC excluded (snapshot at month end)",
        "short_title": "Children in care (UASC excluded)",
        "definition": "Children in care at month end, unaccompanied asylum-seeking children (UASC) "
        "excluded. The city rate per 10,000 includes UASC; area rates cannot, as UASC "
        "are counted once for the whole council.",
        "unit": "count",
        "numerator": "cic_children",
        "window": "snapshot",
        "baseline_rule": "year_end",
        "baseline_years_back": 1,
        "polarity": "lower",
        "trend_threshold": Decimal(20),
        "breakdown": "area",
        "headline_label": "Total CiC (UASC excluded)",
        "headline_order": 0,
        "lines": [
            _line(
                "rate",
                "Rate per 10K (UASC included)",
                "cic_children + cic_uasc",
                area_numerator="cic_children",
                order=1,
                **RATE,
            ),
        ],
    },
    {
        "number": 8,
        "code": "care_leavers_ete",
        "title": "% of care leavers in employment, education or training (ETE)",
        "short_title": "% care leavers in ETE",
        "definition": "Care leavers aged 17 to 21 in employment, education or training.",
        "unit": "percent",
        "numerator": "care_leavers_ete",
        "denominator": "care_leavers",
        "multiplier": Decimal(100),
        "window": "snapshot",
        "baseline_rule": "previous_average",
        "polarity": "higher",
        "trend_threshold": Decimal(1),
        "breakdown": "none",
        "headline_label": "ETE %",
        "headline_order": 0,
        "lines": [],
    },
    {
        "number": 9,
        "code": "adoption_match_days",
        "title": "Adoption: average days from court authority to place a child to the decision on a "
        "match (rolling 12 months)",
        "short_title": "Days from placement order to match (rolling 12 months)",
        "definition": "For children matched in the last 12 months, the average number of days from the "
        "court's authority to place to the match with an adoptive family.",
        "unit": "days",
        "numerator": "adoption_match_days",
        "denominator": "adoption_match_children",
        "window": "rolling_12",
        "baseline_rule": "previous_average",
        "polarity": "lower",
        "trend_threshold": Decimal(5),
        "breakdown": "none",
        "headline_label": "Average no. of days taken",
        "headline_order": 0,
        "lines": [],
    },
    {
        "number": 10,
        "code": "adoption_placement_days",
        "title": "Adoption: average days from entering care to moving in with the adoptive family (3-year average)",
        "short_title": "Days from entering care to adoptive placement (3-year average)",
        "definition": "For children placed for adoption in the last 36 months, the average number of "
        "days from entering care to moving in with the adoptive family.",
        "unit": "days",
        "numerator": "adoption_placement_days",
        "denominator": "adoption_placement_children",
        "window": "rolling_36",
        "baseline_rule": "previous_average",
        "polarity": "lower",
        "trend_threshold": Decimal(5),
        "breakdown": "none",
        "headline_label": "Average no. of days taken",
        "headline_order": 0,
        "lines": [],
    },
    {
        "number": 11,
        "code": "cin_supported_at_home",
        "title": "% of children in need / family support cases supported to live with their own family",
        "short_title": "% CiN / family support supported to live at home",
        "definition": "Families supported by family support and targeted early help, and children with "
        "a social worker who are not in care, as a percentage of all such cases.",
        "unit": "percent",
        "numerator": "cin_supported_at_home",
        "denominator": "cin_supported_total",
        "multiplier": Decimal(100),
        "window": "snapshot",
        "baseline_rule": "previous_average",
        "polarity": "higher",
        "trend_threshold": Decimal(1),
        "breakdown": "none",
        "headline_label": "% supported to live with family",
        "headline_order": 0,
        "lines": [],
    },
    {
        "number": 12,
        "code": "supervision",
        "title": "% of social workers who have had supervision (in month)",
        "short_title": "% social workers supervised in month",
        "definition": "Social work staff supervised in the month as a percentage of staff in post; 83% a "
        "month means everyone supervised at least 10 times a year.",
        "unit": "percent",
        "numerator": "supervisions",
        "denominator": "social_work_staff",
        "multiplier": Decimal(100),
        "window": "month",
        "baseline_rule": "previous_average",
        "polarity": "higher",
        "trend_threshold": Decimal(1),
        "breakdown": "area",
        "headline_label": "% supervised",
        "headline_order": 2,
        "lines": [
            _line("supervisions", "Supervisions", "supervisions", order=0),
            _line("staff", "Total staff", "social_work_staff", order=1),
        ],
    },
    {
        "number": 13,
        "code": "average_caseload",
        "title": "Average caseload of qualified social workers",
        "short_title": "Average caseload of qualified social workers",
        "definition": "Cases held by qualified social workers divided by the qualified social workers "
        "holding cases, by team type and area.",
        "unit": "ratio",
        "numerator": "caseload_cases",
        "denominator": "qualified_social_workers",
        "window": "snapshot",
        "baseline_rule": "previous_average",
        "polarity": "lower",
        "trend_threshold": Decimal("0.5"),
        "breakdown": "team_type_area",
        "headline_label": "Average caseload - city",
        "headline_order": 3,
        "lines": [
            _line(
                "assessment",
                "Assessment teams",
                "caseload_cases",
                "qualified_social_workers",
                unit="ratio",
                team_type="assessment",
                order=0,
            ),
            _line(
                "safeguarding",
                "Safeguarding teams",
                "caseload_cases",
                "qualified_social_workers",
                unit="ratio",
                team_type="safeguarding",
                order=1,
            ),
            _line(
                "children_in_care",
                "Children in care teams",
                "caseload_cases",
                "qualified_social_workers",
                unit="ratio",
                team_type="children_in_care",
                order=2,
            ),
        ],
    },
    {
        "number": 14,
        "code": "agency_social_workers",
        "title": "% of agency social workers (including team managers)",
        "short_title": "% agency social workers",
        "definition": "Agency social workers and team managers in established posts as a percentage of those posts.",
        "unit": "percent",
        "numerator": "agency_social_workers + agency_team_managers",
        "denominator": "social_worker_posts + team_manager_posts",
        "multiplier": Decimal(100),
        "window": "snapshot",
        "baseline_rule": "previous_average",
        "polarity": "lower",
        "trend_threshold": Decimal(1),
        "breakdown": "none",
        "headline_label": "% agency SW qualified total",
        "headline_order": 2,
        "lines": [
            _line(
                "agency_sw",
                "% agency social workers",
                "agency_social_workers",
                "social_worker_posts",
                order=0,
                **PERCENT,
            ),
            _line(
                "agency_tm", "% agency team managers", "agency_team_managers", "team_manager_posts", order=1, **PERCENT
            ),
        ],
    },
]


def install(apps) -> None:
    """Create or update the standard catalogue; safe to run again."""
    Measure = apps.get_model("indicators", "Measure")
    TeamType = apps.get_model("teams", "TeamType")
    Indicator = apps.get_model("indicators", "Indicator")
    IndicatorLine = apps.get_model("indicators", "IndicatorLine")

    for order, (code, name, kind, level, description) in enumerate(MEASURES, start=1):
        Measure.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "level": level, "description": description, "order": order},
        )
    team_types = {}
    for code, name in TEAM_TYPES:
        team_types[code], _ = TeamType.objects.get_or_create(code=code, defaults={"name": name})
    for spec in INDICATORS:
        fields = {key: value for key, value in spec.items() if key not in ("code", "lines")}
        if spec["code"] in ANNEX_A_DEFINITIONS:
            fields["definition"] = f"{fields['definition']} {ANNEX_A_DEFINITIONS[spec['code']]}"
        indicator, _ = Indicator.objects.update_or_create(code=spec["code"], defaults=fields)
        for line in spec["lines"]:
            line_fields = {key: value for key, value in line.items() if key != "code"}
            if "team_type" in line_fields:
                line_fields["team_type"] = team_types[line_fields["team_type"]]
            IndicatorLine.objects.update_or_create(indicator=indicator, code=line["code"], defaults=line_fields)


# How each figure is derived when the month's Annex A is imported (README, "Annex A"); added to the
# indicator's definition. M is the month, E its last day.
ANNEX_A_DEFINITIONS = {
    "unallocated_cases": "From Annex A (List 6): children in need episodes open at the month's end (started on "
    "or before its last day, not closed by it) per allocated team; unallocated when no "
    "worker is allocated and the episode started 7 or more days before the month's end.",
    "re_referrals": "From Annex A (List 3): referrals dated in the month; a re-referral when the number of "
    "referrals in the last 12 months is 2 or more (the count includes the referral itself).",
    "assessments_in_timescale": "From Annex A (List 4): assessments authorised in the month, by allocated team; "
    "in timescale when authorised within 45 working days after the start (weekends, "
    "bank holidays and the council's closure days not counted).",
    "children_seen_at_assessment": "From Annex A (List 4): assessments authorised in the month, and those where "
    "the child was seen (Yes; No or Unknown is not seen).",
    "child_protection_plans": "From Annex A (List 7): plans started on or before the month's last day and not "
    "ended by it, by allocated team.",
    "cp_visits": "From Annex A (List 7): children on a plan at the month's end whose plan started before the "
    "month are due a visit; visited when the last statutory visit is in the month (import the "
    "extract taken at the month's end).",
    "children_in_care": "From Annex A (List 8): children looked after at the month's end (started on or before "
    "its last day, not ceased by it); UASC No by allocated team, UASC Yes counted as UASC.",
    "care_leavers_ete": "From Annex A (List 9): care leavers aged 17 to 21 on the month's last day; in education, "
    "employment or training when the activity is F1, P1, F2, P2, F3 or P3.",
    "adoption_match_days": "From Annex A (List 10): children matched in the month, and the days from placement "
    "order to match.",
    "adoption_placement_days": "From Annex A (List 10): children placed for adoption in the month, and the days "
    "from entering care to the placement.",
    "cin_supported_at_home": "From Annex A (List 6): episodes open at the month's end, and of those the ones "
    "whose case status is not looked after.",
}
