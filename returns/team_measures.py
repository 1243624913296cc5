"""Which measures each team returns: its team type's, as the performance team sets them on the measures.

A team-level measure with no team types chosen is returned by every team type;
with some chosen, only by teams of those types. Authority-level measures are
the council's. The form, the submission checks, the templates and the import
all ask here, so they agree.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from indicators.models import Measure
from teams.models import Team


def measures_for_team_type(team_type_id: int) -> QuerySet[Measure]:
    """Return the team-level measures a team of this type returns, in data dictionary order."""
    return (
        Measure.objects.filter(level=Measure.Level.TEAM)
        .filter(Q(team_types__isnull=True) | Q(team_types=team_type_id))
        .distinct()
        .order_by("order", "code")
    )


def team_measure_codes() -> dict[int, tuple[str, frozenset[str]]]:
    """Return, for every team, its type's name and the codes of the team-level measures it returns (three queries)."""
    team_level = Measure.objects.filter(level=Measure.Level.TEAM)
    chosen: dict[int, set[str]] = {}
    restricted = set()
    for code, team_type_id in Measure.team_types.through.objects.filter(measure__in=team_level).values_list(
        "measure__code", "teamtype_id"
    ):
        chosen.setdefault(team_type_id, set()).add(code)
        restricted.add(code)
    everyone = set(team_level.values_list("code", flat=True)) - restricted
    return {
        team_id: (type_name, frozenset(everyone | chosen.get(team_type_id, set())))
        for team_id, team_type_id, type_name in Team.objects.values_list("pk", "team_type_id", "team_type__name")
    }


def measure_refusal(team_id: int | None, measure_code: str, memo: dict) -> str | None:
    """Return why a team does not return this team-level measure, or None when it does (or for the council).

    `memo` (an empty dict the caller keeps for a whole file) holds every team's measures after the first call.
    """
    if team_id is None:
        return None
    if not memo:
        memo.update(team_measure_codes())
    type_name, codes = memo.get(team_id, ("", frozenset()))
    if measure_code in codes:
        return None
    return (
        f"teams of type “{type_name or 'unknown'}” do not return {measure_code}; leave it out, "
        "or ask the performance team to add the team type to the measure"
    )
