"""The standard validation rules every install starts with (the performance team adds more in the admin).

Each "of those" count cannot exceed the count it is part of. Installed by a
data migration and re-installable (tests that flush the database, the demo);
running it again leaves rules the performance team changed alone.
"""

from __future__ import annotations

# (code, left, operator, right, severity, message)
RULES = [
    (
        "re_referrals_le_referrals",
        "re_referrals",
        "<=",
        "referrals",
        "error",
        "Re-referrals cannot be more than referrals.",
    ),
    (
        "cpp_visits_made_le_due",
        "cpp_visits_made",
        "<=",
        "cpp_visits_due",
        "error",
        "Child protection visits made cannot be more than visits due.",
    ),
    (
        "children_seen_le_assessments",
        "children_seen_at_assessment",
        "<=",
        "assessments_completed",
        "error",
        "Children seen at assessment cannot be more than assessments completed.",
    ),
    (
        "supervisions_le_staff",
        "supervisions",
        "<=",
        "social_work_staff",
        "error",
        "Staff supervised cannot be more than social work staff in post.",
    ),
    (
        "unallocated_le_open_cases",
        "unallocated_cases",
        "<=",
        "open_cases",
        "error",
        "Unallocated cases cannot be more than open cases.",
    ),
    (
        "care_leavers_ete_le_care_leavers",
        "care_leavers_ete",
        "<=",
        "care_leavers",
        "error",
        "Care leavers in ETE cannot be more than care leavers.",
    ),
    (
        "cin_at_home_le_total",
        "cin_supported_at_home",
        "<=",
        "cin_supported_total",
        "error",
        "CiN / family support cases supported at home cannot be more than all such cases.",
    ),
    (
        "agency_sw_le_posts",
        "agency_social_workers",
        "<=",
        "social_worker_posts",
        "error",
        "Agency social workers cannot be more than social worker posts.",
    ),
    (
        "agency_tm_le_posts",
        "agency_team_managers",
        "<=",
        "team_manager_posts",
        "error",
        "Agency team managers cannot be more than team manager posts.",
    ),
]


def install(apps) -> None:
    """Create the standard rules that are missing; safe to run again."""
    ValidationRule = apps.get_model("returns", "ValidationRule")
    for code, left, operator, right, severity, message in RULES:
        ValidationRule.objects.get_or_create(
            code=code,
            defaults={
                "left": left,
                "operator": operator,
                "right": right,
                "severity": severity,
                "message": message,
                "active": True,
            },
        )
