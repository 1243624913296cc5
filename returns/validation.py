"""Checking a return's values: strict parsing of typed counts, rules as data, outliers.

Plain functions over plain values, so the form, the services and the importer
all apply the same checks:

- `parse_count(text)` turns what a person typed into a count, or says why not.
- `check_return(values, history)` applies the active validation rules and the
  outlier checks to one return's values and returns findings; errors block
  submission, warnings need a comment.
- `check_blanks(values, unavailable, labels)` finds blanks not marked "not available".

`values` maps measure codes the unit returns to a count, or None when blank.
`history` maps a measure code to its values in the unit's previous 12 months,
oldest first, so the last item is last month's (None where nothing was returned).
"""

from __future__ import annotations

import math
import operator
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from indicators.expressions import Evaluator, ExpressionError, compile_expression, names_in
from lib.text import shorten

MAX_COUNT = 10**9

# A count is ASCII digits, optionally with commas between groups of three ("1,234").
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")

# Outliers: a value is a warning only when it is both outside the unit's usual
# range and materially different from last month. The usual range is the
# median +/- 3 median absolute deviations (MAD) of the last 12 months, the MAD
# scaled by 1.4826 so that, for normally spread counts, 3 MADs is 3 standard
# deviations, and never narrower than 10% of the median or 5 either side. A
# material change from last month is at least MATERIAL_MIN_CHANGE and at least
# MATERIAL_MIN_RELATIVE of last month's figure: a caseload of 611 after 609 is
# no news even when the last year was unusually steady. With too little
# history for a usual range (under 6 months), a change of more than half on
# last month (and at least 5) still warns.
# Tuned with bench/warning_rate.py on the demo's returns: 17.6% of returns
# carried a warning under the earlier "outside the range OR 50% from last
# month" rule, 5.9% now (a change of 5 and 10% gave 7.6%; 10 and 20%, 4.3%).
OUTLIER_MADS = 3
OUTLIER_MAD_SCALE = 1.4826
OUTLIER_MIN_RELATIVE = Fraction(1, 10)
OUTLIER_CHANGE = Fraction(1, 2)
OUTLIER_MIN_CHANGE = 5
OUTLIER_MIN_HISTORY = 6
MATERIAL_MIN_CHANGE = 5
MATERIAL_MIN_RELATIVE = Fraction(3, 20)

ERROR = "error"
WARNING = "warning"

_OPERATORS = {
    "<=": (operator.le, "is more than"),
    "<": (operator.lt, "is not less than"),
    ">=": (operator.ge, "is less than"),
    ">": (operator.gt, "is not more than"),
    "==": (operator.eq, "differs from"),
    "!=": (operator.ne, "equals"),
}


class CountError(ValueError):
    """Typed text that is not an acceptable count; the message says why."""


@dataclass(frozen=True)
class Finding:
    """One problem with a return: an error blocks submission, a warning needs a comment."""

    severity: str
    code: str
    message: str
    fields: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class Rule:
    """A validation rule as plain data (see returns.models.ValidationRule)."""

    code: str
    left: str
    operator: str
    right: str
    severity: str
    message: str


def parse_count(text: str | int | None) -> int | None:
    """Return the count typed as `text`, or None when blank; raise CountError saying why it is refused.

    Accepted: ASCII digits, optionally grouped by commas in threes ("1,234"),
    surrounding spaces ignored, 0 to 1,000,000,000. Refused: decimals, signs,
    exponents, other digits and characters, and larger numbers.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise CountError("Enter a whole number.")
    if isinstance(text, int):
        return _in_range(text)
    if not isinstance(text, str):
        raise CountError("Enter a whole number.")
    stripped = text.strip()
    if stripped == "":
        return None
    if _PLAIN.fullmatch(stripped) or _GROUPED.fullmatch(stripped):
        digits = stripped.replace(",", "").lstrip("0") or "0"
        if len(digits) > len(str(MAX_COUNT)):  # before int(): a megabyte of digits is refused, not parsed
            raise CountError(f"That number is too large: the largest count accepted is {MAX_COUNT:,}.")
        return _in_range(int(digits))
    raise CountError(_why_not_a_count(stripped))


def _in_range(value: int) -> int:
    if value < 0:
        raise CountError("Enter 0 or more: counts cannot be negative.")
    if value > MAX_COUNT:
        raise CountError(f"{value:,} is too large: the largest count accepted is {MAX_COUNT:,}.")
    return value


def _why_not_a_count(text: str) -> str:
    shown = shorten(text, 20)
    if re.fullmatch(r"-\s*[0-9,]+", text):
        return "Enter 0 or more: counts cannot be negative."
    if re.fullmatch(r"[0-9,]*\.[0-9]*", text):
        return f"“{shown}” has a decimal point: enter a whole number."
    if re.fullmatch(r"[0-9.]+[eE][+-]?[0-9]+", text):
        return f"“{shown}” is in exponent form: write the number out in full."
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in text):
        return f"“{shown}” uses digits other than 0-9: type it with the digits 0-9."
    if re.fullmatch(r"[0-9,]+", text):
        return f"“{shown}” has commas in the wrong places: use them only between groups of three digits."
    return f"“{shown}” is not a whole number: use the digits 0-9 only."


def load_rules() -> list[Rule]:
    """Return the active validation rules from the database."""
    from returns.models import ValidationRule  # the pure checks above need no Django

    return [
        Rule(r.code, r.left, r.operator, r.right, r.severity, r.message)
        for r in ValidationRule.objects.filter(active=True).order_by("code")
    ]


def check_return(
    values: Mapping[str, int | None],
    history: Mapping[str, Sequence[int | None]] | None = None,
    *,
    rules: Iterable[Rule] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Return the findings of the rules (the active ones when not given) and the outlier checks."""
    if rules is None:
        rules = load_rules()
    labels = labels or {}
    findings = [f for rule in rules if (f := check_rule(rule, values, labels)) is not None]
    if history:
        findings.extend(check_outliers(values, history, labels=labels))
    return findings


