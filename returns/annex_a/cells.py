"""Reading Annex A cells in the spellings real files use; no database, and no cell value in any message.

Each parser returns the value, None for a blank (or an error value such as
#N/A, which the case system writes for "nothing"), or raises ValueError with
a reason that never repeats the cell: problem lists may be read by anyone
with import rights, and a cell may be a child's name or date of birth.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from returns.annex_a.workbook import NO_RESULT, CellError

FIRST_YEAR, LAST_YEAR = 1950, 2100
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1 January 1900 (Excel counts a 29 February 1900 that never was)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
_ERROR_TEXTS = {"#n/a", "#na", "n/a", "#value!", "#ref!", "#div/0!", "#num!", "#name?", "#null!", "#error"}
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_NAMED = re.compile(r"^(\d{1,2})[ \-]([A-Za-z]{3,9})[ \-](\d{2}|\d{4})$")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_LABEL = re.compile(r"^[a-z]\d?\)\s*")  # the "a) " the Annex A template puts before each category


class FormulaWithoutResult(ValueError):
    """A formula saved without its result: the workbook must be calculated and saved again."""


def is_missing(raw: object) -> bool:
    """Return True for a blank cell or an error value (#N/A and the like), both read as "not recorded"."""
    if raw is None or isinstance(raw, CellError):
        return True
    if isinstance(raw, str):
        text = raw.strip()
        return not text or text.lower() in _ERROR_TEXTS
    return False


def _check(raw: object) -> None:
    if raw is NO_RESULT:
        raise FormulaWithoutResult(
            "the cell holds a formula saved without its result: open the file in Excel, "
            "let it calculate and save it, then import it again"
        )


def parse_date(raw: object, *, date1904: bool = False) -> dt.date | None:
    """Return the date in a cell: a date, an Excel serial number, dd/mm/yyyy or yyyy-mm-dd text."""
    _check(raw)
    if is_missing(raw):
        return None
    if isinstance(raw, dt.datetime):
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    elif isinstance(raw, bool):
        raise ValueError("TRUE/FALSE is not a date")
    elif isinstance(raw, (int, float, Decimal)):
        day = _serial(float(raw), date1904)
    else:
        day = _date_text(str(raw).strip(), date1904)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"the date's year is outside {FIRST_YEAR} to {LAST_YEAR}")
    return day


def _serial(number: float, date1904: bool) -> dt.date:
    if number != number or not 1 <= number < 2_958_466:
        raise ValueError("the number is not an Excel date")
    return (_EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH) + dt.timedelta(days=int(number))


def _date_text(text: str, date1904: bool) -> dt.date:
    try:
        if match := _DMY.match(text):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        if match := _ISO.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if (match := _NAMED.match(text)) and match[2][:3].lower() in _MONTHS:
            year = int(match[3]) if len(match[3]) == 4 else 2000 + int(match[3])
            return dt.date(year, _MONTHS[match[2][:3].lower()], int(match[1]))
    except ValueError:
        raise ValueError("the text is not a real date (check the day and month)") from None
    if text.replace(".", "", 1).isdigit():
        return _serial(float(text), date1904)
    raise ValueError("the text is not a date this import reads (a date, dd/mm/yyyy or yyyy-mm-dd)")


def _words(raw: object) -> str:
    """Return a category cell as compared: lower case, single spaces, the template's "a) " label removed."""
    text = " ".join(str(raw).split()).lower()
    return _LABEL.sub("", text)


_YES = {"yes", "y", "true", "1", "1.0"}
_NO = {"no", "n", "false", "0", "0.0"}
_UNKNOWN = {"unknown", "not known", "u", "nk", "not recorded", "not stated"}


