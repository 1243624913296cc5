"""Import returns from a CSV or XLSX file (long or wide form), all or nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from returns.imports import describe, returns_import
from returns.management.commands._importing import check_file, find_user, refused_error
from returns.spreadsheets import ImportRefused


class Command(BaseCommand):
    help = (
        "Import returns from FILE (CSV or XLSX). Long form: month,team,measure,value; wide form: "
        "month,team,<measure code>,... All or nothing; approved returns are refused. "
        "Prints new, changed and unchanged values per month and unit."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .csv or .xlsx file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, but save nothing.")
        parser.add_argument("--user", help="Username to record as the importer (and whose access applies).")

    def handle(self, *args, file, dry_run=False, user=None, **options):
        # Streamed from the file in constant memory, so the command takes files larger than a web upload.
        limit = settings.IMPORT_COMMAND_MAX_BYTES
        path = check_file(file, limit)
        actor = find_user(user)
        try:
            with path.open("rb") as source:
                result = returns_import(
                    source=source, file_name=path.name, actor=actor, dry_run=dry_run, max_bytes=limit
                )
        except ImportRefused as refused:
            raise refused_error(refused) from None
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        for line in describe(result):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {path.name}: {result.new} new, {result.changed} changed, {result.unchanged} unchanged "
                    f"({result.audit_rows} audit entries)."
                )
            )