@lru_cache(maxsize=512)
def _compiled(left_text: str, right_text: str) -> tuple[frozenset[str], Evaluator, Evaluator] | None:
    """Return a rule's names and its two sides compiled, or None when a side is not a valid expression.

    Cached by the rule's text: an import checks every rule against each of up to a hundred thousand returns.
    """
    try:
        names = names_in(left_text) | names_in(right_text)
        return names, _side(left_text), _side(right_text)
    except ExpressionError:
        return None  # the admin refuses such rules; one edited in the database is skipped


def _side(text: str) -> Evaluator:
    """Compile one side of a rule. A side that is one measure code reads the count as it is: a whole number
    compares exactly with a whole number or a fraction, and most rules compare two counts."""
    evaluate = compile_expression(text)
    name = text.strip()
    if names_in(text) == {name}:
        return operator.itemgetter(name)  # check_rule has seen the value is there and not blank
    return evaluate


def check_rule(rule: Rule, values: Mapping[str, int | None], labels: Mapping[str, str]) -> Finding | None:
    """Return the rule's finding for these values, or None when it passes or does not apply.

    A rule applies only when the unit returns every measure it names and none is blank.
    """
    compiled = _compiled(rule.left, rule.right)
    if compiled is None:
        return None
    names, left, right = compiled
    for name in names:
        if values.get(name) is None:
            return None
    left_value, right_value = left(values), right(values)
    if left_value is None or right_value is None:  # a division by zero
        return None
    compare, failed_as = _OPERATORS[rule.operator]
    if compare(left_value, right_value):
        return None
    message = (
        f"{rule.message} {_describe(rule.left, left_value, labels)} {failed_as} "
        f"{_describe(rule.right, right_value, labels)}."
    )
    left_names = tuple(sorted(names_in(rule.left))) or tuple(sorted(names))
    return Finding(rule.severity, rule.code, message, left_names + tuple(sorted(names - set(left_names))))


def _describe(expression: str, value: Fraction, labels: Mapping[str, str]) -> str:
    text = expression.strip()
    if text in labels:
        return f"{labels[text]} ({text}) = {_number(value)}"
    return f"{text} = {_number(value)}"


def _number(value: Fraction | int) -> str:
    if isinstance(value, int) or value.denominator == 1:
        return f"{int(value):,}"
    return f"{float(value):,.2f}"


def check_outliers(
    values: Mapping[str, int | None],
    history: Mapping[str, Sequence[int | None]],
    *,
    labels: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Return a warning for each value far from the unit's last 12 months or far from last month."""
    labels = labels or {}
    findings = []
    for code, value in values.items():
        past = list(history.get(code) or ())
        if value is None or not past:
            continue
        reasons = outlier_reasons(value, past)
        if reasons:
            name = f"{labels[code]} ({code})" if code in labels else code
            findings.append(
                Finding(
                    WARNING,
                    f"outlier:{code}",
                    f"{name} = {value:,} looks unusual: {'; '.join(reasons)}. Check it, or explain it in the comment.",
                    (code,),
                )
            )
    return findings


def outlier_reasons(value: int, past: Sequence[int | None]) -> list[str]:
    """Return why a value stands out from its past (oldest first, the last item last month's), or []."""
    last = past[-1]
    known = [v for v in past if v is not None]
    if len(known) < OUTLIER_MIN_HISTORY:
        # No usual range yet: only a large swing on last month is worth a question.
        if (
            last is not None
            and abs(value - last) >= OUTLIER_MIN_CHANGE
            and (last == 0 or Fraction(abs(value - last), last) > OUTLIER_CHANGE)
        ):
            return [f"last month it was {last:,} (a change of more than 50%)"]
        return []
    if last is not None and not is_material_change(value, last):
        return []
    median = statistics.median(known)
    mad = statistics.median(abs(v - median) for v in known) * OUTLIER_MAD_SCALE
    band = max(OUTLIER_MADS * mad, OUTLIER_MIN_CHANGE, float(OUTLIER_MIN_RELATIVE) * median)
    if abs(value - median) <= band:
        return []
    # Counts are whole numbers: the usual range is the whole numbers inside the band.
    low, high = max(math.ceil(median - band), 0), math.floor(median + band)
    reason = f"the last {len(known)} months' median is {_number(Fraction(median))}, usual range {low:,} to {high:,}"
    if last is not None:
        reason += f", and last month it was {last:,}"
    return [reason]


def is_material_change(value: int, last: int) -> bool:
    """Return True if a count moved enough on last month to be worth a question (see the constants above)."""
    change = abs(value - last)
    return change >= MATERIAL_MIN_CHANGE and (last == 0 or Fraction(change, last) >= MATERIAL_MIN_RELATIVE)


def check_blanks(
    values: Mapping[str, int | None],
    unavailable: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Return an error for each blank value that is not marked not available with a reason."""
    labels = labels or {}
    return [
        Finding(
            ERROR,
            f"blank:{code}",
            f"{labels.get(code, code)} ({code}) is blank: enter a value, or mark it not available and say why.",
            (code,),
        )
        for code, value in values.items()
        if value is None and not (unavailable.get(code) or "").strip()
    ]
