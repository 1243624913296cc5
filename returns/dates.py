"""When returns are due and which months can be returned: calendar rules over the council's working days."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from lib.months import EARLIEST_MONTH, Month
from lib.workdays import WorkingCalendar
from returns.models import ClosureDay


def today() -> dt.date:
    """Return today's date in the council's time zone."""
    return timezone.localdate()


def working_calendar() -> WorkingCalendar:
    """Return the working days: weekdays less bank holidays (England and Wales) and the council's closure days."""
    return WorkingCalendar(ClosureDay.objects.values_list("day", flat=True))


def working_day(month: Month, n: int, calendar: WorkingCalendar | None = None) -> dt.date:
    """Return the n-th working day of the month (not a weekend, bank holiday or closure day)."""
    if n < 1:
        raise ValueError(f"working day must be 1 or more, not {n}")
    return (calendar or working_calendar()).nth_working_day(month, n)


def due_date(month: Month, calendar: WorkingCalendar | None = None) -> dt.date:
    """Return the day a month's returns are due: the RETURNS_DUE_WORKING_DAY-th working day of the next month.

    A return is overdue from the day after (never on the day it is due).
    """
    return working_day(month + 1, settings.RETURNS_DUE_WORKING_DAY, calendar)


def latest_open_month(on: dt.date) -> Month:
    """Return the latest month returns may be entered for: next month, so a team can start early."""
    return Month.of(on) + 1


def is_reportable(month: Month, on: dt.date) -> bool:
    """Return True if returns for the month may exist on the given day."""
    return EARLIEST_MONTH <= month <= latest_open_month(on)
