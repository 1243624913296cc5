"""Importing returns from a spreadsheet, all or nothing, in constant memory whatever the file's length.

`returns_import` streams the long or wide form of a returns file (read safely
by returns.spreadsheets) in chunks: every cell is checked and the checked
values staged in a temporary table; then one ordered pass over the staged
values checks the returns' locks and the validation rules return by return;
then returns.services writes the lot with a handful of set-based statements.
All in one transaction: any problem refuses the file and changes nothing,
naming the first problems by row and column with a count of the rest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from indicators.expressions import ExpressionError, names_in
from indicators.models import Measure
from lib.months import Month
from lib.text import shorten
from returns import dates, policy, services, validation
from returns.dates import EARLIEST_MONTH
from returns.models import Return, ReturnValue
from returns.selectors import Unit
from returns.spreadsheets import (
    MAX_PROBLEMS,
    ImportRefused,
    Problem,
    Problems,
    SheetStream,
    cell_at,
    cell_text,
    header_key,
    headerless_value,
    is_blank,
    is_plain_count,
    locate_columns,
    named_columns,
    open_sheet,
    parse_count,
    parse_month,
)
from returns.team_measures import measure_refusal
from teams.models import Council, Team

# --------------------------------------------------------------------------- returns: reading the cells

LONG_FORM = ["month", "team", "measure", "value"]
WIDE_FIXED = ["month", "team"]


@dataclass
class Lookups:
    """The codes a file may use, read once (three queries) so no row costs a query."""

    units: dict[str, Unit]
    measures: dict[str, tuple[int, str]]  # code -> (id, level)
    measure_codes: dict[int, str]
    council_code: str | None
    # team id -> its type's measures (returns.team_measures.measure_refusal's memo), read at its first use
    not_returned: dict = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        units = {team.code: Unit(team.code, team.name, team) for team in Team.objects.only("code", "name", "active")}
        council = Council.objects.order_by("pk").values_list("code", flat=True).first()
        if council:
            units[council] = Unit(council, "", None)
        measures = {code: (pk, level) for pk, code, level in Measure.objects.values_list("pk", "code", "level")}
        return cls(units, measures, {pk: code for code, (pk, _) in measures.items()}, council)


def _today() -> dt.date:
    return dates.today()


def _returns_form(sheet: SheetStream, lookups: Lookups) -> tuple[str, dict[str, int]]:
    """Return "long" or "wide" and the index of each column, refusing any header that does not fit."""
    keys = [header_key(h) for h in sheet.headers]
    if "measure" in keys or "value" in keys or not ({"month", "team"} <= set(keys)):
        columns = locate_columns(sheet, LONG_FORM, form=" in a long-form returns file", check_cells=False)
        return "long", columns
    problems = Problems()
    columns = {}
    for index, (raw, key) in enumerate(zip(sheet.headers, keys, strict=True)):
        if not key:
            continue
        if key in columns:
            problems.add(f"the column “{raw}” appears twice", row=1)
        elif key in WIDE_FIXED or key in lookups.measures:
            columns[key] = index
        else:
            problems.add(
                f"the column “{raw}” is neither month, team nor a measure code "
                "(a wide-form file has month, team, then one column per measure code)",
                row=1,
            )
    if len(columns) == len(WIDE_FIXED) and not problems:
        problems.add("a wide-form file needs at least one measure column after month and team", row=1)
    problems.raise_if_any()
    return "wide", columns


def _month_of(raw, cache: dict, current: Month):
    """Return the first day of the month in the cell, or a message saying why it is refused.

    Text is cached under itself; other cells under their type too, as True, 1 and 1.0 are equal keys.
    """
    key = raw if type(raw) is str else (type(raw), raw)
    try:
        return cache[key]
    except (KeyError, TypeError):
        pass
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
        cache[key] = result
    return result


def _access_refusal(actor, unit: Unit) -> str | None:
    """Return why the actor may not import this unit's values, or None when they may."""
    if actor is None:
        return None  # the command line is run by whoever runs the server
    if policy.has_import_permission(actor, unit.team):
        return None
    return f"you may not import returns for {unit.code}; you may import only the teams you enter returns for"


