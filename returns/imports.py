"""Importing returns from a spreadsheet, all or nothing.

`returns_import` reads the long or wide form of a returns file (read safely by
returns.spreadsheets), checks every cell, the user's access, the returns'
locks and the validation rules, and writes the lot with a handful of
set-based queries, or nothing, naming every problem by row and column.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from lib.months import Month
from returns import validation
from returns.spreadsheets import (
    ImportRefused,
    Problem,
    Problems,
    Sheet,
    cell_at,
    cell_text,
    check_headerless_cells,
    header_key,
    is_blank,
    locate_columns,
    parse_count,
    parse_month,
    read_sheet,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Field, Model

# --------------------------------------------------------------------------- returns: reading the cells

LONG_FORM = ["month", "team", "measure", "value"]
WIDE_FIXED = ["month", "team"]


@dataclass(frozen=True)
class Unit:
    """A unit a file may name: a team (team_id set) or the council (team_id None)."""

    code: str
    team_id: int | None
    level: str
    active: bool = True


@dataclass
class Lookups:
    """The codes a file may use, read once (three queries) so no row costs a query."""

    units: dict[str, Unit]
    measures: dict[str, tuple[int, str]]  # code -> (id, level)
    measure_codes: dict[int, str]
    council_code: str | None

    @classmethod
    def load(cls) -> Lookups:
        from indicators.models import Measure
        from teams.models import Council, Team

        units = {code: Unit(code, pk, Measure.Level.TEAM, active)
                 for pk, code, active in Team.objects.values_list("pk", "code", "active")}
        council = Council.objects.order_by("pk").values_list("code", flat=True).first()
        if council:
            units[council] = Unit(council, None, Measure.Level.AUTHORITY)
        measures = {code: (pk, level) for pk, code, level in Measure.objects.values_list("pk", "code", "level")}
        return cls(units, measures, {pk: code for code, (pk, _) in measures.items()}, council)


@dataclass
class Given:
    """One value a file gives: where it is, and what it says."""

    row: int
    column: str
    value: int
    is_new: bool = True  # no value stored yet (set when planning)


Key = tuple  # (month first day, team id or None, measure id)


@dataclass
class FileValues:
    """What a returns file says, checked cell by cell: values by (month, unit, measure)."""

    form: str
    given: dict[Key, Given]
    unit_codes: dict[int | None, str]
    blanks: int
    rows: int


def read_returns_cells(
    sheet: Sheet, lookups: Lookups, *, actor: User | None = None, today: dt.date | None = None
) -> FileValues:
    """Check every cell of a long- or wide-form returns file; raise ImportRefused listing each problem."""
    from returns.team_measures import measure_refusal

    form, columns = _returns_form(sheet, lookups)
    if not sheet.rows:
        raise ImportRefused("The file has a header but no rows of data.")
    today = today or _today()
    current = Month.of(today)
    problems = Problems()
    given: dict[Key, Given] = {}
    unit_codes: dict[int | None, str] = {}
    months: dict[object, object] = {}  # raw cell -> first day, or an error message
    access: dict[str, str | None] = {}  # unit code -> None when allowed, else why not
    not_returned: dict = {}  # team id -> its type's measures (returns.team_measures)
    blanks = 0
    month_i, team_i = columns["month"], columns["team"]
    measure_columns = [(name, index) for name, index in columns.items() if name not in ("month", "team")]
    for number, cells in sheet.rows:
        month = _month_of(cell_at(cells, month_i), months, current)
        if isinstance(month, str):
            problems.add(month, row=number, column="month")
        code = cell_text(cell_at(cells, team_i))
        unit = lookups.units.get(code)
        if unit is None:
            problems.add(_unknown_unit(code, lookups), row=number, column="team")
        else:
            if code not in access:
                access[code] = _access_refusal(actor, unit)
            refusal = access[code]
            if refusal:
                problems.add(refusal, row=number, column="team")
                unit = None
        if form == "long":
            items = [(cell_text(cell_at(cells, columns["measure"])), "value", cell_at(cells, columns["value"]))]
        else:
            items = [(name, name, cell_at(cells, index)) for name, index in measure_columns]
        for measure_code, column, raw in items:
            if is_blank(raw):
                blanks += 1  # blank means "not given": nothing stored, nothing changed, never 0
                continue
            measure = lookups.measures.get(measure_code)
            if measure is None:
                problems.add(_unknown_measure(measure_code), row=number, column="measure")
                continue
            try:
                value = parse_count(raw)
            except ValueError as exc:
                problems.add(_sentence(str(exc)), row=number, column=column)
                continue
            if value is None or unit is None or isinstance(month, str):
                continue
            if measure[1] != unit.level:
                problems.add(_wrong_level(measure_code, unit, lookups), row=number, column=column)
                continue
            if refusal := measure_refusal(unit.team_id, measure_code, not_returned):
                problems.add(refusal, row=number, column=column)
                continue
            key = (month, unit.team_id, measure[0])
            first = given.get(key)
            if first is not None:
                problems.add(f"rows {first.row} and {number} both give {measure_code} for {code} in "
                             f"{month:%Y-%m}; each value must appear once", row=number, column=column)
                continue
            given[key] = Given(number, column, value)
            unit_codes[unit.team_id] = code
    problems.raise_if_any()
    return FileValues(form, given, unit_codes, blanks, len(sheet.rows))


def _today() -> dt.date:
    from returns import dates

    return dates.today()


def _returns_form(sheet: Sheet, lookups: Lookups) -> tuple[str, dict[str, int]]:
    """Return "long" or "wide" and the index of each column, refusing any header that does not fit."""
    keys = [header_key(h) for h in sheet.headers]
    if "measure" in keys or "value" in keys or not ({"month", "team"} <= set(keys)):
        return "long", locate_columns(sheet, LONG_FORM, form=" in a long-form returns file")
    problems = Problems()
    columns: dict[str, int] = {}
    for index, (raw, key) in enumerate(zip(sheet.headers, keys, strict=True)):
        if not key:
            continue
        if key in columns:
            problems.add(f"the column “{raw}” appears twice", row=1)
        elif key in WIDE_FIXED or key in lookups.measures:
            columns[key] = index
        else:
            problems.add(f"the column “{raw}” is neither month, team nor a measure code "
                         "(a wide-form file has month, team, then one column per measure code)", row=1)
    if len(columns) == len(WIDE_FIXED) and not problems:
        problems.add("a wide-form file needs at least one measure column after month and team", row=1)
    problems.raise_if_any()
    check_headerless_cells(sheet)
    return "wide", columns


def _month_of(raw, cache: dict, current: Month):
    """Return the first day of the month in the cell, or a message saying why it is refused."""
    try:
        return cache[raw]
    except (KeyError, TypeError):
        pass
    from returns.dates import EARLIEST_MONTH

    try:
        month = parse_month(raw)
        if month > current:
            result = f"{month} is in the future; returns can be imported up to {current} only"
        elif month < EARLIEST_MONTH:
            result = f"{month} is before {EARLIEST_MONTH}, the earliest month returns are kept for"
        else:
            result = month.first_day
    except ValueError as exc:
        result = _sentence(str(exc))
    with contextlib.suppress(TypeError):  # unhashable cell values do not occur
        cache[raw] = result
    return result


def _access_refusal(actor: User | None, unit: Unit) -> str | None:
    """Return why the actor may not import this unit's values, or None when they may."""
    if actor is None:
        return None  # the command line is run by whoever runs the server
    from returns import policy
    from teams.models import Team

    team = Team(pk=unit.team_id, code=unit.code) if unit.team_id is not None else None
    if policy.has_import_permission(actor, team):
        return None
    return f"you may not import returns for {unit.code}; you may import only the teams you enter returns for"


