"""Importing an Annex A workbook: its counts, teams mapped by name, into the month's draft returns.

The workbook is read into counts (`reader.derive`), the team names in it are
resolved (a saved mapping, or a team whose code or name is the same ignoring
case and spaces), and each unit's values go through the one writer
(`services.return_save_values`) with source "Annex A" and the file's name and
SHA-256. Approved returns are never changed: they are listed with what the
file would have changed. Problems that would make a figure wrong refuse the
whole file; names nobody has mapped stop the import until they are mapped or
counted at authority level only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from indicators.models import Measure
from lib.months import Month
from returns import dates, services, validation
from returns.annex_a.measures import TEAM_MEASURES
from returns.annex_a.reader import Derivation, derive
from returns.models import ImportRecord, Return, ReturnValue, Source
from returns.spreadsheets import ImportRefused, Problem
from returns.team_measures import team_measure_codes
from teams.models import Council, Team, TeamNameMapping, team_name_key


@dataclass(frozen=True)
class TeamName:
    """A name the workbook uses for a team, how many rows carry it, and what it stands for here."""

    name: str
    rows: int
    team: Team | None = None
    authority_only: bool = False
    how: str = ""  # "mapping", "same name" or "" (unmapped)

    @property
    def is_mapped(self) -> bool:
        return self.team is not None or self.authority_only


@dataclass
class UnitPlan:
    """What the file does to one unit's return: its changes, or why it is left alone."""

    code: str
    team: Team | None
    state: str
    changes: list[tuple[str, int | None, int]] = field(default_factory=list)  # measure, old, new
    unchanged: int = 0

    @property
    def locked(self) -> bool:
        return self.state == Return.State.APPROVED


