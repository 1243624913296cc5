"""Frozen dataclasses to JSON and back: exact numbers, and snapshots that survive classes growing."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import pytest

from lib.frozen import FrozenError, from_plain, to_plain
from lib.months import Month
from lib.vocab import Polarity, Rating, Trend


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


@dataclass(frozen=True)
class Judged:
    rating: Rating
    trend: Trend | None
    polarities: tuple[Polarity, ...] = ()


@dataclass(frozen=True)
class Branch:
    size: Fraction
    branches: tuple[Branch, ...] = ()


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


def test_a_snapshot_stored_with_plain_words_reads_back_as_the_vocabularies_members():
    # As published snapshots hold them: the fields were plain strings when they were taken.
    stored = '{"rating": "amber", "trend": "declining", "polarities": ["higher", "neither"]}'
    judged = from_plain(Judged, json.loads(stored))
    assert judged == Judged(Rating.AMBER, Trend.DECLINING, (Polarity.HIGHER, Polarity.NEITHER))
    assert type(judged.rating) is Rating and type(judged.trend) is Trend
    assert all(type(p) is Polarity for p in judged.polarities)
    assert from_plain(Judged, {"rating": "none", "trend": None}).trend is None
    # Members are written as their plain values, so snapshots taken now read as those taken before.
    assert json.dumps(to_plain(judged), separators=(",", ":")) == stored.replace(" ", "")
    assert type(to_plain(judged)["rating"]) is str


def test_a_stored_word_that_is_no_member_is_refused():
    with pytest.raises(FrozenError, match="'purple' is not a Rating"):
        from_plain(Judged, {"rating": "purple", "trend": None})


def test_keys_other_than_text_are_kept_as_pairs_and_other_types_are_refused():
    assert to_plain({Month(2017, 12): Fraction(1, 3), "x": True}) == {
        "$items": [[{"$month": "2017-12"}, {"$fraction": "1/3"}], ["x", True]]
    }
    with pytest.raises(FrozenError, match="cannot freeze a set"):
        to_plain({1})
    # A dataclass itself, not one of its objects, is no value to store.
    with pytest.raises(FrozenError, match="cannot freeze a type"):
        to_plain(Point)


def test_fractions_read_in_any_way_fraction_reads_them_and_a_class_may_hold_itself():
    # Written "numerator/denominator"; read fast from the two whole numbers, or as Fraction reads any other text.
    for text, fraction in [
        ("-7/3", Fraction(-7, 3)),
        ("5", Fraction(5)),
        ("1.5", Fraction(3, 2)),
        (" 2/4", Fraction(1, 2)),
    ]:
        assert from_plain(Fraction, {"$fraction": text}) == fraction
    with pytest.raises(ValueError):
        from_plain(Fraction, {"$fraction": "two thirds"})
    tree = Branch(Fraction(1, 3), (Branch(Fraction(2, 3)), Branch(Fraction(5), (Branch(Fraction(-1, 7)),))))
    assert round_trip(tree, Branch) == tree