def _unknown_unit(code: str, lookups: Lookups) -> str:
    if not code:
        return "the team is blank; give a team code" + (
            f" (or {lookups.council_code} for the council's own return)" if lookups.council_code else "")
    shown = code if len(code) <= 40 else code[:37] + "..."
    return f"no team has the code “{shown}”" + (
        f", and it is not the council's code ({lookups.council_code})" if lookups.council_code else
        " (and no council is set up yet: import it first with the kind council)")


def _unknown_measure(code: str) -> str:
    if not code:
        return "the measure is blank; give a measure code"
    shown = code if len(code) <= 40 else code[:37] + "..."
    return f"no measure has the code “{shown}”"


def _wrong_level(measure_code: str, unit: Unit, lookups: Lookups) -> str:
    if unit.team_id is None:
        return (f"{measure_code} is returned by each team, not by the council; "
                "give it on a team's row")
    return (f"{measure_code} is returned once for the whole council, not by a team; "
            f"give it with the team {lookups.council_code or 'set to the council code'}")


def _sentence(text: str) -> str:
    return text.rstrip(".")


# --------------------------------------------------------------------------- returns: planning against the database


@dataclass
class UnitMonth:
    """The effect of a file on one unit's return for one month."""

    month: dt.date
    unit: str
    state: str  # the return's state now, or "" when the import starts it
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    # (measure code, old value or None, new value) for every new or changed value
    changes: list[tuple[str, int | None, int]] = field(default_factory=list)
    back_to_draft: bool = False

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass
class ReturnsImport:
    """What importing a returns file does (or, in a dry run, would do)."""

    file_name: str
    sha256: str
    form: str
    dry_run: bool
    rows: int
    blanks: int
    units: list[UnitMonth]
    warnings: list[Problem] = field(default_factory=list)
    audit_rows: int = 0

    @property
    def new(self) -> int:
        return sum(u.new for u in self.units)

    @property
    def changed(self) -> int:
        return sum(u.changed for u in self.units)

    @property
    def unchanged(self) -> int:
        return sum(u.unchanged for u in self.units)

    @property
    def fingerprint(self) -> str:
        """A digest of every change and state the plan rests on: a confirm must match its preview."""
        digest = hashlib.sha256(self.sha256.encode())
        for u in self.units:
            digest.update(repr((u.month, u.unit, u.state, u.unchanged, u.changes)).encode())
        return digest.hexdigest()


