"""Safe arithmetic over measure codes: parsed once, never passed to eval.

An expression is numbers, names (measure codes, plus `population` for rates),
+ - * / and brackets. Evaluation is exact (fractions); a name without a value
makes the whole expression "no data" (None); division by zero also gives None.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from functools import lru_cache

POPULATION = "population"

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
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ExpressionError(f"“{text}” is not a valid expression.") from None
    return _build(tree.body, text)


@lru_cache(maxsize=512)
def names_in(text: str) -> frozenset[str]:
    """Return the names an expression refers to."""
    compile_expression(text)  # refuse bad syntax first
    return frozenset(node.id for node in ast.walk(ast.parse(text.strip(), mode="eval")) if isinstance(node, ast.Name))


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
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        constant = Fraction(str(node.value))
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
    raise ExpressionError(
        f"“{text}” may use only measure codes, numbers, + - * / and brackets."
    )


def _lookup(values: Mapping, name: str) -> Fraction | None:
    value = values.get(name)
    return None if value is None else Fraction(value)


def _apply(op, a):
    return None if a is None else op(a)


def _binary(op, a, b):
    if a is None or b is None:
        return None
    return op(a, b)
