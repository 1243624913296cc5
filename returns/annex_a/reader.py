"""Reading an Annex A workbook into the month's counts: lists by sheet name, columns by header, rows one at a time.

Child-level data lives only in the row being counted: each row is parsed,
added to the tally and dropped. What comes out is counts per measure (for
the authority, and per team name), row counts, and problems that name the
list, row and column, never a cell's value.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from lib.cells import column_letter
from lib.months import Month
from lib.workdays import WorkingCalendar
from returns.annex_a.measures import LISTS, Context, ListSpec, RowProblem, Tally, count_row, header_key, list_number
from returns.annex_a.workbook import Workbook, open_workbook

HEADER_SEARCH_ROWS = 20  # a title or notes above the header are skipped, this far down
ROWS_SHOWN = 20  # row numbers listed per problem; the count covers them all
MAX_PROBLEMS = 200


@dataclass
class ProblemGroup:
    """One kind of problem in one list and column, with the rows it was found on."""

    list_number: int | None
    column: str
    message: str
    rows: list[int] = field(default_factory=list)
    count: int = 0

    @property
    def where(self) -> str:
        parts = [f"List {self.list_number}"] if self.list_number else []
        if self.rows:
            shown = ", ".join(map(str, self.rows))
            more = f" and {self.count - len(self.rows):,} more" if self.count > len(self.rows) else ""
            parts.append(f"row{'s' if self.count > 1 else ''} {shown}{more}")
        if self.column:
            parts.append(f"column “{self.column}”")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ProblemList:
    """Problems grouped by list, column and message, capped so a broken file cannot flood memory."""

    def __init__(self) -> None:
        self.groups: dict[tuple, ProblemGroup] = {}

    def add(self, list_number: int | None, message: str, *, row: int | None = None, column: str = "") -> None:
        key = (list_number, column, message)
        group = self.groups.get(key)
        if group is None:
            if len(self.groups) >= MAX_PROBLEMS:
                key = (None, "", "more problems")
                group = self.groups.setdefault(key, ProblemGroup(None, "", "... and more problems not listed."))
            else:
                group = self.groups[key] = ProblemGroup(list_number, column, message)
        group.count += 1
        if row is not None and len(group.rows) < ROWS_SHOWN:
            group.rows.append(row)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def __iter__(self):
        return iter(sorted(self.groups.values(), key=lambda g: (g.list_number or 99, g.rows[:1], g.column)))

    def __len__(self) -> int:
        return len(self.groups)


@dataclass
class Derivation:
    """What a workbook says about a month: counts, which measures it gives, and what could not be used."""

    file_name: str
    sha256: str
    month: Month
    lists: dict[int, str] = field(default_factory=dict)  # list number -> sheet name
    measures: list[str] = field(default_factory=list)  # measures derived, in the lists' order
    not_derived: dict[str, str] = field(default_factory=dict)  # measure -> why not
    authority: dict[str, int] = field(default_factory=dict)
    teams: dict[str, dict[str, int]] = field(default_factory=dict)  # team name -> measure -> count
    team_rows: dict[str, int] = field(default_factory=dict)
    rows_read: dict[int, int] = field(default_factory=dict)
    no_team_rows: int = 0
    errors: ProblemList = field(default_factory=ProblemList)  # would make a figure wrong: refuse
    notes: ProblemList = field(default_factory=ProblemList)  # rows or cells not used, and why

    @property
    def missing_lists(self) -> list[int]:
        return [n for n in LISTS if n not in self.lists]

    @property
    def team_measures(self) -> list[str]:
        return [m for m in self.measures if any(m in spec.team_measures for spec in LISTS.values())]


def derivation_to_json(derivation: Derivation) -> bytes:
    """Return the derivation as JSON: counts, names of teams, sheets and columns, row numbers; no cell values."""
    problems = {
        kind: [[g.list_number, g.column, g.message, g.rows, g.count] for g in getattr(derivation, kind)]
        for kind in ("errors", "notes")
    }
    return json.dumps(
        {
            "file_name": derivation.file_name,
            "sha256": derivation.sha256,
            "month": str(derivation.month),
            "lists": derivation.lists,
            "measures": derivation.measures,
            "not_derived": derivation.not_derived,
            "authority": derivation.authority,
            "teams": derivation.teams,
            "team_rows": derivation.team_rows,
            "rows_read": derivation.rows_read,
            "no_team_rows": derivation.no_team_rows,
            **problems,
        }
    ).encode()


def derivation_from_json(data: bytes) -> Derivation:
    """Return a derivation saved by `derivation_to_json`."""
    raw = json.loads(data)
    result = Derivation(
        file_name=raw["file_name"],
        sha256=raw["sha256"],
        month=Month.parse(raw["month"]),
        lists={int(k): v for k, v in raw["lists"].items()},
        measures=raw["measures"],
        not_derived=raw["not_derived"],
        authority=raw["authority"],
        teams=raw["teams"],
        team_rows=raw["team_rows"],
        rows_read={int(k): v for k, v in raw["rows_read"].items()},
        no_team_rows=raw["no_team_rows"],
    )
    for kind in ("errors", "notes"):
        problems = getattr(result, kind)
        for list_number_, column, message, rows, count in raw[kind]:
            problems.groups[(list_number_, column, message)] = ProblemGroup(list_number_, column, message, rows, count)
    return result


def derive(data: bytes, file_name: str, month: Month, calendar: WorkingCalendar) -> Derivation:
    """Return the month's counts from the workbook, with every problem found; raise ImportRefused if unreadable."""
    result = Derivation(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), month=month)
    ctx = Context(month, calendar)
    tally = Tally()
    with open_workbook(data, file_name) as book:
        sheets = _sheets_by_list(book, result)
        for number, spec in LISTS.items():
            if number not in sheets:
                reason = f"List {number} ({spec.title.lower()}) is not in the workbook"
                for measure in spec.needs:
                    result.not_derived[measure] = reason
                continue
            result.lists[number] = sheets[number]
            _read_list(book, sheets[number], spec, ctx, tally, result)
    result.authority = {m: tally.authority.get(m, 0) for m in result.measures if m not in _team_level()}
    result.teams = {name: dict(counts) for name, counts in tally.teams.items()}
    result.team_rows = dict(tally.team_rows)
    result.no_team_rows = tally.no_team_rows
    return result


