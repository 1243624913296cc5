"""Frozen dataclasses to plain JSON and back, generically, for snapshots that must outlive the code's shape.

`to_plain` walks dataclasses by their fields; `from_plain` rebuilds them from
their type hints. A field the stored data lacks takes its default (a field
added to a dataclass after the snapshot was taken), and stored keys the class
no longer has are ignored, so a snapshot stays readable as the classes grow.
Numbers keep their exact type: fractions, decimals and months are tagged, and
floats (finite or not) come back bit for bit. Enum members are stored as their
values and come back as members (a snapshot stored when the field was a plain
string loads as the member of that value).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import math
import types
import typing
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

from lib.months import Month

_FRACTION, _DECIMAL, _MONTH, _FLOAT = "$fraction", "$decimal", "$month", "$float"


class FrozenError(ValueError):
    """Stored data that does not fit the class asked for."""


def to_plain(value: Any) -> Any:
    """Return `value` as JSON-able lists, dicts, strings, numbers and None."""
    rule = _plain_rule(value.__class__)
    if rule is _AS_IS:
        return value
    if type(rule) is tuple:  # a dataclass's field names
        return {name: to_plain(getattr(value, name)) for name in rule}
    if rule is _ITEMS:
        return [to_plain(item) for item in value]
    if rule is _MAP:
        if all(isinstance(key, str) for key in value):
            return {key: to_plain(item) for key, item in value.items()}
        return {"$items": [[to_plain(key), to_plain(item)] for key, item in value.items()]}
    if rule is _ENUM_VALUE:
        return to_plain(value.value)
    if rule is _FLOAT_TAG:
        return value if math.isfinite(value) else {_FLOAT: repr(value)}
    if rule is _FRACTION:
        return {_FRACTION: f"{value.numerator}/{value.denominator}"}
    if rule is _DECIMAL:
        return {_DECIMAL: str(value)}
    if rule is _MONTH:
        return {_MONTH: str(value)}
    raise FrozenError(f"cannot freeze a {type(value).__name__}")


_AS_IS, _ITEMS, _MAP, _ENUM_VALUE, _FLOAT_TAG, _UNKNOWN = "as is", "items", "map", "enum", "float", "unknown"


@cache
def _plain_rule(kind: Any) -> str | tuple[str, ...]:
    """Return how to_plain writes a value of type `kind`, worked out once per type (a snapshot holds some
    500,000 values): one of the rules above, a tag, or a dataclass's field names. Checked in this order: an
    enum member that is also a string or number is stored as its value."""
    if issubclass(kind, enum.Enum):
        return _ENUM_VALUE
    if kind is type(None) or issubclass(kind, (bool, str, int)):
        return _AS_IS
    if issubclass(kind, float):
        return _FLOAT_TAG
    for tagged, tag in ((Fraction, _FRACTION), (Decimal, _DECIMAL), (Month, _MONTH)):
        if issubclass(kind, tagged):
            return tag
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    if issubclass(kind, (list, tuple)):
        return _ITEMS
    if issubclass(kind, dict):
        return _MAP
    return _UNKNOWN


def from_plain(kind: Any, data: Any) -> Any:
    """Return `data` (from `to_plain`) rebuilt as `kind`, a type or type hint."""
    if data is None:
        return None
    if isinstance(data, dict) and len(data) == 1:
        tag, text = next(iter(data.items()))
        if tag == _FRACTION:
            return _fraction(text)
        if tag == _DECIMAL:
            return Decimal(text)
        if tag == _MONTH:
            return Month.parse(text)
        if tag == _FLOAT:
            return float(text)
    shape = _shape(kind)
    if shape is _UNION:
        return _from_union(kind, data)
    if shape is _SEQUENCE:
        return _from_sequence(kind, data)
    if shape is _MAPPING:
        return _from_mapping(kind, data)
    if shape is _DATACLASS:
        return _from_dataclass(kind, data)
    if shape is _ENUM:
        return _from_enum(kind, data)
    if kind is float and isinstance(data, int):
        return float(data)
    return data


def _fraction(text: str) -> Fraction:
    """Return the fraction written "numerator/denominator", built from the two whole numbers: Fraction's own
    reading of text checks its argument against the numeric tower first, which cost a fifth of decoding a
    snapshot. Any other way of writing a fraction is read as Fraction reads it."""
    numerator, slash, denominator = text.partition("/")
    try:
        return Fraction(int(numerator), int(denominator) if slash else 1)
    except ValueError:
        return Fraction(text)


_UNION, _SEQUENCE, _MAPPING, _DATACLASS, _ENUM, _PLAIN = "union", "sequence", "mapping", "dataclass", "enum", "plain"


@cache
def _shape(kind: Any) -> str:
    """Return what kind of hint `kind` is, worked out once per hint (snapshots hold thousands of objects)."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _UNION
    if origin in (tuple, list) or kind in (tuple, list):
        return _SEQUENCE
    if origin in (dict, collections.abc.Mapping) or kind is dict:
        return _MAPPING
    if dataclasses.is_dataclass(kind):
        return _DATACLASS
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _ENUM
    return _PLAIN


