"""Import reference data (council, areas, teams, population, targets, comparators) from a file.

All or nothing, and re-runnable: rows are found by their natural key (a code,
or area and year, ...) and updated in place, unchanged rows are left alone,
and nothing a row refers to (an area, a team type, an indicator) is ever
created on the way. Lives in `returns` because it touches both `teams` and
`indicators`, which import flow allows only from here or further right.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import tablib
from django.db import transaction

from returns import resources
from returns.spreadsheets import (
    ImportRefused,
    Problems,
    Sheet,
    cell_at,
    cell_text,
    locate_columns,
    read_sheet,
)
from teams.models import Council, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Kind:
    """One kind of reference file: its columns (contract), Resource and who may import it."""

    name: str
    label: str
    headers: list[str]
    resource: type[resources.ReferenceResource]
    permissions: tuple[str, ...]
    # Columns a file may add after the contract's; blank when it does not.
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [*self.headers, *self.optional]


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "council",
            "Council",
            ["code", "name"],
            resources.CouncilResource,
            ("teams.add_council", "teams.change_council"),
        ),
        Kind(
            "areas", "Areas", ["code", "name", "kind"], resources.AreaResource, ("teams.add_area", "teams.change_area")
        ),
        Kind(
            "teams",
            "Teams",
            ["code", "name", "area", "team_type"],
            resources.TeamResource,
            ("teams.add_team", "teams.change_team"),
        ),
        Kind(
            "population",
            "Child population",
            ["area", "year", "population_0_17"],
            resources.PopulationResource,
            ("teams.add_population", "teams.change_population"),
        ),
        Kind(
            "targets",
            "Targets",
            ["indicator", "effective_from", "value", "tolerance"],
            resources.TargetResource,
            ("indicators.add_target", "indicators.change_target"),
        ),
        Kind(
            "comparators",
            "Comparators",
            ["indicator", "kind", "period", "value", "source"],
            resources.ComparatorResource,
            ("indicators.add_comparator", "indicators.change_comparator"),
            optional=("line",),
        ),
    )
}


@dataclass
class RowOutcome:
    """What a file's row did (or would do): new, updated (with old -> new per column) or unchanged."""

    row: int
    action: str
    key: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class ReferenceResult:
    kind: str
    file_name: str
    sha256: str
    dry_run: bool
    rows: list[RowOutcome]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def fingerprint(self) -> str:
        """A digest of the file and of every row's effect: a confirm must match its preview."""
        text = repr((self.sha256, [(r.row, r.action, r.key, r.changes) for r in self.rows]))
        return hashlib.sha256(text.encode()).hexdigest()