@dataclass
class AnnexAImport:
    """The result (or, dry run, the plan) of importing a workbook for a month."""

    derivation: Derivation
    team_names: list[TeamName]
    units: list[UnitPlan]
    dry_run: bool
    warnings: list[str] = field(default_factory=list)
    not_counted: list[str] = field(default_factory=list)  # rows on a team for a measure its type does not return

    @property
    def unmapped(self) -> list[TeamName]:
        return [name for name in self.team_names if not name.is_mapped]

    @property
    def changed(self) -> int:
        return sum(len(u.changes) for u in self.units if not u.locked)

    @property
    def locked_units(self) -> list[UnitPlan]:
        return [u for u in self.units if u.locked and u.changes]

    @property
    def sha256(self) -> str:
        return self.derivation.sha256

    @property
    def fingerprint(self) -> str:
        """Return a digest of what the import would do, so a confirm can refuse if anything moved since."""
        plan = [(u.code, u.state, u.changes) for u in self.units]
        names = [(n.name, n.team.code if n.team else "", n.authority_only) for n in self.team_names]
        text = json.dumps([self.sha256, str(self.derivation.month), plan, names, self.not_counted], default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def annex_a_import(
    *,
    data: bytes,
    file_name: str,
    month: Month,
    actor,
    dry_run: bool = False,
    unmapped_to_authority: bool = False,
    expected_fingerprint: str | None = None,
) -> AnnexAImport:
    """Derive the month's measures from the workbook and write them to the month's returns (not when dry_run).

    Raises ImportRefused listing every problem that would make a figure wrong,
    and (not a dry run) when team names are unmapped, unless `unmapped_to_authority`.
    """
    _require_council()
    derivation = derive(data, file_name, month, dates.working_calendar())
    return annex_a_apply(
        derivation=derivation,
        actor=actor,
        dry_run=dry_run,
        unmapped_to_authority=unmapped_to_authority,
        expected_fingerprint=expected_fingerprint,
    )


def annex_a_apply(
    *,
    derivation: Derivation,
    actor,
    dry_run: bool = False,
    unmapped_to_authority: bool = False,
    expected_fingerprint: str | None = None,
) -> AnnexAImport:
    """Write (or, dry run, plan) a workbook's derived counts into the month's returns.

    The web pages keep the counts between preview and confirm, never the workbook: it holds children's data.
    """
    council = _require_council()
    month = derivation.month
    current = Month.of(dates.today())
    if month > current:
        raise ImportRefused(f"{month.long_label} is in the future; Annex A can be imported up to {current} only.")
    if month < dates.EARLIEST_MONTH:
        raise ImportRefused(f"{month} is before {dates.EARLIEST_MONTH}, the earliest month returns are kept for.")
    if derivation.errors:
        raise ImportRefused([Problem(str(group)) for group in derivation.errors])
    if not derivation.measures:
        raise ImportRefused(
            f"{derivation.file_name} gives none of the measures: "
            + "; ".join(sorted(set(derivation.not_derived.values())))
            + "."
        )
    names = resolve_team_names(derivation, unmapped_to_authority=unmapped_to_authority)
    result = AnnexAImport(derivation, names, [], dry_run)
    if result.unmapped and not dry_run:
        raise ImportRefused(
            [
                Problem(
                    f"The team name “{n.name}” ({n.rows:,} rows) is not mapped to a team: map "
                    "it, or count it at authority level only."
                )
                for n in result.unmapped
            ]
        )
    with transaction.atomic():
        result.units, result.not_counted = _plan(derivation, names, council, month)
        _check_rules(result)
        if expected_fingerprint is not None and expected_fingerprint != result.fingerprint:
            raise ImportRefused(
                "The returns or team mappings changed since the preview; upload the file again "
                "to see what it would do now."
            )
        if not dry_run:
            _write(result, actor=actor, month=month)
    return result


def _require_council() -> Council:
    council = Council.objects.order_by("pk").first()
    if council is None:
        raise ImportRefused("Set up the council first (import_reference council): it has no return yet.")
    return council


def resolve_team_names(derivation: Derivation, *, unmapped_to_authority: bool = False) -> list[TeamName]:
    """Return every team name in the workbook's team-level lists with what it maps to (two queries)."""
    rows = dict(derivation.team_rows)
    for name in derivation.teams:
        rows.setdefault(name, 0)
    mappings = {m.key: m for m in TeamNameMapping.objects.select_related("team")}
    teams: dict[str, Team] = {}
    for team in Team.objects.all():
        teams.setdefault(team_name_key(team.code), team)
        teams.setdefault(team_name_key(team.name), team)
    resolved = []
    for name in sorted(rows, key=str.casefold):
        key = team_name_key(name)
        mapping = mappings.get(key)
        if mapping is not None:
            resolved.append(TeamName(name, rows[name], mapping.team, mapping.team_id is None, "mapping"))
        elif key in teams:
            resolved.append(TeamName(name, rows[name], teams[key], False, "same name"))
        else:
            resolved.append(TeamName(name, rows[name], None, unmapped_to_authority, ""))
    return resolved


@transaction.atomic
def team_names_map(*, choices: dict[str, Team | None]) -> None:
    """Save what each name stands for from now on: a team, or None for authority level only."""
    for name, team in choices.items():
        mapping = TeamNameMapping(name=name, team=team)
        mapping.clean()
        TeamNameMapping.objects.update_or_create(key=mapping.key, defaults={"name": mapping.name, "team": team})


def unit_values(
    derivation: Derivation,
    names: list[TeamName],
    returned: dict[int, tuple[str, frozenset[str]]] | None = None,
) -> tuple[dict[Team | None, dict[str, int]], list[str]]:
    """Return the values per unit, and what was not counted.

    Every active team gets the team-level measures its team type returns (`team_measures`, as the form and
    the write do), 0 when the file has no rows for it; the council (key None) its authority-level ones.
    Rows on a team for a measure its type does not return are not counted anywhere (a team-level measure has
    no place on the council's return): each is listed as "not counted: <team> does not return <measure>".
    """
    team_measures = [m for m in derivation.measures if m in TEAM_MEASURES]
    returned = team_measure_codes() if returned is None else returned
    by_team: dict[int, dict[str, int]] = {}
    active = list(Team.objects.filter(active=True).order_by("area__order", "code"))
    for team in active:
        codes = returned.get(team.pk, ("", frozenset()))[1]
        by_team[team.pk] = {m: 0 for m in team_measures if m in codes}
    inactive_problems = []
    dropped: dict[tuple[str, str], int] = {}
    for name in names:
        counts = derivation.teams.get(name.name, {})
        if name.team is None or not counts:
            continue
        if name.team.pk not in by_team:
            inactive_problems.append(
                Problem(
                    f"The team name “{name.name}” maps to {name.team.code}, which is not "
                    "an active team: map it to another team or to authority level."
                )
            )
            continue
        for measure in team_measures:
            count = counts.get(measure, 0)
            if measure in by_team[name.team.pk]:
                by_team[name.team.pk][measure] += count
            elif count:
                key = (name.team.code, measure)
                dropped[key] = dropped.get(key, 0) + count
    if inactive_problems:
        raise ImportRefused(inactive_problems)
    values: dict[Team | None, dict[str, int]] = {team: by_team[team.pk] for team in active if by_team[team.pk]}
    values[None] = dict(derivation.authority)
    not_counted = [
        f"not counted: {code} does not return {measure} ({count:,} row{'' if count == 1 else 's'})"
        for (code, measure), count in sorted(dropped.items())
    ]
    return values, not_counted


def _plan(
    derivation: Derivation, names: list[TeamName], council: Council, month: Month
) -> tuple[list[UnitPlan], list[str]]:
    returned = team_measure_codes()
    values, not_counted = unit_values(derivation, names, returned)
    levels = dict(Measure.objects.values_list("code", "level"))
    authority = {code for code, level in levels.items() if level == Measure.Level.AUTHORITY}
    refused = []
    for team, wanted in values.items():  # the write's own check, so a preview or dry run refuses what it would
        codes = authority if team is None else returned.get(team.pk, ("", frozenset()))[1]
        if unknown := sorted(set(wanted).intersection(levels) - codes):  # _write leaves out codes with no measure
            refused.append(
                Problem(
                    f"{team.code if team else council.code}: Nothing was saved: not measures this "
                    f"unit returns: {', '.join(unknown)}."
                )
            )
    if refused:
        raise ImportRefused(refused)
    returns = {r.team_id: r for r in Return.objects.filter(month=month.first_day)}
    stored: dict[tuple[int, str], int | None] = {
        (ret_id, code): value
        for ret_id, code, value in ReturnValue.objects.filter(ret__month=month.first_day).values_list(
            "ret_id", "measure__code", "value"
        )
    }
    plans = []
    for team, wanted in values.items():
        ret = returns.get(team.pk if team else None)
        plan = UnitPlan(team.code if team else council.code, team, ret.state if ret else "")
        for measure, value in wanted.items():
            old = stored.get((ret.pk, measure)) if ret else None
            if ret is not None and (ret.pk, measure) in stored and old == value:
                plan.unchanged += 1
            else:
                plan.changes.append((measure, old, value))
        plans.append(plan)
    return plans, not_counted


def _check_rules(result: AnnexAImport) -> None:
    """Refuse values that break a validation rule (an "of those" above its total) in the return as it would be."""
    rules = validation.load_rules()
    month = result.derivation.month
    problems = []
    stored_by_unit = _stored_by_unit(month)
    for plan in result.units:
        if not plan.changes or plan.locked:
            continue
        merged = dict(stored_by_unit.get(plan.team.pk if plan.team else None, {}))
        merged.update({measure: new for measure, _, new in plan.changes})
        changed = {measure for measure, _, _ in plan.changes}
        for finding in validation.check_return(merged, None, rules=rules):
            if finding.is_error and changed & set(finding.fields):
                problems.append(Problem(f"{plan.code} {month}: {finding.message}"))
            elif not finding.is_error:
                result.warnings.append(f"{plan.code} {month}: {finding.message}")
    if problems:
        raise ImportRefused(problems)


def _stored_by_unit(month: Month) -> dict[int | None, dict[str, int | None]]:
    stored: dict[int | None, dict[str, int | None]] = {}
    for team_id, code, value in ReturnValue.objects.filter(ret__month=month.first_day).values_list(
        "ret__team_id", "measure__code", "value"
    ):
        stored.setdefault(team_id, {})[code] = value
    return stored


def _write(result: AnnexAImport, *, actor, month: Month) -> None:
    derivation = result.derivation
    levels = dict(Measure.objects.values_list("code", "level"))
    record = None
    for plan in result.units:
        if not plan.changes or plan.locked:
            continue
        values = {m: new for m, _, new in plan.changes if m in levels}
        ret = services.return_get_or_create(team=plan.team, month=month)
        if record is None:  # the file's import, recorded once for all its audit rows
            record = ImportRecord.objects.create(
                actor=actor, at=timezone.now(), file_name=derivation.file_name[:255], file_sha256=derivation.sha256
            )
        try:
            services.return_save_values(
                ret=ret, values=values, actor=actor, source=Source.ANNEX_A, import_record=record
            )
        except services.ReturnLocked as exc:  # approved between the plan and now: refuse the whole file
            raise ImportRefused(exc.message) from None
        except services.ReturnError as exc:
            raise ImportRefused(f"{plan.code}: {exc.message}") from None


def describe(result: AnnexAImport) -> list[str]:
    """Return the import's report as lines of text: lists, measures, teams, changes and what was not used."""
    derivation = result.derivation
    lines = [f"{derivation.file_name} for {derivation.month.long_label} (SHA-256 {derivation.sha256[:12]}...):"]
    for number, sheet in sorted(derivation.lists.items()):
        read = derivation.rows_read.get(number)
        lines.append(
            f"  List {number}: sheet “{sheet}”"
            + (f", {read:,} rows read" if read is not None else ", not used for any measure")
        )
    if derivation.missing_lists:
        lines.append("  Missing lists: " + ", ".join(f"List {n}" for n in derivation.missing_lists))
    lines.append("Measures derived: " + (", ".join(derivation.measures) or "none"))
    for measure, reason in derivation.not_derived.items():
        lines.append(f"  Not derived: {measure} ({reason})")
    for name in result.team_names:
        target = (name.team.code if name.team else "authority level only") if name.is_mapped else "NOT MAPPED"
        lines.append(f"  Team name “{name.name}” ({name.rows:,} rows): {target}")
    if derivation.no_team_rows:
        lines.append(f"  {derivation.no_team_rows:,} rows have no allocated team: counted at authority level only")
    for plan in result.units:
        if not plan.changes:
            continue
        changes = ", ".join(f"{m} {'blank' if old is None else old} -> {new}" for m, old, new in plan.changes)
        lead = "LOCKED (approved, not changed)" if plan.locked else (plan.state or "new return")
        lines.append(f"  {plan.code} [{lead}]: {changes}")
    unchanged = sum(p.unchanged for p in result.units)
    lines.append(f"{result.changed} values to change, {unchanged} unchanged.")
    for line in result.not_counted:
        lines.append(f"  {line[:1].upper()}{line[1:]}")
    for warning in result.warnings:
        lines.append(f"  Warning: {warning}")
    for group in derivation.notes:
        lines.append(f"  Not used: {group}")
    return lines