def _unknown_unit(code: str, lookups: Lookups) -> str:
    if not code:
        return "the team is blank; give a team code" + (
            f" (or {lookups.council_code} for the council's own return)" if lookups.council_code else ""
        )
    return f"no team has the code “{shorten(code, 40)}”" + (
        f", and it is not the council's code ({lookups.council_code})"
        if lookups.council_code
        else " (and no council is set up yet: import it first with the kind council)"
    )


def _unknown_measure(code: str) -> str:
    if not code:
        return "the measure is blank; give a measure code"
    return f"no measure has the code “{shorten(code, 40)}”"


def _wrong_level(measure_code: str, unit: Unit, lookups: Lookups) -> str:
    if unit.team_id is None:
        return f"{measure_code} is returned by each team, not by the council; give it on a team's row"
    return (
        f"{measure_code} is returned once for the whole council, not by a team; "
        f"give it with the team {lookups.council_code or 'set to the council code'}"
    )


def _sentence(text: str) -> str:
    return text.rstrip(".")


# --------------------------------------------------------------------------- returns: the import, streamed

# Rows checked and staged per batch: the only rows held in memory at once.
CHUNK = 5_000
# Returns whose rules are checked together (one query for their stored values).
RULE_BATCH = 1_000
# A preview lists at most this many value changes; counts and the fingerprint cover the whole file.
KEPT_CHANGES = 500
# At most this many returns are described one by one in a result; the totals always cover every return.
KEPT_UNITS = 5_000


@dataclass(slots=True)
class UnitMonth:
    """The effect of a file on one unit's return for one month."""

    month: dt.date
    unit: str
    state: str  # the return's state now, or "" when the import starts it
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    # (measure code, old value or None, new value) for new or changed values (the first KEPT_CHANGES of the file)
    changes: list[tuple[str, int | None, int]] = field(default_factory=list)
    back_to_draft: bool = False

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass
class ReturnsImport:
    """What importing a returns file does (or, in a dry run, would do).

    `units` describes the first KEPT_UNITS returns the file touches; the totals
    (`new`, `changed`, `unchanged`, `returns`) and the fingerprint cover all.
    """

    file_name: str
    sha256: str
    form: str
    dry_run: bool
    rows: int
    blanks: int
    units: list[UnitMonth]
    warnings: list[Problem] = field(default_factory=list)
    audit_rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    returns: int = 0
    more_warnings: int = 0
    fingerprint: str = ""
    kept_changes: int = 0

    @property
    def units_cut(self) -> int:
        return self.returns - len(self.units)


@dataclass
class StagedPlan:
    """A checked file in the staging table, and the writes it needs (see returns.services.returns_write_staged)."""

    result: ReturnsImport
    staging: str  # the temporary table of (row_no, month, unit, measure_id, value, ret_id, pos) rows
    # the stored returns' new or changed values, to select from (_Staging.writes):
    # (ret_id, measure_id, value, old_value, has_old, pos)
    writes: str
    # placeholder id (negative) -> (month, team id) of each return the import starts
    new_returns: dict[int, tuple[dt.date, int | None]]
    # id -> (state, version) of each existing return whose values change
    changed_returns: dict[int, tuple[str, int]]
    # The values staged (their positions run from 0 to positions - 1) when the file gives each return's values
    # together, returns in id order (new ones after stored ones, as first given), so those positions are the
    # tables' index order (_Staging); 0 for any other file.
    positions: int = 0