def reference_import(
    *,
    kind: str,
    data: bytes,
    file_name: str,
    actor: User | None = None,
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
) -> ReferenceResult:
    """Import a reference file of `kind` all or nothing; raise ImportRefused naming every problem.

    With `expected_fingerprint` (a preview's), the import is refused if it would
    now do anything other than what that preview showed.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ImportRefused(f"“{kind}” is not a kind of reference data; use one of: {', '.join(KINDS)}.")
    sheet = read_sheet(data, file_name)
    dataset, numbers = _dataset(sheet, spec)
    _check_file(spec, dataset, numbers)
    resource = spec.resource(actor=actor, reason=f"import {file_name}")
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=False, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
        )
        _raise_problems(result, resource, numbers)
        outcome = ReferenceResult(
            kind=kind,
            file_name=file_name,
            sha256=sheet.sha256,
            dry_run=dry_run,
            rows=_outcomes(result, resource, spec, numbers),
        )
        if expected_fingerprint is not None and outcome.fingerprint != expected_fingerprint:
            raise ImportRefused(
                "The data this file touches changed after the preview, so nothing was imported. "
                "Upload the file again to see the new preview."
            )
        if dry_run:
            transaction.set_rollback(True)
    return outcome


def _dataset(sheet: Sheet, spec: Kind) -> tuple[tablib.Dataset, list[int]]:
    columns = locate_columns(sheet, spec.headers, optional=spec.optional)
    if not sheet.rows:
        raise ImportRefused("The file has a header but no rows of data.")
    dataset = tablib.Dataset(headers=spec.columns)
    numbers = []
    for number, cells in sheet.rows:
        dataset.append([cell_at(cells, columns[name]) if name in columns else "" for name in spec.columns])
        numbers.append(number)
    return dataset, numbers


def _check_file(spec: Kind, dataset: tablib.Dataset, numbers: list[int]) -> None:
    """Refuse what row-by-row import cannot see: a key given twice, a second council, clashing codes."""
    problems = Problems()
    key_columns = [spec.resource.fields[name].column_name for name in spec.resource._meta.import_id_fields]
    first_row: dict[tuple, int] = {}
    for number, values in zip(numbers, dataset.dict, strict=True):
        key = tuple(cell_text(values[column]) for column in key_columns)
        if not all(part for part, column in zip(key, key_columns, strict=True) if column in spec.headers):
            continue  # a blank key is reported by the Resource, with its column
        if key in first_row:
            problems.add(
                f"rows {first_row[key]} and {number} both give {' '.join(filter(None, key))}; each must appear once",
                row=number,
            )
        else:
            first_row[key] = number
    if spec.name == "council":
        _check_council(dataset, numbers, problems)
    if spec.name == "teams":
        council = Council.objects.values_list("code", flat=True).first()
        for number, values in zip(numbers, dataset.dict, strict=True):
            if council and cell_text(values["code"]) == council:
                problems.add(
                    f"{council} is the council's own code (the unit of its authority-level return); "
                    "a team needs another code",
                    row=number,
                    column="code",
                )
    problems.raise_if_any()


def _check_council(dataset: tablib.Dataset, numbers: list[int], problems: Problems) -> None:
    if len(dataset) != 1:
        problems.add(f"a council file has exactly one row (the council itself); this one has {len(dataset)}")
        return
    code = cell_text(dataset.dict[0]["code"])
    existing = Council.objects.exclude(code=code).first()
    if existing:
        problems.add(
            f"this install already holds the council {existing.code} ({existing.name}); "
            "a second council cannot be added",
            row=numbers[0],
            column="code",
        )
    if code and Team.objects.filter(code=code).exists():
        problems.add(
            f"{code} is already a team's code; the council needs a code of its own", row=numbers[0], column="code"
        )


def _raise_problems(result, resource, numbers: list[int]) -> None:
    problems = Problems()
    columns = {name: f.column_name for name, f in resource.fields.items()}
    for error in result.base_errors:
        problems.add(_message(error.error))
    for number, errors in result.row_errors():
        for error in errors:
            exc = error.error
            problems.add(_message(exc), row=numbers[number - 1], column=getattr(exc, "column", ""))
    for invalid in result.invalid_rows:
        row = numbers[invalid.number - 1]
        for name, messages in invalid.field_specific_errors.items():
            for message in messages:
                problems.add(_message(message), row=row, column=columns.get(name, name))
        for message in invalid.non_field_specific_errors:
            problems.add(_message(message), row=row)
    problems.raise_if_any()


def _message(error) -> str:
    text = getattr(error, "message", None) or str(error)
    if hasattr(error, "messages") and not isinstance(error, str):
        text = "; ".join(str(m) for m in error.messages)
    return text[:1].upper() + text[1:] if text else "This row cannot be imported."


def _outcomes(result, resource, spec: Kind, numbers: list[int]) -> list[RowOutcome]:
    """Describe each row's effect, with old -> new for every column a row changes."""
    outcomes = []
    id_fields = spec.resource._meta.import_id_fields
    columns = [f for f in resource.get_import_fields() if f.column_name in spec.columns]
    for index, row_result in enumerate(result.rows):
        instance = row_result.instance
        key = " ".join(resource.fields[name].export(instance) for name in id_fields)
        number = numbers[index]
        if row_result.import_type == row_result.IMPORT_TYPE_NEW:
            outcomes.append(RowOutcome(number, "new", key, [(f.column_name, "", f.export(instance)) for f in columns]))
        elif row_result.import_type == row_result.IMPORT_TYPE_UPDATE:
            changes = []
            for f in columns:
                old, new = f.export(row_result.original), f.export(instance)
                if old != new:
                    changes.append((f.column_name, old, new))
            outcomes.append(RowOutcome(number, "updated" if changes else "unchanged", key, changes))
        else:
            outcomes.append(RowOutcome(number, "unchanged", key))
    return outcomes
