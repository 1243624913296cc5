"""The shared vocabularies: stored values that never change, and one wording for each."""

from __future__ import annotations

import json

import pytest

from indicators.models import Indicator
from lib.vocab import (
    Assurance,
    ComparatorKind,
    ConflictRule,
    Movement,
    Polarity,
    Rating,
    SpcRule,
    SpecialCause,
    Trend,
    Variation,
    Vocabulary,
    Window,
    movement,
    trend_label,
)

VOCABULARIES = Vocabulary.__subclasses__()


def test_every_member_of_every_vocabulary_has_its_display_words():
    assert len(VOCABULARIES) >= 10
    for vocabulary in VOCABULARIES:
        for member in vocabulary:
            assert member.label.strip(), member


def test_no_two_members_of_a_vocabulary_read_alike():
    for vocabulary in VOCABULARIES:
        labels = [member.label for member in vocabulary]
        assert len(set(labels)) == len(labels), vocabulary


# The values are stored in the database and in published snapshots, and printed in the JSON and CSV exports.
STORED = {
    Rating: ["green", "amber", "red", "none"],
    Trend: ["improving", "declining", "stable", "up", "down"],
    Polarity: ["higher", "lower", "neither"],
    Window: ["month", "snapshot", "rolling_12", "rolling_36"],
    ComparatorKind: ["national", "statistical_neighbours"],
    SpcRule: ["outside", "shift", "trend", "two_of_three"],
    SpecialCause: ["improvement", "concern", "neither"],
    Variation: [
        "common_cause",
        "improvement_high",
        "improvement_low",
        "concern_high",
        "concern_low",
        "neither_high",
        "neither_low",
        "not_enough_data",
    ],
    Assurance: ["pass", "fail", "hit_and_miss"],
    ConflictRule: ["improvement", "concern"],
}


@pytest.mark.parametrize("vocabulary", list(STORED))
def test_the_stored_values_are_the_ones_already_stored(vocabulary):
    assert [member.value for member in vocabulary] == STORED[vocabulary]


def test_a_member_is_written_as_its_value_in_json_and_text():
    assert (
        json.dumps({"rating": Rating.GREEN, "trend": [Trend.DECLINING]})
        == '{"rating": "green", "trend": ["declining"]}'
    )
    assert f"{Variation.CONCERN_LOW}" == str(Variation.CONCERN_LOW) == "concern_low"
    assert Rating.NO_TARGET == "none" and Rating("none") is Rating.NO_TARGET


def test_the_models_take_their_choices_from_the_vocabularies():
    field = Indicator._meta.get_field
    assert field("polarity").choices == Polarity.choices()
    assert field("window").choices == Window.choices()
    assert field("spc_conflict_rule").choices == ConflictRule.choices()
    assert dict(Polarity.choices())["neither"] == "Context measure"


def test_the_words_pages_print():
    assert [r.label for r in Rating] == ["Green", "Amber", "Red", "No target"]
    assert trend_label(Trend.DECLINING) == "Declining" and trend_label(None) == "No trend"
    assert Polarity.NEITHER.label == "Context measure"
    assert Variation.IMPROVEMENT_HIGH.label == "Special cause improvement (high)"
    assert Variation.NEITHER_LOW.label == "Special cause variation (low)"
    assert Variation.NOT_ENOUGH_DATA.label == "Not enough data for process limits"
    assert Assurance.HIT_AND_MISS.label == "Hit and miss against the target"
    assert Assurance.FAIL.sentence("24%") == "The target of 24% will not be met without a change to the process."
    assert ComparatorKind.STATISTICAL_NEIGHBOURS.abbreviation == "SN"


def test_only_red_and_amber_need_commentary():
    assert [r for r in Rating if r.needs_commentary] == [Rating.AMBER, Rating.RED]


def test_each_spc_reading_has_its_letter_and_colour():
    assert [(v.icon, v.colour) for v in Variation if v.cause is SpecialCause.CONCERN] == [
        ("H", "#a04a00"),
        ("L", "#a04a00"),
    ]
    assert (Variation.COMMON_CAUSE.icon, Variation.COMMON_CAUSE.colour) == ("~", "#505a5f")
    assert Variation.NOT_ENOUGH_DATA.icon == ""  # a run chart has words, no icon
    assert [(a.icon, a.colour) for a in Assurance] == [("P", "#1d70b8"), ("F", "#a04a00"), ("?", "#505a5f")]


@pytest.mark.parametrize(
    ("trend", "polarity", "expected"),
    [
        (Trend.IMPROVING, Polarity.HIGHER, Movement.UP),
        (Trend.IMPROVING, Polarity.LOWER, Movement.DOWN),
        (Trend.DECLINING, Polarity.HIGHER, Movement.DOWN),
        (Trend.DECLINING, Polarity.LOWER, Movement.UP),
        (Trend.UP, Polarity.NEITHER, Movement.UP),
        (Trend.STABLE, Polarity.HIGHER, Movement.LEVEL),
        (None, Polarity.HIGHER, Movement.NONE),
    ],
)
def test_the_arrow_shows_which_way_the_figure_moved(trend, polarity, expected):
    assert movement(trend, polarity) is expected
