"""Load the demo council into the database: reference data, users, four years of approved returns.

Re-runnable: every step updates what exists and creates what is missing, and a
value that is already right writes no audit row, so a second run changes
nothing but the demo users' password.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction

from indicators.models import ChangePoint, Commentary, Comparator, Indicator, Measure, Target
from lib.months import Month
from returns import services
from returns.models import Source
from scorecard import roles, snapshots
from scorecard.demo import counts, reference
from teams.models import Area, Council, Membership, Population, Team, TeamType

# (username, role, is_staff, areas whose teams they enter for)
DEMO_USERS = (
    ("admin", roles.ADMINISTRATOR, True, ()),
    ("performance", roles.PERFORMANCE, True, ()),
    # A second member of the performance team: nobody approves a return they entered (four eyes).
    ("performance2", roles.PERFORMANCE, True, ()),
    ("leader", roles.LEADERS, False, ()),
    ("entry.east", roles.DATA_ENTRY, False, ("EAST",)),
    ("entry.south", roles.DATA_ENTRY, False, ("SOUTH",)),
)
DEMO_NOTE = "Loaded by the demo"


def _month_date(text: str) -> dt.date:
    return Month.parse(text).first_day


@transaction.atomic
def load_demo(*, password: str) -> dict[str, int]:
    """Load everything and return how many values were written."""
    load_reference()
    load_team_type_measures()
    actor = load_users(password=password)
    written = load_returns(actor=actor)
    load_commentary(actor=actor)
    load_change_points(actor=actor)
    publish_all(actor=actor)
    return {"values_written": written}


def load_reference() -> None:
    """Create or update the council, areas, teams, populations, targets and comparators."""
    Council.objects.update_or_create(code=reference.COUNCIL[0], defaults={"name": reference.COUNCIL[1]})
    for order, (code, name, kind) in enumerate(reference.AREAS, start=1):
        Area.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "order": order})
    areas = {a.code: a for a in Area.objects.all()}
    types = {t.code: t for t in TeamType.objects.all()}
    for code, name, area, team_type in reference.TEAMS:
        Team.objects.update_or_create(
            code=code, defaults={"name": name, "area": areas[area], "team_type": types[team_type], "active": True}
        )
    for area, year, population in reference.POPULATIONS:
        Population.objects.update_or_create(area=areas[area], year=year, defaults={"population_0_17": population})
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, effective_from, value, tolerance in reference.TARGETS:
        Target.objects.update_or_create(
            indicator=indicators[code],
            effective_from=_month_date(effective_from),
            defaults={"value": Decimal(value), "tolerance": Decimal(tolerance)},
        )
    for code, kind, period, value, source, line in reference.COMPARATORS:
        Comparator.objects.update_or_create(
            indicator=indicators[code],
            kind=kind,
            period=period,
            line=line or "",
            defaults={"value": Decimal(value), "source": source},
        )


# The measures some team types are not asked for (the demo's counts for them are 0); every other team-level
# measure is returned by every team type. The performance team edits this on each measure in the admin.
DEMO_NOT_RETURNED = {
    "children_in_care": (
        "assessments_in_timescale",
        "assessments_out_of_timescale",
        "cpp_children",
        "cpp_visits_due",
        "cpp_visits_made",
    ),
    "uasc": ("cpp_children", "cpp_visits_due", "cpp_visits_made", "cic_children"),
    "assessment": ("cic_children",),
}


def load_team_type_measures() -> None:
    """Set which team types return each team-level measure (DEMO_NOT_RETURNED)."""
    types = list(TeamType.objects.all())
    for measure in Measure.objects.filter(level=Measure.Level.TEAM):
        excluded = {code for code, measures in DEMO_NOT_RETURNED.items() if measure.code in measures}
        measure.team_types.set([t for t in types if t.code not in excluded] if excluded else [])


def load_users(*, password: str) -> User:
    """Create or update the demo users with the password; return the performance user."""
    teams_by_area: dict[str, list[Team]] = {}
    for team in Team.objects.select_related("area"):
        teams_by_area.setdefault(team.area.code, []).append(team)
    for username, role, is_staff, areas in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff, user.is_active = is_staff, True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        for area in areas:
            for team in teams_by_area.get(area, []):
                Membership.objects.get_or_create(user=user, team=team)
    return User.objects.get(username="performance")


def load_returns(*, actor: User) -> int:
    """Write every demo count as approved returns, through the returns' services; return how many values changed."""
    teams = {t.code: t for t in Team.objects.all()}
    council = reference.COUNCIL[0]
    values = {
        (None if unit == council else teams[unit], Month.parse(month), measure): value
        for (unit, month, measure), value in counts.monthly_counts().items()
    }
    return services.returns_load_approved(values=values, actor=actor, source=Source.SYSTEM, reason=DEMO_NOTE)


def load_commentary(*, actor: User) -> None:
    """Write the performance team's December 2017 commentary."""
    month = _month_date(reference.COMMENTARY_MONTH)
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, text in reference.COMMENTARY.items():
        current = Commentary.objects.filter(indicator=indicators[code], month=month).first()
        if current is None or current.text != text:
            Commentary.objects.update_or_create(
                indicator=indicators[code], month=month, defaults={"text": text, "updated_by": actor}
            )


# The change points an analyst would have recorded, where the demo's drifts (scorecard/demo/counts.py) change
# pace: each is the first month of a new process, and each leaves a current segment that reads cleanly.
DEMO_CHANGE_POINTS = (
    ("unallocated_cases", "2015-12", "Daily allocation meeting in every locality from December 2015"),
    ("assessments_in_timescale", "2016-01", "Assessment timescales tracked weekly by team managers from January 2016"),
    # The seed's commentary: seeing the child became a focus "a year ago", and it has held since.
    ("children_seen_at_assessment", "2016-11", "Seeing the child made a focus of every assessment"),
    ("child_protection_plans", "2016-03", "Plans reviewed at every conference under the new threshold guidance"),
    ("cp_visits", "2016-01", "Visit recording moved onto the case system in January 2016"),
    ("children_in_care", "2016-03", "Edge-of-care service fully staffed from March 2016"),
    ("care_leavers_ete", "2017-04", "The DfE's wider definition of education, employment or training from April 2017"),
    ("adoption_match_days", "2016-06", "Regional adoption agency family finding from June 2016"),
    ("cin_supported_at_home", "2016-06", "Family support teams re-formed around localities in June 2016"),
    ("supervision", "2016-01", "Supervision policy relaunched with monthly audits in January 2016"),
    ("average_caseload", "2016-06", "Caseload weighting tool used in allocation from June 2016"),
    ("agency_social_workers", "2016-09", "Recruitment and retention offer for permanent staff from September 2016"),
)


def load_change_points(*, actor: User) -> None:
    """Record the demo's SPC change points."""
    for code, month, reason in DEMO_CHANGE_POINTS:
        ChangePoint.objects.update_or_create(
            indicator=Indicator.objects.get(code=code),
            month=_month_date(month),
            defaults={"reason": reason, "created_by": actor},
        )


def publish_all(*, actor: User) -> None:
    """Publish every month the demo holds, each frozen as its snapshot."""
    snapshots.freeze_months([Month.parse(month) for month in counts.MONTHS], actor=actor)
