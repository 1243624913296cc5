"""Derive a month's case measures from an Ofsted Annex A workbook into its draft returns."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from lib.months import Month
from returns.annex_a.importer import annex_a_import, describe
from returns.management.commands._importing import find_user, read_file, refused_error
from returns.spreadsheets import ImportRefused


def parse_month(text: str) -> Month:
    """Return the --month argument as a Month, or stop with a message."""
    try:
        return Month.parse(text)
    except ValueError:
        raise CommandError(f"--month must be a month as YYYY-MM (e.g. 2017-12), not {text!r}.") from None


class Command(BaseCommand):
    help = (
        "Derive the month's case measures (referrals, assessments, plans, children in care, care leavers, "
        "adoption, children in need, open cases) from an Annex A workbook (.xlsx, sheets 'List 1' to 'List 11') "
        "into the month's draft returns. Child-level rows are read in memory and never stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The Annex A workbook (.xlsx).")
        parser.add_argument("--month", required=True, help="The month to derive, as YYYY-MM.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, but save nothing.")
        parser.add_argument("--user", help="Username to record as the importer.")
        parser.add_argument(
            "--unmapped-to-authority",
            action="store_true",
            help="Count rows of team names nobody has mapped at authority level only.",
        )

    def handle(self, *args, file, month, dry_run=False, user=None, unmapped_to_authority=False, **options):
        when = parse_month(month)
        data, name = read_file(file)
        actor = find_user(user)
        try:
            result = annex_a_import(
                data=data,
                file_name=name,
                month=when,
                actor=actor,
                dry_run=dry_run,
                unmapped_to_authority=unmapped_to_authority,
            )
        except ImportRefused as refused:
            raise refused_error(refused) from None
        for line in describe(result):
            self.stdout.write(line)
        if dry_run:
            if result.unmapped:
                self.stdout.write(
                    "Map the names marked NOT MAPPED (admin: Team name mappings), or pass "
                    "--unmapped-to-authority, before importing."
                )
            self.stdout.write("Dry run: nothing was saved.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Imported {name} for {when.long_label}: {result.changed} values changed.")
            )
