"""Import returns from a CSV or XLSX file (long or wide form), all or nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from returns.imports import describe, returns_import
from returns.management.commands._importing import find_user, read_file, refused_error
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
        data, name = read_file(file)
        actor = find_user(user)
        try:
            result = returns_import(data=data, file_name=name, actor=actor, dry_run=dry_run)
        except ImportRefused as refused:
            raise refused_error(refused) from None
        for line in describe(result):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Imported {name}: {result.new} new, {result.changed} changed, {result.unchanged} unchanged "
                f"({result.audit_rows} audit entries)."
            ))
