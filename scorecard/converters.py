"""URL converter for months written YYYY-MM; anything else is a 404."""

from lib.months import Month


class MonthConverter:
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> Month:
        return Month.parse(value)  # ValueError makes the URL not match: 404

    def to_url(self, value: Month | str) -> str:
        return str(value)