def returns_import(
    *,
    data: bytes | None = None,
    source: BinaryIO | None = None,
    file_name: str,
    actor=None,
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
    today: dt.date | None = None,
    max_bytes: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReturnsImport:
    """Import a long- or wide-form returns file all or nothing; raise ImportRefused naming every problem.

    The file (`data`, or a seekable binary `source`) is read, checked and
    written in chunks: memory stays flat whatever its length. Its checked
    values wait in a temporary staging table; the returns they touch are
    compared with it set by set, and written with a few set-based statements
    (returns.services.returns_write_staged), all in one transaction, so a
    refusal changes nothing. A dry run does the same and rolls back.

    Values land in draft returns (a changed submitted return goes back to
    draft, as with the form); approved returns are refused. Each new or changed
    value is audited with source "import", the file's name and SHA-256; values
    equal to what is stored change nothing and write no audit. With
    `expected_fingerprint` (the preview's), the import is refused if the
    returns changed since that preview. `progress` is called with the rows
    read so far, now and then.
    """
    if source is None:
        source = io.BytesIO(data or b"")
    lookups = Lookups.load()
    # No returns file uses more columns than month, team and one per measure: cells past them are never kept.
    sheet = open_sheet(source, file_name, max_bytes=max_bytes, max_columns=len(WIDE_FIXED) + len(lookups.measures))
    form, columns = _returns_form(sheet, lookups)
    try:
        with transaction.atomic():
            staging = _Staging.create()
            try:
                rows = stage_cells(sheet, lookups, form, columns, staging, actor=actor, today=today, progress=progress)
                # A large file takes the returns tables before it locks any return (returns.services). Holding
                # them, it needs no lock on each return's row: nobody else can write one until it commits.
                bulk = not dry_run and staging.values >= settings.IMPORT_BULK_VALUES and services.lock_for_bulk_write()
                plan = plan_staged(
                    staging, lookups, sheet=sheet, form=form, rows=rows, dry_run=dry_run, lock=not dry_run and not bulk
                )
                if expected_fingerprint is not None and plan.result.fingerprint != expected_fingerprint:
                    raise ImportRefused(
                        "The returns this file touches changed after the preview (someone saved, submitted or "
                        "approved one), so nothing was imported. Upload the file again to see the new preview."
                    )
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    plan.result.audit_rows = services.returns_write_staged(
                        plan, actor=actor, now=timezone.now(), bulk=bulk
                    )
            finally:
                staging.drop()
    except IntegrityError:
        # Only a return started by someone else between our read and our write gets here.
        raise ImportRefused(
            "Someone started one of these returns at the same moment, so nothing was imported. Import the file again."
        ) from None
    return plan.result


# PostgreSQL's memory for each sort or hash of an import's transaction (the server's default is 4MB). The plan's
# ordered pass over a million compared values sorts about 120 MB: in memory, not in temporary files (0.7 s -> 0.4 s).
IMPORT_WORK_MEM = "128MB"


# How a staged value compares with the stored one (_Staging.compare): none stored, equal, or different
# (a different number, or a stored blank marked not available).
_NEW, _UNCHANGED, _CHANGED = 0, 1, 2


# Where new returns come in the order of ids (_Staging._follow_order): past any stored return's id.
_AFTER_STORED = 1 << 62


class _Staging:
    """A temporary table holding a file's checked values, loaded in batches (COPY on PostgreSQL).

    Each value keeps its position among the values staged (`pos`, from 0). When
    the file gives each return's values together and the returns come in the
    order their ids will have (stored ones by id, then new ones as first given:
    a file sorted by month and team, as extracts and re-imports are), that
    position is the tables' index order, and the writes number their rows by it
    instead of sorting them (`in_return_order`).
    """

    NAME = "import_staging"
    COLUMNS = ("row_no", "month", "unit", "measure_id", "value", "ret_id", "pos")
    # Each staged value beside the value stored now and how the two compare (`compare`): what the plan reads,
    # and, filtered to stored returns' new or changed values (`writes`), what the writes write.
    COMPARED = "import_staging_compared"

    def __init__(self) -> None:
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.values = 0  # values staged so far
        self.in_return_order = True
        self._last_ret = 0  # the return of the last value staged, and its place in the order of ids
        self._last_key = 0

    @classmethod
    def create(cls) -> _Staging:
        staging = cls()
        with staging.connection.cursor() as cursor:
            if staging.postgres:
                # The import's joins and sorts cover every row of the file: in memory, not in temporary files.
                cursor.execute(f"SET LOCAL work_mem = '{IMPORT_WORK_MEM}'")
            services.start_temp_table(
                cursor,
                cls.NAME,
                "row_no integer NOT NULL, month date NOT NULL, unit integer NOT NULL, measure_id bigint NOT NULL, "
                "value bigint NOT NULL, ret_id bigint NOT NULL, pos bigint NOT NULL",
            )
            services.start_temp_table(
                cursor,
                cls.COMPARED,
                "month date NOT NULL, unit integer NOT NULL, measure_id bigint NOT NULL, value bigint NOT NULL, "
                "row_no integer NOT NULL, ret_id bigint NOT NULL, old_value bigint, status smallint NOT NULL, "
                "pos bigint NOT NULL",
            )
        return staging

    def load(self, rows: list[tuple]) -> None:
        """Add (row_no, month, unit, measure_id, value, ret_id, pos) rows, pos running on from the last
        load's: binary COPY on PostgreSQL.

        Binary COPY sends each whole number and date as it is stored, so psycopg formats no text: a
        million rows cost a third of the CPU text COPY (returns.services.load_rows) costs.
        """
        if not rows:
            return
        self.values += len(rows)
        self._follow_order(rows)
        with self.connection.cursor() as cursor:
            if not self.postgres:
                services.load_rows(cursor, self.NAME, self.COLUMNS, rows, self.postgres)
                return
            statement = f"COPY {self.NAME} ({', '.join(self.COLUMNS)}) FROM STDIN (FORMAT BINARY)"
            with cursor.cursor.copy(statement) as copy:
                copy.set_types(["int4", "date", "int4", "int8", "int8", "int8", "int8"])  # the table's column types
                for row in rows:
                    copy.write_row(row)

    def _follow_order(self, rows: list[tuple]) -> None:
        """Note whether the values still come return by return, in the order of the returns' ids.

        A stored return is placed by its id; a new one (a negative placeholder, -1 for the first the file
        starts) after every stored one, in the order the file starts them, as its id will be.
        """
        if not self.in_return_order:
            return
        last, last_key = self._last_ret, self._last_key
        for row in rows:
            ret_id = row[5]
            if ret_id != last:
                key = ret_id if ret_id > 0 else _AFTER_STORED - ret_id
                if key <= last_key:  # a return given again after another, or out of id order
                    self.in_return_order = False
                    return
                last, last_key = ret_id, key
        self._last_ret, self._last_key = last, last_key

    def compare(self, value_table: str) -> None:
        """Set each staged value beside the value stored now, and how they compare, in one join.

        Run after the plan has locked the stored returns, so what it reads is what the writes replace. The
        plan reads every compared row, a return's rows together; the writes read the stored returns' new or
        changed values (`writes`) from the same rows, so the staged values meet the stored ones in one join.
        The database compares, so no reason text crosses to Python.
        """
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.COMPARED} (month, unit, measure_id, value, row_no, ret_id, old_value, status, pos) "
                f"SELECT s.month, s.unit, s.measure_id, s.value, s.row_no, s.ret_id, v.value, "
                f"CASE WHEN v.id IS NULL THEN {_NEW} WHEN v.value = s.value AND v.unavailable_reason = '' "
                f"THEN {_UNCHANGED} ELSE {_CHANGED} END, s.pos FROM {self.NAME} s LEFT JOIN {value_table} v "
                "ON v.ret_id = s.ret_id AND v.measure_id = s.measure_id"
            )
            if self.postgres:
                # The writes select the rows of one status from this table. Unanalysed, the planner guessed
                # 1,866 of a million changed values and updated them through an index lookup each (a nested
                # loop: the UPDATE took 7.1-7.4 s, and 5.4-5.9 s by one hash join, on a machine where a COPY of
                # the file took 1 s).
                cursor.execute(f"ANALYZE {self.COMPARED}")

    @property
    def writes(self) -> str:
        """The stored returns' new or changed values with the value each replaces, as a table to select from:
        (ret_id, measure_id, value, old_value, has_old, pos)."""
        return (
            f"(SELECT ret_id, measure_id, value, old_value, status = {_CHANGED} AS has_old, pos "
            f"FROM {self.COMPARED} WHERE ret_id > 0 AND status <> {_UNCHANGED})"
        )

    def analyse(self) -> None:
        """Give the planner the staged values' statistics (PostgreSQL), for the joins that read them all."""
        if self.postgres:
            with self.connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {self.NAME}")

    def drop(self) -> None:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.NAME}")
                cursor.execute(f"DROP TABLE IF EXISTS {self.COMPARED}")
        except DatabaseError:  # pragma: no cover - the transaction is failing anyway; it goes with it
            pass

    def stream(self, sql: str, params: tuple = ()) -> Iterator[tuple]:
        """Yield the rows of a query in batches, never all at once (a server-side cursor on PostgreSQL)."""
        if self.postgres:
            with self.connection.connection.cursor(name="import_stream") as cursor:
                cursor.execute(sql, params)
                # A batch at a time: iterating the cursor itself costs a Python call a row (1-2 s at 1M rows).
                while batch := cursor.fetchmany(CHUNK):
                    yield from batch
            return
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(CHUNK):
                yield from batch


