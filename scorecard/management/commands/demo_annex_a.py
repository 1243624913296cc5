"""Write an Ofsted Annex A workbook for a demo month, made of synthetic children consistent with its counts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lib.months import Month
from scorecard.demo.annex_a import MISMATCHED, DemoMonthError, annex_a_workbook


class Command(BaseCommand):
    help = (
        "Write the demo council's Annex A workbook for YYYY-MM (synthetic children, consistent with the demo's "
        "counts) to FILE; import it with import_annex_a."
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="The month, as YYYY-MM (January 2014 to December 2017).")
        parser.add_argument("-o", "--output", required=True, help="The .xlsx file to write.")

    def handle(self, *args, month, output, **options):
        try:
            when = Month.parse(month)
            data = annex_a_workbook(when)
        except DemoMonthError as error:
            raise CommandError(str(error)) from None
        except ValueError:
            raise CommandError(f"Give the month as YYYY-MM (e.g. 2017-12), not {month!r}.") from None
        path = Path(output)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"{output} should end in .xlsx.")
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        self.stdout.write(
            f"Wrote {output} ({len(data):,} bytes): Annex A for {when.long_label}. Importing it gives "
            f"the demo's figures, except {' and '.join(MISMATCHED)}, which come out as the teams' sums "
            "(the demo's own counts of those are smaller)."
        )
