"""Calendar months: parsing, arithmetic and labels, never 30-day spans."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; ordering and arithmetic follow the calendar."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1-12, not {self.month}")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year must be 1-9999, not {self.year}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Return the month written as YYYY-MM; raise ValueError otherwise."""
        match = _MONTH_RE.match(text.strip()) if isinstance(text, str) else None
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
            raise ValueError(f"{text!r} is not a month in the form YYYY-MM")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """Return the month a date falls in."""
        return cls(day.year, day.month)

    def __add__(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def __sub__(self, other: int | Month):
        if isinstance(other, Month):
            return (self.year - other.year) * 12 + (self.month - other.month)
        return self + (-other)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def label(self) -> str:
        """Short label as the board paper prints it, e.g. 'Dec-17'."""
        return f"{_ABBR[self.month - 1]}-{self.year % 100:02d}"

    @property
    def long_label(self) -> str:
        """Label for headings, e.g. 'December 2017'."""
        return f"{_NAMES[self.month - 1]} {self.year}"

    def previous(self, count: int) -> list[Month]:
        """Return the `count` months before this one, oldest first."""
        return [self - n for n in range(count, 0, -1)]

    def window(self, length: int) -> list[Month]:
        """Return the `length` months ending with this one, oldest first."""
        return [self - n for n in range(length - 1, -1, -1)]


def month_range(first: Month, last: Month) -> list[Month]:
    """Return every month from first to last inclusive."""
    return [first + n for n in range(last - first + 1)]


# The earliest month the product keeps anything for (returns, commentary, change points): older months are not a
# council's history worth entering by hand, and refusing them catches typed years such as 0001 or 1017.
EARLIEST_MONTH = Month(2000, 1)