@dataclass
class _Plan:
    """The writes a checked file needs, kept apart from what is shown."""

    result: ReturnsImport
    # (month, team id) -> (return id, state, version) for returns that exist
    existing: dict[tuple, tuple[int, str, int]]
    # (month, team id) -> [(measure id, old value, new value, Given)] for new or changed values
    writes: dict[tuple, list[tuple[int, int | None, int, Given]]]


def plan_returns(values: FileValues, lookups: Lookups, *, sheet: Sheet, dry_run: bool, lock: bool) -> _Plan:
    """Compare the file with the stored returns (two queries); refuse locked returns and rule errors."""
    from django.db.models import Q

    from returns.models import Return, ReturnValue

    months = sorted({key[0] for key in values.given})
    team_ids = sorted({key[1] for key in values.given if key[1] is not None})
    has_council = any(key[1] is None for key in values.given)
    units = Q(team_id__in=team_ids) | (Q(team_id__isnull=True) if has_council else Q(pk__in=[]))
    returns = Return.objects.filter(units, month__in=months).order_by()  # no ordering: no joins to lock
    if lock:
        # Serialise with the workflow: an approval committed before this point is seen below,
        # one attempted after it waits for this import to commit and then sees its values.
        returns = returns.select_for_update()
    existing = {(month, team): (pk, state, version)
                for pk, month, team, state, version
                in returns.values_list("pk", "month", "team_id", "state", "version")}
    stored: dict[int, dict[int, tuple[int | None, str]]] = defaultdict(dict)
    if existing:
        unit_values = Q(ret__team_id__in=team_ids) | (Q(ret__team_id__isnull=True) if has_council else Q(pk__in=[]))
        for ret_id, measure_id, value, reason in ReturnValue.objects.filter(
            unit_values, ret__month__in=months
        ).order_by().values_list("ret_id", "measure_id", "value", "unavailable_reason"):
            stored[ret_id][measure_id] = (value, reason)

    by_return: dict[tuple, list[tuple[int, Given]]] = defaultdict(list)
    for (month, team_id, measure_id), item in values.given.items():
        by_return[(month, team_id)].append((measure_id, item))

    problems = Problems()
    warnings_found: list[Problem] = []
    summaries: list[UnitMonth] = []
    writes: dict[tuple, list] = {}
    rules = validation.load_rules()
    for key in sorted(by_return, key=lambda k: (k[0], values.unit_codes[k[1]])):
        month, team_id = key
        code = values.unit_codes[team_id]
        items = sorted(by_return[key], key=lambda pair: pair[1].row)
        ret = existing.get(key)
        if ret is not None and ret[1] == Return.State.APPROVED:
            rows = [item.row for _, item in items]
            problems.add(f"the {code} return for {month:%Y-%m} is approved, so it is locked and cannot be "
                         f"changed by an import ({_rows_text(rows)}). Ask the performance team to reopen it, "
                         "or remove those rows.", row=rows[0], column="team")
            continue
        if ret is None and not lookups.units[code].active:
            problems.add(f"{code} is not an active team, so it makes no new returns ({month:%Y-%m})",
                         row=items[0][1].row, column="team")
            continue
        summary = UnitMonth(month, code, ret[1] if ret else "")
        changes = []
        stored_here = stored.get(ret[0], {}) if ret else {}
        merged = {lookups.measure_codes[measure_id]: value for measure_id, (value, _) in stored_here.items()}
        for measure_id, item in items:
            old = stored_here.get(measure_id)
            measure_code = lookups.measure_codes[measure_id]
            merged[measure_code] = item.value
            item.is_new = old is None
            if old is None:
                summary.new += 1
            elif old != (item.value, ""):
                summary.changed += 1
            else:
                summary.unchanged += 1
                continue
            changes.append((measure_id, None if old is None else old[0], item.value, item))
            summary.changes.append((measure_code, None if old is None else old[0], item.value))
        if changes:
            writes[key] = changes
            summary.back_to_draft = ret is not None and ret[1] == Return.State.SUBMITTED
            _check_rules(rules, merged, items, lookups, code, month, problems, warnings_found)
        summaries.append(summary)
    problems.raise_if_any()
    result = ReturnsImport(file_name=sheet.file_name, sha256=sheet.sha256, form=values.form, dry_run=dry_run,
                           rows=values.rows, blanks=values.blanks, units=summaries, warnings=warnings_found)
    return _Plan(result, existing, writes)


