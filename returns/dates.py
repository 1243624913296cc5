"""When returns are due and which months can be returned: calendar rules, no database."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from lib.months import Month

# Months before this are not a council's returns history worth entering by hand.
EARLIEST_MONTH = Month(2000, 1)


def today() -> dt.date:
    """Return today's date in the council's time zone."""
    return timezone.localdate()


def working_day(month: Month, n: int) -> dt.date:
    """Return the n-th working day (Monday to Friday) of the month; bank holidays are not known here."""
    if n < 1:
        raise ValueError(f"working day must be 1 or more, not {n}")
    day, seen = month.first_day, 0
    while True:
        if day.weekday() < 5:
            seen += 1
            if seen == n:
                return day
        day += dt.timedelta(days=1)


def due_date(month: Month) -> dt.date:
    """Return the day a month's returns are due: the RETURNS_DUE_WORKING_DAY-th working day of the next month."""
    return working_day(month + 1, settings.RETURNS_DUE_WORKING_DAY)


def latest_open_month(on: dt.date) -> Month:
    """Return the latest month returns may be entered for: next month, so a team can start early."""
    return Month.of(on) + 1


def is_reportable(month: Month, on: dt.date) -> bool:
    """Return True if returns for the month may exist on the given day."""
    return EARLIEST_MONTH <= month <= latest_open_month(on)
