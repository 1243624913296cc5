"""Spreadsheet cells that cannot be read as formulas (CSV/XLSX injection)."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(value):
    """Return text prefixed with ' when a spreadsheet would read it as a formula; other values as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def column_letter(index: int) -> str:
    """Return a spreadsheet column's letters from its 0-based index (0 -> A, 26 -> AA), however far right."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