def _check_rules(rules, merged, items, lookups, code, month, problems: Problems, warnings_found) -> None:
    """Apply the validation rules to the return as it would be; errors on values the file gives refuse it."""
    findings = validation.check_return(merged, None, rules=rules)
    if not findings:
        return
    from_file = {lookups.measure_codes[measure_id]: item for measure_id, item in items}
    for finding in findings:
        involved = [from_file[name] for name in finding.fields if name in from_file]
        if not involved:
            continue  # already stored that way; the form will ask for it to be put right before submission
        first = involved[0]  # the rule's left side when the file gives it: usually the "of those" count
        rows = sorted({item.row for item in involved})
        message = f"{code} {month:%Y-%m}: {finding.message.rstrip('.')}" + (
            f" (rows {', '.join(map(str, rows[:-1]))} and {rows[-1]})" if len(rows) > 1 else "")
        if finding.is_error:
            problems.add(message, row=first.row, column=first.column)
        else:
            warnings_found.append(Problem(message, row=first.row, column=first.column))


def _rows_text(rows: list[int]) -> str:
    if len(rows) == 1:
        return f"row {rows[0]}"
    if len(rows) <= 5:
        return "rows " + ", ".join(map(str, rows))
    return f"rows {', '.join(map(str, rows[:5]))} and {len(rows) - 5} more"


# --------------------------------------------------------------------------- returns: the import itself

# Rows per INSERT: large enough to keep round trips few, small enough for any backend's parameter limit.
BATCH = 2_000


