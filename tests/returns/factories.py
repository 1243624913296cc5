"""Small builders for returns tests: a council, areas, teams and returns in a named state.

Returns are built directly (not through the services) so that a test sets up
exactly the state it needs and then exercises one service or view.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from indicators.models import Measure
from lib.months import Month
from returns.models import Return, ReturnValue
from teams.models import Area, Council, Membership, Team, TeamType

DEC_2017 = Month(2017, 12)

# A consistent set of a team's month: every rule passes.
TEAM_VALUES = {
    "open_cases": 400,
    "unallocated_cases": 2,
    "assessments_in_timescale": 60,
    "assessments_out_of_timescale": 8,
    "cpp_children": 90,
    "cpp_visits_due": 85,
    "cpp_visits_made": 80,
    "cic_children": 120,
    "supervisions": 20,
    "social_work_staff": 24,
    "caseload_cases": 300,
    "qualified_social_workers": 18,
}

# A consistent set of the council's authority-level month.
COUNCIL_VALUES = {
    "referrals": 1200,
    "re_referrals": 260,
    "assessments_completed": 1000,
    "children_seen_at_assessment": 950,
    "cic_uasc": 40,
    "care_leavers": 300,
    "care_leavers_ete": 180,
    "adoption_match_days": 900,
    "adoption_match_children": 6,
    "adoption_placement_days": 2400,
    "adoption_placement_children": 5,
    "cin_supported_at_home": 2500,
    "cin_supported_total": 3000,
    "agency_social_workers": 30,
    "social_worker_posts": 250,
    "agency_team_managers": 3,
    "team_manager_posts": 30,
}


def make_council(code: str = "CITY") -> Council:
    return Council.objects.get_or_create(code=code, defaults={"name": "Demo City Council"})[0]


def make_area(code: str = "EAST", *, kind: str = Area.Kind.LOCALITY, order: int = 0) -> Area:
    return Area.objects.get_or_create(code=code, defaults={"name": code.title(), "kind": kind, "order": order})[0]


def make_team(
    code: str = "EAST-SG",
    *,
    area: str | Area = "EAST",
    team_type: str = "safeguarding",
    active: bool = True,
    members=(),
) -> Team:
    if isinstance(area, str):
        area = make_area(area)
    team = Team.objects.create(
        code=code, name=f"Team {code}", area=area, team_type=TeamType.objects.get(code=team_type), active=active
    )
    for user in members:
        Membership.objects.create(user=user, team=team)
    return team


def _make_return(
    state: str, *, team: Team | None, month: Month, values: dict | None, unavailable: dict | None, version: int
) -> Return:
    ret = Return.objects.create(team=team, month=month.first_day, state=state, version=version)
    measures = {m.code: m for m in Measure.objects.all()}
    rows = [
        ReturnValue(ret=ret, measure=measures[code], value=value)
        for code, value in (values or {}).items()
        if value is not None
    ]
    rows += [
        ReturnValue(ret=ret, measure=measures[code], value=None, unavailable_reason=reason)
        for code, reason in (unavailable or {}).items()
    ]
    ReturnValue.objects.bulk_create(rows)
    return ret


def default_values(team: Team | None) -> dict:
    return dict(TEAM_VALUES if team is not None else COUNCIL_VALUES)


def draft_return(
    team: Team | None = None,
    month: Month = DEC_2017,
    *,
    values: dict | None = None,
    unavailable: dict | None = None,
    version: int = 1,
) -> Return:
    """A draft; values empty unless given."""
    return _make_return(
        Return.State.DRAFT, team=team, month=month, values=values, unavailable=unavailable, version=version
    )


def submitted_return(
    team: Team | None = None,
    month: Month = DEC_2017,
    *,
    values: dict | None = None,
    unavailable: dict | None = None,
    version: int = 2,
) -> Return:
    """A submitted return, with a full consistent set of values unless given."""
    return _make_return(
        Return.State.SUBMITTED,
        team=team,
        month=month,
        values=default_values(team) if values is None else values,
        unavailable=unavailable,
        version=version,
    )


def approved_return(
    team: Team | None = None,
    month: Month = DEC_2017,
    *,
    values: dict | None = None,
    unavailable: dict | None = None,
    version: int = 3,
) -> Return:
    """An approved (locked) return, with a full consistent set of values unless given."""
    return _make_return(
        Return.State.APPROVED,
        team=team,
        month=month,
        values=default_values(team) if values is None else values,
        unavailable=unavailable,
        version=version,
    )


def history(team: Team | None, month: Month, months: int = 12, *, values: dict | None = None) -> list[Return]:
    """Approved returns with the same values for the `months` months before `month`."""
    return [approved_return(team, m, values=values) for m in month.previous(months)]


def aware(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))
