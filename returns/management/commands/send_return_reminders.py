"""Email the data entry users of overdue returns and tell the performance team what awaits approval.

Designed to run daily from cron, e.g. `0 7 * * 1-5 python manage.py send_return_reminders`.
Best effort: an email that cannot be sent is logged and the others still go.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from returns import dates, reminders


class Command(BaseCommand):
    help = "Email reminders about overdue returns and returns awaiting approval."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as on this day (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--months",
            type=int,
            default=reminders.LOOK_BACK_MONTHS,
            help="How many past months to look back over (default %(default)s).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print who would be emailed; send nothing.")

    def handle(self, *args, date=None, months=reminders.LOOK_BACK_MONTHS, dry_run=False, **options):
        today = parse_day(date) if date else dates.today()
        if not 0 <= months <= 24:
            raise CommandError("--months must be between 0 and 24.")
        messages = reminders.build_reminders(today, months)
        if dry_run:
            for message in messages:
                self.stdout.write(f"Would email {', '.join(message.to)}: {message.subject}")
            self.stdout.write(f"{len(messages)} reminder(s) would be sent.")
            return
        sent, failed = reminders.send_reminders(messages)
        self.stdout.write(f"{sent} reminder(s) sent, {failed} failed.")


def parse_day(text: str) -> dt.date:
    """Return the day written YYYY-MM-DD; refuse anything else with a message."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date {text!r} is not a day in the form YYYY-MM-DD.") from None