def returns_import(
    *,
    data: bytes,
    file_name: str,
    actor: User | None = None,
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
    today: dt.date | None = None,
) -> ReturnsImport:
    """Import a long- or wide-form returns file all or nothing; raise ImportRefused naming every problem.

    Values land in draft returns (a changed submitted return goes back to
    draft, as with the form); approved returns are refused. Each new or changed
    value is audited with source "import", the file's name and SHA-256; values
    equal to what is stored change nothing and write no audit. With
    `expected_fingerprint` (the preview's), the import is refused if the
    returns changed since that preview.
    """
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    sheet = read_sheet(data, file_name)
    lookups = Lookups.load()
    values = read_returns_cells(sheet, lookups, actor=actor, today=today)
    if dry_run:
        return plan_returns(values, lookups, sheet=sheet, dry_run=True, lock=False).result
    try:
        with transaction.atomic():
            plan = plan_returns(values, lookups, sheet=sheet, dry_run=False, lock=True)
            if expected_fingerprint is not None and plan.result.fingerprint != expected_fingerprint:
                raise ImportRefused(
                    "The returns this file touches changed after the preview (someone saved, submitted or "
                    "approved one), so nothing was imported. Upload the file again to see the new preview."
                )
            _write(plan, actor=actor, now=timezone.now())
    except IntegrityError:
        # Only a return started by someone else between our read and our write gets here.
        raise ImportRefused(
            "Someone started one of these returns at the same moment, so nothing was imported. Import the file again."
        ) from None
    return plan.result


def _write(plan: _Plan, *, actor: User | None, now: dt.datetime) -> None:
    """Write a checked plan with set-based queries: returns, values (one upsert), audit rows."""
    from django.db.models import F

    from returns.models import Return, Source, StateChange

    if not plan.writes:
        return
    result = plan.result
    new_keys = [key for key in plan.writes if key not in plan.existing]
    created = Return.objects.bulk_create(
        [Return(month=month, team_id=team_id, state=Return.State.DRAFT, version=2, updated_by=actor)
         for month, team_id in new_keys],
        batch_size=BATCH,
    )
    # New returns start at version 1 and this import is their first change (as with the form).
    ret_ids = {key: (ret.pk, 2) for key, ret in zip(new_keys, created, strict=True)}

    changed = [(key, plan.existing[key]) for key in plan.writes if key in plan.existing]
    for key, (pk, _, version) in changed:
        ret_ids[key] = (pk, version + 1)
    pks = [pk for _, (pk, _, _) in changed]
    for start in range(0, len(pks), 500):
        # The rows are locked (plan_returns), so version + 1 is exactly the version read then plus one.
        Return.objects.filter(pk__in=pks[start:start + 500]).update(
            version=F("version") + 1, state=Return.State.DRAFT, updated_by=actor, updated_at=now)
    StateChange.objects.bulk_create([
        StateChange(ret_id=pk, from_state=Return.State.SUBMITTED, to_state=Return.State.DRAFT, actor=actor, at=now,
                    reason="Values changed after submission (import): submit again.", version=version + 1)
        for _, (pk, state, version) in changed if state == Return.State.SUBMITTED
    ])

    values, audit = [], []
    file_name, sha256 = result.file_name[:255], result.sha256
    actor_id = actor.pk if actor is not None else None
    for key, changes in plan.writes.items():
        ret_id, version = ret_ids[key]
        for measure_id, old, new, given in changes:
            values.append((ret_id, measure_id, new, given.is_new))
            audit.append(
                (ret_id, measure_id, old, new, "", actor_id, now, Source.IMPORT, "", file_name, sha256, version)
            )
    from django.db import connection

    if connection.vendor == "postgresql":
        _write_values_copy(values, audit)
    else:
        _write_values_bulk(values, audit)
    result.audit_rows = len(audit)


# ValueChange columns in the order _write builds its audit tuples.
_AUDIT_FIELDS = ("ret", "measure", "old_value", "new_value", "unavailable_reason", "actor", "at", "source", "reason",
                 "file_name", "file_sha256", "version")


