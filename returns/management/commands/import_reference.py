"""Import reference data (council, areas, teams, population, targets, comparators) from CSV or XLSX."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from returns.management.commands._importing import find_user, read_file, refused_error
from returns.reference_import import KINDS, ReferenceResult, reference_import
from returns.spreadsheets import ImportRefused


def describe(result: ReferenceResult) -> list[str]:
    """Return one line per new or updated row (with old -> new), then the counts."""
    lines = []
    for row in result.rows:
        if row.action == "new":
            lines.append(f"row {row.row}: new {row.key}")
        elif row.action == "updated":
            changes = "; ".join(f"{column} {old!r} -> {new!r}" for column, old, new in row.changes)
            lines.append(f"row {row.row}: {row.key}: {changes}")
    lines.append(f"{result.kind}: {result.new} new, {result.updated} updated, {result.unchanged} unchanged.")
    return lines


class Command(BaseCommand):
    help = (
        "Import reference data: import_reference KIND FILE, KIND one of "
        + ", ".join(KINDS)
        + ". All or nothing; re-runnable (existing codes are updated)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="What the file holds.")
        parser.add_argument("file", help="The .csv or .xlsx file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, but save nothing.")
        parser.add_argument("--user", help="Username to record in the history as the importer.")

    def handle(self, *args, kind, file, dry_run=False, user=None, **options):
        data, name = read_file(file)
        actor = find_user(user)
        try:
            result = reference_import(kind=kind, data=data, file_name=name, actor=actor, dry_run=dry_run)
        except ImportRefused as refused:
            raise refused_error(refused) from None
        for line in describe(result):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