def parse_yes_no(raw: object) -> bool | None:
    """Return True for yes (Yes, Y, a) Yes, TRUE), False for no, None for blank or unknown."""
    _check(raw)
    if is_missing(raw):
        return None
    if isinstance(raw, bool):
        return raw
    words = _words(raw)
    if words in _YES:
        return True
    if words in _NO:
        return False
    if words in _UNKNOWN:
        return None
    raise ValueError("the cell is not yes or no (Yes, Y, a) Yes; No, N, b) No; or Unknown)")


def parse_count(raw: object) -> int | None:
    """Return a whole number of at least 0 (a number cell or digits)."""
    _check(raw)
    if is_missing(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError("TRUE/FALSE is not a number")
    if isinstance(raw, (int, float, Decimal)):
        if raw != raw or raw < 0 or raw != int(raw):
            raise ValueError("the cell is not a whole number of 0 or more")
        return int(raw)
    text = str(raw).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise ValueError("the cell is not a whole number of 0 or more")
    return int(text)


def parse_text(raw: object) -> str | None:
    """Return a name cell (a team, a worker) with its spaces tidied, None when blank."""
    _check(raw)
    if is_missing(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = " ".join(str(raw).split())
    return text[:200] or None


_LOOKED_AFTER = ("looked after", "lac", "cla", "cic", "child in care", "children in care")
_NOT_LOOKED_AFTER = (
    "child protection",
    "cp plan",
    "cpp",
    "child in need",
    "cin",
    "open assessment",
    "assessment",
    "closed",
    "closed episode",
    "family support",
    "early help",
    "other",
)


def parse_looked_after(raw: object) -> bool | None:
    """Return True if List 6's case status says looked after ("a) Looked after child", "LAC", ...), False if
    another status (child protection plan, child in need plan, open assessment, closed episode)."""
    _check(raw)
    if is_missing(raw):
        return None
    text = " ".join(str(raw).split()).lower()
    if re.match(r"^a\)", text):
        return True
    if re.match(r"^[b-e]\)", text):
        return False
    words = _words(raw)
    if words in _LOOKED_AFTER or "looked after" in words:
        return True
    if words in _NOT_LOOKED_AFTER or any(w in words for w in ("protection", "in need", "assessment", "closed")):
        return False
    raise ValueError(
        "the case status is not one Annex A uses (a) Looked after child, b) Child Protection plan, "
        "c) Child in need plan, d) Open assessment, e) Closed episode)"
    )


# SSDA903 activity codes: F full time, P part time (1 higher education, 2 other education, 3 training or
# employment, 4 apprenticeship, 5 training or employment not an apprenticeship), G not in education,
# employment or training (1-6 by reason).
ACTIVITY_CODES = frozenset({f"{kind}{n}" for kind in "FP" for n in range(1, 6)} | {f"G{n}" for n in range(1, 7)})
ETE_CODES = frozenset({"F1", "P1", "F2", "P2", "F3", "P3"})
_ACTIVITY_CODE = re.compile(r"^(?:[a-z]\)\s*)?([fpg][1-6])\b")
_ACTIVITY_WORDS = (
    ("full time in higher education", "F1"),
    ("part time in higher education", "P1"),
    ("full time in education other than higher", "F2"),
    ("part time in education other than higher", "P2"),
    ("full time in training or employment", "F3"),
    ("part time in training or employment", "P3"),
)


def parse_activity(raw: object) -> str | None:
    """Return the SSDA903 activity code of a care leaver's activity cell ("F1", "F1: Full time in higher
    education", "Full time in higher education", "G5 - NEET other" ...)."""
    _check(raw)
    if is_missing(raw):
        return None
    text = " ".join(str(raw).split()).lower()
    if match := _ACTIVITY_CODE.match(text):
        code = match.group(1).upper()
        if code in ACTIVITY_CODES:
            return code
    for words, code in _ACTIVITY_WORDS:
        if text.startswith(words):
            return code
    if text.startswith(("not in education", "neet")):
        return "G5"
    raise ValueError("the activity is not an SSDA903 activity code (F1-F5, P1-P5, G1-G6) or its words")
