"""Reads for returns: units, measures, values, history and completeness, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from indicators.models import Measure
from lib.months import Month
from returns import dates
from returns.models import Return, ReturnValue, Source, StateChange, ValueChange
from returns.team_measures import measures_for_team_type
from teams.models import Area, Council, Team

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

NOT_STARTED = "not_started"
HISTORY_MONTHS = 12


@dataclass(frozen=True)
class Unit:
    """Who returns: a team, or the council itself (team None) for authority-level measures.

    The form, the checks and imports all name units this way; an import's
    lookups hold thousands, read per cell, so the derived fields are cached.
    """

    code: str
    name: str
    team: Team | None = None

    @property
    def is_council(self) -> bool:
        return self.team is None

    @cached_property
    def level(self) -> str:
        return Measure.Level.AUTHORITY if self.team is None else Measure.Level.TEAM

    @cached_property
    def team_id(self) -> int | None:
        return self.team.pk if self.team is not None else None

    @cached_property
    def active(self) -> bool:
        """Return False for a team that makes no new returns; the council always makes them."""
        return self.team is None or self.team.active

    @property
    def area(self) -> Area | None:
        return self.team.area if self.team is not None else None


def council() -> Council | None:
    """Return the council (there is one), or None before it is set up."""
    return Council.objects.order_by("pk").first()


def council_unit(found: Council | None = None) -> Unit | None:
    """Return the council as a unit, or None before it is set up."""
    found = found or council()
    return Unit(found.code, found.name, None) if found else None


def unit_by_code(code: str) -> Unit | None:
    """Return the team with this code, or the council when it is the council's code, or None."""
    team = Team.objects.select_related("area", "team_type").filter(code=code).first()
    if team is not None:
        return Unit(team.code, team.name, team)
    found = Council.objects.filter(code=code).first()
    return council_unit(found) if found else None


def measures_for(unit: Unit) -> list[Measure]:
    """Return the measures the unit returns, in data dictionary order: a team its team type's (team_measures)."""
    if unit.team is None:
        return list(Measure.objects.filter(level=unit.level).order_by("order", "code"))
    return list(measures_for_team_type(unit.team.team_type_id))


def _unit_filter(team: Team | None, prefix: str = "") -> dict:
    return {f"{prefix}team__isnull": True} if team is None else {f"{prefix}team": team}


def return_for(unit: Unit, month: Month) -> Return | None:
    """Return the unit's return for the month, or None if nobody has started it."""
    return (
        Return.objects.select_related("team", "updated_by")
        .filter(month=month.first_day, **_unit_filter(unit.team))
        .first()
    )


def stored_values(ret: Return | None) -> dict[str, ReturnValue]:
    """Return the return's stored rows by measure code (a blank value has no row)."""
    if ret is None or ret.pk is None:
        return {}
    return {row.measure.code: row for row in ReturnValue.objects.filter(ret=ret).select_related("measure")}


def unit_history(unit: Unit, month: Month, months: int = HISTORY_MONTHS) -> dict[str, list[int | None]]:
    """Return each measure's values in the unit's `months` months before `month`, oldest first (one query)."""
    window = month.previous(months)
    rows = ReturnValue.objects.filter(
        ret__month__gte=window[0].first_day, ret__month__lt=month.first_day, **_unit_filter(unit.team, "ret__")
    ).values_list("measure__code", "ret__month", "value")
    position = {m.first_day: index for index, m in enumerate(window)}
    history: dict[str, list[int | None]] = defaultdict(lambda: [None] * months)
    for code, day, value in rows:
        history[code][position[day]] = value
    return dict(history)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a return's history: a value or a state changing."""

    at: dt.datetime
    actor: str
    what: str
    detail: str
    source: str


