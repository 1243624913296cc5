"""Spreadsheet cells that cannot be read as formulas (CSV/XLSX injection)."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(value):
    """Return text prefixed with ' when a spreadsheet would read it as a formula; other values as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
