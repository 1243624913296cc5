"""Rounding and formatting of figures as the board paper prints them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Number = Fraction | Decimal | int | float


def round_half_up(value: Number, places: int = 0) -> Decimal:
    """Return value rounded half up (0.5 -> 1, 84.5 -> 85), never to even."""
    if isinstance(value, Fraction):
        # Divide exactly in Decimal with ample precision before rounding.
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value: Number | None, places: int = 0, *, unit: str = "count") -> str:
    """Return the figure with thousands separators and its unit sign, or an en dash."""
    if value is None:
        return "–"
    text = f"{round_half_up(value, places):,.{places}f}"
    return f"{text}%" if unit == "percent" else text