def return_history(ret: Return | None) -> list[HistoryEntry]:
    """Return the return's value and state changes, newest first (two queries)."""
    if ret is None or ret.pk is None:
        return []
    entries = []
    for change in ValueChange.objects.filter(ret=ret).select_related("measure", "actor", "import_record__actor"):
        new = shown_value(change.new_value, change.unavailable_reason)
        detail = f"{shown_value(change.old_value)} → {new}"
        if change.reason:
            detail += f" ({change.reason})"
        source = change.get_source_display()
        file_name, _ = change.file
        if file_name:
            source += f": {file_name}"
        entries.append(HistoryEntry(change.at, actor_name(change.who), change.measure.code, detail, source))
    for change in StateChange.objects.filter(ret=ret).select_related("actor"):
        detail = f"{change.get_from_state_display()} → {change.get_to_state_display()}"
        if change.reason:
            detail += f": {change.reason}"
        entries.append(HistoryEntry(change.at, actor_name(change.actor), "State", detail, ""))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def annex_a_codes(history: list[HistoryEntry]) -> set[str]:
    """Return the measures whose latest change in the history (newest first) came from an Annex A import."""
    latest: dict[str, str] = {}
    for entry in history:
        latest.setdefault(entry.what, entry.source)
    return {code for code, source in latest.items() if source.startswith(Source.ANNEX_A.label)}


def shown_value(value: int | None, unavailable_reason: str = "") -> str:
    """Return a stored value as people read it: the number, "blank" or "not available: why"."""
    if value is not None:
        return f"{value:,}"
    return f"not available: {unavailable_reason}" if unavailable_reason else "blank"


def actor_name(user: AbstractBaseUser | None) -> str:
    """Return who did something: their username, or "system" for scripts."""
    return user.get_username() if user is not None else "system"


@dataclass(frozen=True)
class CompletenessRow:
    """One expected return of a month as the completeness page shows it."""

    unit: Unit
    area_code: str
    area_name: str
    state: str
    state_label: str
    updated_by: str
    updated_at: dt.datetime | None
    due: dt.date
    overdue: bool
    ret: Return | None = field(default=None, compare=False)


STATE_LABELS = {NOT_STARTED: "Not started", **dict(Return.State.choices)}


def expected_units(*, team_ids: Iterable[int] | None = None) -> list[Unit]:
    """Return the units expected to return each month: every active team, then the council (two queries).

    With team_ids, only those teams and not the council (a data entry user's view).
    """
    teams = Team.objects.filter(active=True).select_related("area").order_by("area__order", "area__code", "code")
    if team_ids is not None:
        teams = teams.filter(pk__in=list(team_ids))
    units = [Unit(team.code, team.name, team) for team in teams]
    if team_ids is None and (found := council_unit()) is not None:
        units.append(found)
    return units


def is_overdue(state: str, month: Month, today: dt.date, due: dt.date | None = None) -> bool:
    """Return True if a return in this state is late: not yet submitted after its due date (not on it)."""
    return state in (NOT_STARTED, Return.State.DRAFT) and today > (due or dates.due_date(month))


def month_completeness(
    month: Month, *, today: dt.date, team_ids: Iterable[int] | None = None, due: dt.date | None = None
) -> list[CompletenessRow]:
    """Return a row for every expected return of the month (three queries, four without `due`)."""
    units = expected_units(team_ids=team_ids)
    returns = Return.objects.filter(month=month.first_day).select_related("updated_by")
    by_team = {ret.team_id: ret for ret in returns}
    due = due or dates.due_date(month)
    rows = []
    for unit in units:
        ret = by_team.get(unit.team.pk if unit.team else None)
        state = ret.state if ret else NOT_STARTED
        area = unit.area
        rows.append(
            CompletenessRow(
                unit=unit,
                area_code=area.code if area else "",
                area_name=area.name if area else "Council",
                state=state,
                state_label=STATE_LABELS[state],
                updated_by=actor_name(ret.updated_by) if ret and ret.updated_by_id else "",
                updated_at=ret.updated_at if ret else None,
                due=due,
                overdue=is_overdue(state, month, today, due),
                ret=ret,
            )
        )
    return rows


def month_returns(month: Month) -> list[Return]:
    """Return the month's stored returns with their teams."""
    return list(Return.objects.filter(month=month.first_day).select_related("team"))