def _write_values_bulk(values: list[tuple], audit: list[tuple]) -> None:
    """Upsert values and insert audit rows with the ORM's bulk operations (any backend)."""
    from returns.models import ReturnValue, ValueChange

    ReturnValue.objects.bulk_create(
        [ReturnValue(ret_id=r, measure_id=m, value=v, unavailable_reason="") for r, m, v, _ in values],
        batch_size=BATCH, update_conflicts=True, unique_fields=["ret", "measure"],
        update_fields=["value", "unavailable_reason"],
    )
    names = [f"{name}_id" if name in ("ret", "measure", "actor") else name for name in _AUDIT_FIELDS]
    ValueChange.objects.bulk_create(
        [ValueChange(**dict(zip(names, row, strict=True))) for row in audit], batch_size=BATCH
    )


def _column(model: type[Model], name: str) -> str:
    """Return the database column of a model's concrete field."""
    column = cast("Field", model._meta.get_field(name)).column
    if column is None:  # only a field with no column of its own (none of those named here)
        raise ValueError(f"{model.__name__}.{name} has no column")
    return column


def _write_values_copy(values: list[tuple], audit: list[tuple]) -> None:
    """Write values and audit rows with PostgreSQL COPY: the same rows, without an object or a statement each.

    New values are copied straight into their table: none can exist, since the
    returns they belong to are either locked by this transaction or created by
    it (a clash would still fail the unique constraint and refuse the file).
    Changed values are copied to a temporary table and applied with one UPDATE.
    Audit rows are append-only, so they too are copied straight in.
    """
    from django.db import connection

    from returns.models import ReturnValue, ValueChange

    quote = connection.ops.quote_name
    meta = ReturnValue._meta
    table = quote(meta.db_table)
    ret, measure, value, reason = (quote(_column(ReturnValue, name))
                                   for name in ("ret", "measure", "value", "unavailable_reason"))
    audit_columns = ", ".join(quote(_column(ValueChange, name)) for name in _AUDIT_FIELDS)
    changed = [(r, m, v) for r, m, v, is_new in values if not is_new]
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({ret}, {measure}, {value}, {reason}) FROM STDIN") as copy:
            for r, m, v, is_new in values:
                if is_new:
                    copy.write_row((r, m, v, ""))
        if changed:
            cursor.execute("DROP TABLE IF EXISTS pg_temp.import_changed_values")
            cursor.execute("CREATE TEMPORARY TABLE import_changed_values "
                           "(ret_id bigint, measure_id bigint, value bigint) ON COMMIT DROP")
            with cursor.cursor.copy("COPY import_changed_values (ret_id, measure_id, value) FROM STDIN") as copy:
                for row in changed:
                    copy.write_row(row)
            cursor.execute(
                f"UPDATE {table} AS v SET {value} = c.value, {reason} = '' FROM import_changed_values AS c "
                f"WHERE v.{ret} = c.ret_id AND v.{measure} = c.measure_id"
            )
            cursor.execute("DROP TABLE pg_temp.import_changed_values")
        with cursor.cursor.copy(f"COPY {quote(ValueChange._meta.db_table)} ({audit_columns}) FROM STDIN") as copy:
            for row in audit:
                copy.write_row(row)


def describe(result: ReturnsImport) -> list[str]:
    """Return the lines the command prints: new, changed and unchanged per month and unit, then totals."""
    lines = [f"{'month':<8} {'unit':<14} {'new':>6} {'changed':>8} {'unchanged':>10}  note"]
    for u in result.units:
        note = "back to draft" if u.back_to_draft else ("new return" if not u.state else "")
        lines.append(f"{u.month_label:<8} {u.unit:<14} {u.new:>6} {u.changed:>8} {u.unchanged:>10}  {note}".rstrip())
    lines.append(f"{'total':<23} {result.new:>6} {result.changed:>8} {result.unchanged:>10}")
    if result.blanks:
        lines.append(f"{result.blanks} blank cell{'s' if result.blanks != 1 else ''} skipped "
                     "(blank means not given: nothing stored or changed).")
    for warning in result.warnings:
        lines.append(f"Warning: {warning}")
    return lines
