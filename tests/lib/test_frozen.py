"""Frozen dataclasses to JSON and back: exact numbers, and snapshots that survive classes growing."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from lib.frozen import from_plain, to_plain
from lib.months import Month


@dataclass(frozen=True)
class Point:
    month: Month
    value: float | None


@dataclass(frozen=True)
class Reading:
    points: tuple[Point, ...]
    exact: Fraction | None
    target: Decimal | None
    window: tuple[Month, Month] | None = None
    flags: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GrownReading(Reading):
    """Reading as a later version of the code has it: two fields more, with defaults."""

    sentence: str = "not yet said"
    limits: tuple[float, ...] = ()


def round_trip(value, kind):
    return from_plain(kind, json.loads(json.dumps(to_plain(value))))


def test_numbers_months_and_nesting_come_back_exactly():
    reading = Reading(
        points=(Point(Month(2017, 12), 0.1 + 0.2), Point(Month(2018, 1), None)),
        exact=Fraction(2, 3),
        target=Decimal("95.50"),
        window=(Month(2016, 1), Month(2016, 12)),
        flags={"shift": 7},
    )
    back = round_trip(reading, Reading)
    assert back == reading
    assert type(back.exact) is Fraction and type(back.target) is Decimal and back.target.as_tuple().exponent == -2
    assert back.points[0].value == 0.1 + 0.2  # bit for bit


def test_whole_numbers_keep_their_type_and_non_finite_floats_survive():
    assert round_trip(Point(Month(2017, 1), math.inf), Point).value == math.inf
    assert math.isnan(round_trip(Point(Month(2017, 1), math.nan), Point).value)
    assert type(round_trip(Reading((), 5, None), Reading).exact) is int


def test_a_snapshot_taken_before_fields_were_added_reads_with_their_defaults():
    old = json.loads(json.dumps(to_plain(Reading((Point(Month(2017, 12), 1.5),), Fraction(1, 2), None))))
    grown = from_plain(GrownReading, old)
    assert (grown.sentence, grown.limits, grown.exact) == ("not yet said", (), Fraction(1, 2))


def test_fields_a_class_no_longer_has_are_ignored():
    plain = to_plain(GrownReading((), None, None, sentence="said"))
    assert from_plain(Reading, plain) == Reading((), None, None)