def stage_cells(
    sheet: SheetStream,
    lookups: Lookups,
    form: str,
    columns: dict[str, int],
    staging: _Staging,
    *,
    actor=None,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Check every cell, row by row, staging the values; raise ImportRefused listing each problem. Return the rows."""
    current = Month.of(today or _today())
    problems = Problems()
    months: dict[object, object] = {}  # raw cell -> first day, or an error message
    access: dict[str, str | None] = {}  # unit code -> None when allowed, else why not
    ranks = {code: rank for rank, code in enumerate(sorted(lookups.units))}
    # (month, team id) -> the stored return's id, or the negative placeholder of a return to start.
    # Stored returns are read a month at a time, the first time a value for that month is staged.
    ret_ids: dict[tuple[dt.date, int | None], int] = {}
    months_read: set[dt.date] = set()
    placeholders = 0
    pairs: dict[tuple[str, str], str | None] = {}  # (unit code, measure code) -> why it is refused, or None
    named = named_columns(sheet.headers)
    # Rows no longer than the leading run of named columns cannot hold a headerless value: most rows, unchecked.
    all_named = next(index for index in range(len(sheet.headers) + 1) if index not in named)
    month_i, team_i = columns["month"], columns["team"]
    measure_i, value_i = columns.get("measure", -1), columns.get("value", -1)  # the long form's, always located
    measure_columns = [(name, index) for name, index in columns.items() if name not in ("month", "team")]
    # The long form's shortcut (see below) takes rows exactly as wide as the leading run of named columns
    # when that run holds all four columns; -1 (no row is that wide) turns it off.
    plain_width = all_named if form == "long" and max(columns.values()) < all_named else -1
    # (team, measure) cells exactly as written -> (rank, measure id, team id): pairs already staged once.
    accepted: dict[tuple[str, str], tuple[int, int, int | None]] = {}
    batch: list[tuple] = []
    rows = blanks = 0
    staged = 0  # values staged so far: the next one's position
    for number, cells in sheet:
        rows += 1
        if progress is not None and rows % CHUNK == 0:
            progress(rows)
        if len(cells) == plain_width and not problems:
            # The shortcut: most rows of a long-form file repeat a team and measure already staged, in a
            # month already accepted, with a value of plain digits. Such a row passes every check below with
            # the same answers, so it is staged without them. Any other row (a first sighting, a blank,
            # "1,234", a long number, a row after a problem) takes the full checks below.
            target = accepted.get((cells[team_i], cells[measure_i]))
            month = months.get(cells[month_i])  # text only: _month_of keeps other cells under their type too
            value = cells[value_i]
            if target is not None and type(month) is dt.date and is_plain_count(value):
                rank, measure_id, team_id = target
                ret_id = ret_ids.get((month, team_id))
                if ret_id is not None:
                    batch.append((number, month, rank, measure_id, int(value), ret_id, staged))
                    staged += 1
                    if len(batch) >= CHUNK:
                        staging.load(batch)
                        batch = []
                    continue
        message = headerless_value(cells, named) if len(cells) > all_named else None
        if message:
            problems.add(message, row=number)
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
            items = [(cell_text(cell_at(cells, measure_i)), "value", cell_at(cells, value_i))]
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
            if unit is None or isinstance(month, str):
                continue
            pair = (code, measure_code)
            if pair not in pairs:  # whether the unit returns the measure: the same answer on every row
                pairs[pair] = (
                    _wrong_level(measure_code, unit, lookups)
                    if measure[1] != unit.level
                    else measure_refusal(unit.team_id, measure_code, lookups.not_returned)
                )
            if refusal := pairs[pair]:
                problems.add(refusal, row=number, column=column)
                continue
            if problems:
                continue  # once anything is wrong, only checking goes on: nothing more is staged
            if month not in months_read:
                months_read.add(month)
                for team_id, pk in Return.objects.filter(month=month).order_by().values_list("team_id", "pk"):
                    ret_ids[(month, team_id)] = pk
            ret_id = ret_ids.get((month, unit.team_id))
            if ret_id is None:
                placeholders += 1
                ret_id = ret_ids[(month, unit.team_id)] = -placeholders
            batch.append((number, month, ranks[code], measure[0], value, ret_id, staged))
            staged += 1
            if form == "long" and type(cells[team_i]) is str and type(cells[measure_i]) is str:
                accepted[(cells[team_i], cells[measure_i])] = (ranks[code], measure[0], unit.team_id)
        if len(batch) >= CHUNK:
            staging.load(batch)
            batch = []
    problems.raise_if_any()
    if not rows:
        raise ImportRefused("The file has a header but no rows of data.")
    staging.load(batch)
    staging.analyse()
    sheet.blank_cells = blanks  # type: ignore[attr-defined]
    return rows


def plan_staged(
    staging: _Staging, lookups: Lookups, *, sheet: SheetStream, form: str, rows: int, dry_run: bool, lock: bool
) -> StagedPlan:
    """Compare the staged values with the stored returns, return by return, in one ordered pass.

    Refuses duplicates, approved (locked) returns, new returns of inactive
    teams and validation-rule errors on the returns as they would be; counts
    new, changed and unchanged values; and digests every change and state into
    the fingerprint a confirm must match.
    """
    codes = sorted(lookups.units)
    quote = staging.connection.ops.quote_name
    return_table, value_table = quote(Return._meta.db_table), quote(ReturnValue._meta.db_table)
    states: dict[int, tuple[str, int]] = {}
    lock_clause = " FOR UPDATE" if lock and staging.postgres else ""
    # Serialise with the workflow: an approval committed before this point is seen below,
    # one attempted after it waits for this import to commit and then sees its values.
    for pk, state, version in staging.stream(
        f"SELECT r.id, r.state, r.version FROM {return_table} r WHERE r.id IN "
        f"(SELECT DISTINCT ret_id FROM {staging.NAME} WHERE ret_id > 0) ORDER BY r.id{lock_clause}"
    ):
        states[pk] = (state, version)

    result = ReturnsImport(
        file_name=sheet.file_name,
        sha256=sheet.sha256,
        form=form,
        dry_run=dry_run,
        rows=rows,
        blanks=getattr(sheet, "blank_cells", 0),
        units=[],
    )
    plan = StagedPlan(
        result, staging.NAME, staging.writes, {}, {}, positions=staging.values if staging.in_return_order else 0
    )
    checker = _RuleChecker(lookups, value_table, staging)
    digest = _Fingerprint(sheet.sha256)
    problems = Problems()
    group: list[tuple] = []
    key: int | None = None  # the return (ret_id) of the rows in `group`

    def finish() -> None:
        if group:
            _plan_group(group, plan, states, lookups, codes, digest, problems, checker)

    # Each staged value with the value stored now and how it compares; a return's rows arrive together, as
    # ret_id is one per month and unit.
    staging.compare(value_table)
    for row in staging.stream(
        f"SELECT month, unit, measure_id, value, row_no, ret_id, old_value, status FROM {staging.COMPARED} "
        "ORDER BY month, unit, row_no"
    ):
        if row[5] != key:
            finish()
            group, key = [], row[5]
        group.append(row)
    finish()
    checker.flush(problems, result)
    problems.raise_if_any()
    result.fingerprint = digest.hexdigest()
    return plan


class _Fingerprint:
    """What a confirm must match: the file's SHA-256, then each planned return's state and changes.

    Each return's part is pickled with memoising off (`fast`), so equal values
    give equal bytes whatever objects hold them (a third of the CPU of its
    repr); the bytes reach SHA-256 a megabyte at a time.
    """

    def __init__(self, sha256: str) -> None:
        self.digest = hashlib.sha256(sha256.encode())
        self.buffer = io.BytesIO()
        self.pickler = pickle.Pickler(self.buffer, protocol=4)
        self.pickler.fast = True

    def add(self, part: tuple) -> None:
        self.pickler.dump(part)
        if self.buffer.tell() >= 1 << 20:
            self._flush()

    def _flush(self) -> None:
        self.digest.update(self.buffer.getvalue())
        self.buffer.seek(0)
        self.buffer.truncate()

    def hexdigest(self) -> str:
        self._flush()
        return self.digest.hexdigest()


def _plan_group(
    group: list[tuple],
    plan: StagedPlan,
    states: dict,
    lookups: Lookups,
    codes: list[str],
    digest,
    problems: Problems,
    checker: _RuleChecker,
) -> None:
    """Plan one return: the rows of the file for one unit and month, in file order."""
    result = plan.result
    month, rank, ret_id = _as_date(group[0][0]), group[0][1], group[0][5]
    code = codes[rank]
    unit = lookups.units[code]
    state, version = states.get(ret_id, ("", 0)) if ret_id > 0 else ("", 0)
    if state == Return.State.APPROVED:
        rows = [row[4] for row in group]
        problems.add(
            f"the {code} return for {month:%Y-%m} is approved, so it is locked and cannot be "
            f"changed by an import ({_rows_text(rows)}). Ask the performance team to reopen it, "
            "or remove those rows.",
            row=rows[0],
            column="team",
        )
        return
    if ret_id < 0 and not unit.active:
        problems.add(
            f"{code} is not an active team, so it makes no new returns ({month:%Y-%m})", row=group[0][4], column="team"
        )
        return
    summary = UnitMonth(month, code, state)
    changes: list[tuple[str, int | None, int]] = []
    seen: dict[int, int] = {}
    given: dict[str, int] = {}  # measure code -> the value the file gives
    given_rows: dict[str, int] = {}  # measure code -> the row that gives it
    column_of = "value" if result.form == "long" else None
    for _, _, measure_id, value, row_no, _, old_value, status in group:
        measure_code = lookups.measure_codes[measure_id]
        if measure_id in seen:
            problems.add(
                f"rows {seen[measure_id]} and {row_no} both give {measure_code} for {code} in "
                f"{month:%Y-%m}; each value must appear once",
                row=row_no,
                column=column_of or measure_code,
            )
            continue
        seen[measure_id] = row_no
        given[measure_code], given_rows[measure_code] = value, row_no
        if status == _UNCHANGED:
            summary.unchanged += 1
            continue
        if status == _NEW:
            summary.new += 1
        else:
            summary.changed += 1
        changes.append((measure_code, old_value, value))  # the old value is NULL (None) for a new one
    digest.add((month.toordinal(), code, state, summary.unchanged, changes))
    result.new += summary.new
    result.changed += summary.changed
    result.unchanged += summary.unchanged
    result.returns += 1
    if changes:
        summary.back_to_draft = state == Return.State.SUBMITTED
        if ret_id < 0:
            plan.new_returns[ret_id] = (month, unit.team_id)
        else:
            plan.changed_returns[ret_id] = (state, version)
        checker.add(ret_id, code, month, given, given_rows, column_of, problems, result)
    if result.kept_changes < KEPT_CHANGES and changes:
        summary.changes = changes[: KEPT_CHANGES - result.kept_changes]
        result.kept_changes += len(summary.changes)
    if len(result.units) < KEPT_UNITS:
        result.units.append(summary)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class _RuleChecker:
    """Apply the validation rules to changed returns as they would be, a batch of returns per query.

    A return's rules see the values of the measures its unit returns (as its
    submission's checks do): the file's, and for the rules' measures the file
    leaves out, the stored ones. Only those are read, so a file that gives
    whole returns reads none.
    """

    def __init__(self, lookups: Lookups, value_table: str, staging: _Staging) -> None:
        self.rules = validation.load_rules()
        self.lookups = lookups
        # The measures the rules name: a rule reads no other stored value (a rule that does not parse, none).
        named: set[str] = set()
        for rule in self.rules:
            with contextlib.suppress(ExpressionError):
                named |= names_in(rule.left) | names_in(rule.right)
        self.rule_codes = sorted(code for code in named if code in lookups.measures)
        self.returned: dict[str, frozenset[str]] = {}  # unit code -> the rules' measures it returns
        self.value_table = value_table
        self.staging = staging
        # (ret_id, unit code, month, given, given_rows, column, the rules' measures to read stored values of)
        self.pending: list[tuple[int, str, dt.date, dict[str, int], dict[str, int], str | None, frozenset[str]]] = []

    def _rule_measures_of(self, code: str) -> frozenset[str]:
        """The measures the rules name that the unit returns: of its level and, for a team, its type's."""
        found = self.returned.get(code)
        if found is None:
            unit = self.lookups.units[code]
            found = self.returned[code] = frozenset(
                measure
                for measure in self.rule_codes
                if self.lookups.measures[measure][1] == unit.level
                and measure_refusal(unit.team_id, measure, self.lookups.not_returned) is None
            )
        return found

    def add(
        self,
        ret_id: int,
        code: str,
        month: dt.date,
        given: dict,
        given_rows: dict,
        column: str | None,
        problems: Problems,
        result: ReturnsImport,
    ) -> None:
        if not self.rules:
            return
        missing = self._rule_measures_of(code) - given.keys() if ret_id > 0 else frozenset()
        self.pending.append((ret_id, code, month, given, given_rows, column, missing))
        if len(self.pending) >= RULE_BATCH:
            self.flush(problems, result)

    def flush(self, problems: Problems, result: ReturnsImport) -> None:
        if not self.pending:
            return
        stored: dict[int, dict[str, int | None]] = defaultdict(dict)
        reading = [(ret_id, missing) for ret_id, *_, missing in self.pending if missing]
        if reading:
            # One read for the batch; below, each return keeps only the stored values of the measures it leaves
            # out (the others are the file's, and replace what is stored).
            existing = [ret_id for ret_id, _ in reading]
            measure_ids = sorted({self.lookups.measures[code][0] for _, missing in reading for code in missing})
            if self.staging.postgres:  # array parameters, not a placeholder an id to parse and send
                keys, params = "ret_id = ANY(%s) AND measure_id = ANY(%s)", [existing, measure_ids]
            else:
                keys = (
                    f"ret_id IN ({', '.join(['%s'] * len(existing))}) "
                    f"AND measure_id IN ({', '.join(['%s'] * len(measure_ids))})"
                )
                params = existing + measure_ids
            with self.staging.connection.cursor() as cursor:
                cursor.execute(f"SELECT ret_id, measure_id, value FROM {self.value_table} WHERE {keys}", params)
                for ret_id, measure_id, value in cursor.fetchall():
                    stored[ret_id][self.lookups.measure_codes[measure_id]] = value
        for ret_id, code, month, given, given_rows, column, missing in self.pending:
            merged = given
            if ret_id in stored:
                merged = {name: value for name, value in stored[ret_id].items() if name in missing} | given
            _check_rules(self.rules, merged, given_rows, code, month, column, problems, result)
        self.pending = []


def _check_rules(
    rules,
    merged: dict,
    given_rows: dict,
    code: str,
    month: dt.date,
    column: str | None,
    problems: Problems,
    result: ReturnsImport,
) -> None:
    """Apply the validation rules to the return as it would be; errors on values the file gives refuse it.

    `given_rows` maps each measure the file gives to the row that gives it.
    """
    findings = validation.check_return(merged, None, rules=rules)
    for finding in findings:
        involved = [(name, given_rows[name]) for name in finding.fields if name in given_rows]
        if not involved:
            continue  # already stored that way; the form will ask for it to be put right before submission
        first_name, first_row = involved[0]  # the rule's left side when the file gives it: usually the "of those" count
        rows = sorted({row for _, row in involved})
        message = f"{code} {month:%Y-%m}: {finding.message.rstrip('.')}" + (
            f" (rows {', '.join(map(str, rows[:-1]))} and {rows[-1]})" if len(rows) > 1 else ""
        )
        if finding.is_error:
            problems.add(message, row=first_row, column=column or first_name)
        elif len(result.warnings) < MAX_PROBLEMS:
            result.warnings.append(Problem(message, row=first_row, column=column or first_name))
        else:
            result.more_warnings += 1


def _rows_text(rows: list[int]) -> str:
    if len(rows) == 1:
        return f"row {rows[0]}"
    if len(rows) <= 5:
        return "rows " + ", ".join(map(str, rows))
    return f"rows {', '.join(map(str, rows[:5]))} and {len(rows) - 5} more"


def describe(result: ReturnsImport) -> list[str]:
    """Return the lines the command prints: new, changed and unchanged per month and unit, then totals."""
    lines = [f"{'month':<8} {'unit':<14} {'new':>6} {'changed':>8} {'unchanged':>10}  note"]
    for u in result.units:
        note = "back to draft" if u.back_to_draft else ("new return" if not u.state else "")
        lines.append(f"{u.month_label:<8} {u.unit:<14} {u.new:>6} {u.changed:>8} {u.unchanged:>10}  {note}".rstrip())
    if result.units_cut:
        lines.append(f"... and {result.units_cut} more returns, counted in the total.")
    lines.append(f"{'total':<23} {result.new:>6} {result.changed:>8} {result.unchanged:>10}")
    if result.blanks:
        lines.append(
            f"{result.blanks} blank cell{'s' if result.blanks != 1 else ''} skipped "
            "(blank means not given: nothing stored or changed)."
        )
    for warning in result.warnings:
        lines.append(f"Warning: {warning}")
    if result.more_warnings:
        lines.append(f"... and {result.more_warnings} more warnings.")
    return lines
