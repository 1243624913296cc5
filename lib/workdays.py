"""Working days: Monday to Friday, less the bank holidays of England and Wales and a council's own closures.

Bank holidays come from the maintained `holidays` package (its England
calendar, which Wales shares), so a new year's dates need no code change.
Counting is by a cumulative table built once per span of years, so counting
the working days between two dates costs two lookups however far apart they
are (an import counts them for every assessment in a file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays

from lib.months import Month

# Dates outside these years are refused rather than expanding the table without bound.
FIRST_YEAR = 1950
LAST_YEAR = 2100


class WorkingCalendar:
    """Which days are working days, and counts of them between dates."""

    def __init__(self, closures: Iterable[dt.date] = ()) -> None:
        self.closures = frozenset(closures)
        self._first = self._last = 0  # years covered by the table; none yet
        self._base = dt.date.min
        self._cumulative: list[int] = []

    def is_working_day(self, day: dt.date) -> bool:
        """Return True if the day is a weekday that is neither a bank holiday nor a council closure."""
        index = self._index(day)  # first: it may rebuild the table
        table = self._cumulative
        return table[index] > (table[index - 1] if index else 0)

    def count(self, after: dt.date, through: dt.date) -> int:
        """Return the working days after `after` up to and including `through` (0 when through <= after)."""
        if through <= after:
            return 0
        end, start = self._index(through), self._index(after)  # first: either may rebuild the table
        return self._cumulative[end] - self._cumulative[start]

    def nth_working_day(self, month: Month, n: int) -> dt.date:
        """Return the n-th working day counted from the month's first day (into the next month if it has fewer)."""
        if n < 1:
            raise ValueError(f"working day must be 1 or more, not {n}")
        day, seen = month.first_day, 0
        while True:
            if self.is_working_day(day):
                seen += 1
                if seen == n:
                    return day
            day += dt.timedelta(days=1)

    def _index(self, day: dt.date) -> int:
        if not self._first <= day.year <= self._last:
            self._build(day.year)
        return (day - self._base).days

    def _build(self, year: int) -> None:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"{year} is outside the years working days are counted for ({FIRST_YEAR}-{LAST_YEAR})")
        # Cover a generous span around the year asked for, so a file's dates rarely rebuild it.
        first = max(FIRST_YEAR, min(year, self._first or year) - 5)
        last = min(LAST_YEAR, max(year, self._last) + 5)
        bank = holidays.country_holidays("GB", subdiv="ENG", years=range(first, last + 1))
        day, end = dt.date(first, 1, 1), dt.date(last, 12, 31)
        cumulative, total = [], 0
        while day <= end:
            if day.weekday() < 5 and day not in bank and day not in self.closures:
                total += 1
            cumulative.append(total)
            day += dt.timedelta(days=1)
        self._first, self._last, self._base, self._cumulative = first, last, dt.date(first, 1, 1), cumulative