@cache
def _union_options(kind: Any) -> tuple[tuple[tuple[Any, frozenset[str]], ...], Any, Any]:
    """Return a union's dataclasses (with their field names), its first sequence hint and its scalar type."""
    options = typing.get_args(kind)
    classes = tuple(
        (option, frozenset(f.name for f in dataclasses.fields(option)))
        for option in options
        if dataclasses.is_dataclass(option)
    )
    sequence = next((option for option in options if _shape(option) is _SEQUENCE), None)
    scalar = next(
        (
            option
            for option in options
            if option in (float, int, str, bool, Fraction, Decimal) or _shape(option) is _ENUM
        ),
        None,
    )
    return classes, sequence, scalar


def _from_union(kind: Any, data: Any) -> Any:
    classes, sequence, scalar = _union_options(kind)
    if isinstance(data, dict) and classes:
        # Of several dataclasses, the one whose fields the data names best.
        best = classes[0][0] if len(classes) == 1 else max(classes, key=lambda c: len(set(data) & c[1]))[0]
        return _from_dataclass(best, data)
    if isinstance(data, list) and sequence is not None:
        return _from_sequence(sequence, data)
    return from_plain(scalar, data) if scalar is not None else data


@cache
def _sequence_plan(kind: Any) -> tuple[type, tuple | None, Any]:
    """Return a sequence hint's type, its per-position hints (a fixed tuple) or None, and its item hint."""
    origin = typing.get_origin(kind) or kind
    args = typing.get_args(kind)
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        return origin, args, None
    return origin, None, args[0] if args else Any


def _from_sequence(kind: Any, data: Any) -> Any:
    if not isinstance(data, list):
        raise FrozenError(f"expected a list for {kind}, found {type(data).__name__}")
    origin, positions, item_kind = _sequence_plan(kind)
    if positions is not None:
        return tuple(from_plain(arg, item) for arg, item in zip(positions, data, strict=False))
    items = [from_plain(item_kind, item) for item in data]
    return tuple(items) if origin is tuple else items


def _from_mapping(kind: Any, data: Any) -> Any:
    key_kind, value_kind = (typing.get_args(kind) or (Any, Any))[:2]
    if isinstance(data, dict) and "$items" in data and len(data) == 1:
        return {from_plain(key_kind, k): from_plain(value_kind, v) for k, v in data["$items"]}
    return {key: from_plain(value_kind, value) for key, value in data.items()}


@cache
def _field_kinds(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints.get(f.name, Any) for f in dataclasses.fields(cls) if f.init}


def _from_enum(cls: type[enum.Enum], data: Any) -> Any:
    try:
        return cls(data)
    except ValueError:
        raise FrozenError(f"{data!r} is not a {cls.__name__}") from None


def _from_dataclass(cls: type, data: Any) -> Any:
    if not isinstance(data, dict):
        raise FrozenError(f"expected an object for {cls.__name__}, found {type(data).__name__}")
    kinds = _field_kinds(cls)
    return cls(**{name: from_plain(kinds[name], value) for name, value in data.items() if name in kinds})