def _team_level() -> frozenset[str]:
    return frozenset(m for spec in LISTS.values() for m in spec.team_measures)


def _sheets_by_list(book: Workbook, result: Derivation) -> dict[int, str]:
    sheets: dict[int, str] = {}
    for name in book.sheet_names:
        number = list_number(name)
        if number is None:
            continue
        if number in sheets:
            result.errors.add(number, f"two sheets hold List {number} (“{sheets[number]}” and “{name}”): keep one")
            continue
        sheets[number] = name
    return sheets


def _read_list(book: Workbook, sheet: str, spec: ListSpec, ctx: Context, tally: Tally, result: Derivation) -> None:
    if not spec.needs:
        return  # a list no measure is derived from: present, not read
    wanted: set[int] = set()
    rows = book.rows(sheet, wanted)
    found = _find_header(rows, spec, result)
    if found is None:
        for measure in spec.needs:
            result.not_derived[measure] = f"List {spec.number} has no header row naming its columns"
        return
    measures = []
    for measure, keys in spec.needs.items():
        missing = [spec.column(k).label for k in keys if k not in found]
        if missing:
            result.not_derived[measure] = f"List {spec.number} has no column “{missing[0]}”"
        else:
            measures.append(measure)
    if not measures:
        return
    result.measures.extend(measures)
    used = {k for m in measures for k in spec.needs[m]}
    columns = [(spec.column(k), found[k]) for k in used]
    wanted.update(index for _, index in columns)
    chosen = frozenset(measures)
    date1904 = book.date1904
    read = 0
    for number, row_cells in rows:
        read += 1
        values, usable = {}, True
        for column, index in columns:
            raw = row_cells.get(index)
            try:
                values[column.key] = column.read(raw, date1904)
            except ValueError as exc:
                result.errors.add(spec.number, str(exc), row=number, column=column.label)
                usable = False
        if not usable:
            continue

        def note(key: str, message: str, _number: int = number) -> None:
            result.notes.add(spec.number, message, row=_number, column=spec.column(key).label)

        try:
            count_row(spec.number, values, chosen, ctx, tally, note)
        except RowProblem as problem:
            result.errors.add(spec.number, problem.message, row=number, column=spec.column(problem.column).label)
    result.rows_read[spec.number] = read


def _find_header(rows, spec: ListSpec, result: Derivation) -> dict[str, int] | None:
    """Return {column key: index} from the first row naming any of the list's columns, or None."""
    for seen, (number, row_cells) in enumerate(rows, start=1):
        found: dict[str, int] = {}
        where: dict[str, list[int]] = defaultdict(list)
        for index, raw in row_cells.items():
            if not isinstance(raw, str):
                continue
            key = header_key(raw)
            for column in spec.columns:
                if key and column.matches(key):
                    where[column.key].append(index)
                    break
        for key, indexes in where.items():
            if len(indexes) > 1:
                letters = " and ".join(column_letter(i) for i in indexes)
                result.errors.add(
                    spec.number, f"two columns ({letters}) are both “{spec.column(key).label}”: keep one", row=number
                )
            found[key] = indexes[0]
        if found:
            return found
        if seen >= HEADER_SEARCH_ROWS:
            return None
    return None
