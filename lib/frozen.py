"""Frozen dataclasses to plain JSON and back, generically, for snapshots that must outlive the code's shape.

`to_plain` walks dataclasses by their fields; `from_plain` rebuilds them from
their type hints. A field the stored data lacks takes its default (a field
added to a dataclass after the snapshot was taken), and stored keys the class
no longer has are ignored, so a snapshot stays readable as the classes grow.
Numbers keep their exact type: fractions, decimals and months are tagged, and
floats (finite or not) come back bit for bit.
"""

from __future__ import annotations

import dataclasses
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
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {_FLOAT: repr(value)}
    if isinstance(value, Fraction):
        return {_FRACTION: f"{value.numerator}/{value.denominator}"}
    if isinstance(value, Decimal):
        return {_DECIMAL: str(value)}
    if isinstance(value, Month):
        return {_MONTH: str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: to_plain(item) for key, item in value.items()}
        return {"$items": [[to_plain(key), to_plain(item)] for key, item in value.items()]}
    raise FrozenError(f"cannot freeze a {type(value).__name__}")


def from_plain(kind: Any, data: Any) -> Any:
    """Return `data` (from `to_plain`) rebuilt as `kind`, a type or type hint."""
    if data is None:
        return None
    if isinstance(data, dict) and len(data) == 1:
        tag, text = next(iter(data.items()))
        if tag == _FRACTION:
            return Fraction(text)
        if tag == _DECIMAL:
            return Decimal(text)
        if tag == _MONTH:
            return Month.parse(text)
        if tag == _FLOAT:
            return float(text)
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _from_union(typing.get_args(kind), data)
    if origin in (tuple, list) or kind in (tuple, list):
        return _from_sequence(kind, origin or kind, data)
    if origin is dict or kind is dict or origin in (typing.Mapping, _abc_mapping()):
        return _from_mapping(kind, data)
    if dataclasses.is_dataclass(kind):
        return _from_dataclass(kind, data)
    if kind is float and isinstance(data, int):
        return float(data)
    return data


def _abc_mapping() -> Any:
    import collections.abc

    return collections.abc.Mapping


def _from_union(options: tuple, data: Any) -> Any:
    classes = [option for option in options if dataclasses.is_dataclass(option)]
    if isinstance(data, dict) and classes:
        # Of several dataclasses, the one whose fields the data names best.
        return from_plain(max(classes, key=lambda c: len(set(data) & {f.name for f in dataclasses.fields(c)})), data)
    for option in options:
        if option is type(None):
            continue
        if isinstance(data, list) and typing.get_origin(option) in (tuple, list):
            return from_plain(option, data)
    scalar = next((o for o in options if o in (float, int, str, bool, Fraction, Decimal)), None)
    return from_plain(scalar, data) if scalar is not None else data


def _from_sequence(kind: Any, origin: type, data: Any) -> Any:
    if not isinstance(data, list):
        raise FrozenError(f"expected a list for {kind}, found {type(data).__name__}")
    args = typing.get_args(kind)
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        return tuple(from_plain(arg, item) for arg, item in zip(args, data, strict=False))
    item_kind = args[0] if args else Any
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


def _from_dataclass(cls: type, data: Any) -> Any:
    if not isinstance(data, dict):
        raise FrozenError(f"expected an object for {cls.__name__}, found {type(data).__name__}")
    kinds = _field_kinds(cls)
    return cls(**{name: from_plain(kinds[name], value) for name, value in data.items() if name in kinds})
