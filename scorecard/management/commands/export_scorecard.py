"""Write a month's scorecard as JSON, CSV, XLSX or PDF."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lib.months import Month
from scorecard import board_pack, exports
from scorecard.services import get_scorecard, month_status

FORMATS = ("json", "csv", "xlsx", "pdf")


def render(scorecard, fmt: str) -> bytes:
    """Return the scorecard in the format as bytes."""
    if fmt == "json":
        return (json.dumps(exports.scorecard_dict(scorecard), indent=2) + "\n").encode()
    if fmt in board_pack.FILE_FORMATS:
        return board_pack.FILE_FORMATS[fmt].render(scorecard)
    raise CommandError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")


def parse_month(text: str) -> Month:
    """Return the month named on the command line, or stop with a clear message."""
    try:
        return Month.parse(text)
    except ValueError as error:
        raise CommandError(str(error)) from None


def binary_stdout(stdout, fmt: str):
    """Return standard output's byte stream for a binary file; refuse a terminal, which it would garble."""
    buffer = getattr(stdout, "buffer", None)
    if buffer is None or stdout.isatty():
        raise CommandError(f"{fmt.upper()} is a binary file: give -o FILE or redirect the output to a file.")
    return buffer


class Command(BaseCommand):
    help = "Export a month's scorecard: export_scorecard YYYY-MM --format json|csv|xlsx|pdf [-o FILE]."

    def add_arguments(self, parser):
        parser.add_argument("month", help="The month, as YYYY-MM.")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="json")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, month, fmt, output=None, **options):
        wanted = parse_month(month)
        binary = fmt in board_pack.FILE_FORMATS and board_pack.FILE_FORMATS[fmt].binary
        buffer = binary_stdout(self.stdout, fmt) if binary and not output else None
        status = month_status(wanted)
        if status is None:
            raise CommandError(f"There are no returns for {wanted.long_label}.")
        content = render(get_scorecard(wanted, status), fmt)
        if output:
            try:
                Path(output).write_bytes(content)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
            self.stderr.write(f"Wrote {wanted.long_label} ({status}) as {fmt} to {output}.")
        elif buffer is not None:
            buffer.write(content)
            buffer.flush()
        else:
            self.stdout.write(content.decode(), ending="")
