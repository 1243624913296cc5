"""Safe arithmetic over measure codes: parsed once, never passed to eval.

An expression is numbers, names (measure codes, plus `population` for rates),
+ - * / and brackets. Evaluation is exact (fractions); a name without a value
makes the whole expression "no data" (None); division by zero also gives None.

Anything else is an ExpressionError before it is parsed or evaluated: text
longer than MAX_LENGTH, brackets or signs nested deeper than MAX_DEPTH, and
numbers that are not finite (`1e999`) or larger than MAX_NUMBER.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from functools import lru_cache

from lib.text import shorten

POPULATION = "population"
# The longest expression accepted (the model fields hold 500 characters).
MAX_LENGTH = 500
# Brackets and unary signs nested deeper than this are refused before parsing (the parser recurses).
MAX_DEPTH = 50
# No count, rate or multiplier comes near this; a larger number in a rule is a typing slip or an attack.
MAX_NUMBER = 10**15

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b if b != 0 else None,
}


class ExpressionError(ValueError):
    """An expression that cannot be used: bad syntax or an unknown name."""


Evaluator = Callable[[Mapping[str, Fraction | int | None]], Fraction | None]


@lru_cache(maxsize=512)
def compile_expression(text: str) -> Evaluator:
    """Return a function evaluating `text` over a mapping of names to values."""
    return _build(_parse(text), text)


def _parse(text: str) -> ast.expr:
    """Return the parsed expression, refusing anything too long, too deep or not an expression."""
    shown = shorten(text, 60)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"“{shown}” is longer than {MAX_LENGTH} characters.")
    if "\x00" in text:
        raise ExpressionError("The expression contains a character that is not text (NUL).")
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    signs = max((len(run) for run in _SIGN_RUNS.findall(text)), default=0)
    if deepest > MAX_DEPTH or signs > MAX_DEPTH:
        raise ExpressionError(f"“{shown}” nests brackets or signs more than {MAX_DEPTH} deep.")
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"“{shown}” is not a valid expression.") from None


_SIGN_RUNS = re.compile(r"[-+\s]+")


@lru_cache(maxsize=512)
def names_in(text: str) -> frozenset[str]:
    """Return the names an expression refers to."""
    compile_expression(text)  # refuse bad syntax first
    return frozenset(node.id for node in ast.walk(_parse(text)) if isinstance(node, ast.Name))


def validate_expression(text: str, known: Iterable[str], *, allow_population: bool = True) -> None:
    """Raise ExpressionError unless `text` parses and names only known measures (and population, if allowed)."""
    if not text or not text.strip():
        raise ExpressionError("The expression is empty.")
    names = names_in(text)
    if not allow_population and POPULATION in names:
        raise ExpressionError("This expression may use measure codes only, not population.")
    unknown = sorted(names - set(known) - {POPULATION})
    if unknown:
        raise ExpressionError(f"Unknown measure code(s) in “{text}”: {', '.join(unknown)}.")


def _build(node: ast.AST, text: str) -> Evaluator:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        constant = _number(node.value, text)
        return lambda values: constant
    if isinstance(node, ast.Name):
        name = node.id
        return lambda values: _lookup(values, name)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _build(node.operand, text)
        sign = -1 if isinstance(node.op, ast.USub) else 1
        return lambda values: _apply(lambda a: sign * a, operand(values))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right, op = _build(node.left, text), _build(node.right, text), _BINARY[type(node.op)]
        return lambda values: _binary(op, left(values), right(values))
    raise ExpressionError(f"“{text}” may use only measure codes, numbers, + - * / and brackets.")


def _number(value: int | float, text: str) -> Fraction:
    """Return a number of the expression exactly, refusing one that is not finite or too large."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionError(f"“{text}” holds a number too large to use ({value}); numbers must be finite.")
    if abs(value) > MAX_NUMBER:
        raise ExpressionError(f"“{text}” holds a number larger than {MAX_NUMBER:,}.")
    return Fraction(str(value))


def _lookup(values: Mapping, name: str) -> Fraction | None:
    value = values.get(name)
    return None if value is None else Fraction(value)


def _apply(op, a):
    return None if a is None else op(a)


def _binary(op, a, b):
    if a is None or b is None:
        return None
    return op(a, b)
