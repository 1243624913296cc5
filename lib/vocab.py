"""The scorecard's vocabularies: ratings, trends, polarity and SPC readings, each with the words it is shown in.

Each vocabulary is a `StrEnum`. A member's value is what the engine returns,
the database stores and the JSON and CSV exports print (a member serialises
as its value, so the files read as they always have); its `label` is the one
wording the page, the board paper and the workbook use. The words live in the
tables at the foot of this module, one per vocabulary, and nowhere else.
Django-free, like the rest of `lib`: the models take their choices from here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Vocabulary(StrEnum):
    """A closed set of stored values, each with its display words."""

    @property
    def label(self) -> str:
        """Return the words the member is shown in."""
        return _LABELS[type(self)][self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """Return (value, label) pairs for a model field's choices."""
        return [(member.value, member.label) for member in cls]


class Rating(Vocabulary):
    """The figure as printed against the target in force."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_TARGET = "none"

    @property
    def needs_commentary(self) -> bool:
        """Return True if an indicator rated so must have commentary before the month is published."""
        return self in NEEDS_COMMENTARY


NEEDS_COMMENTARY = frozenset({Rating.RED, Rating.AMBER})


class Trend(Vocabulary):
    """The figure against its baseline: better or worse by polarity, or up or down for a context measure."""

    IMPROVING = "improving"
    DECLINING = "declining"
    STABLE = "stable"
    UP = "up"
    DOWN = "down"


NO_TREND = "No trend"  # the words for no trend at all (no current figure or no baseline)


def trend_label(trend: Trend | None) -> str:
    """Return a trend's words, or 'No trend' without one."""
    return trend.label if trend is not None else NO_TREND


class Polarity(Vocabulary):
    """Which way is better for an indicator."""

    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


class Movement(StrEnum):
    """Which way the figure moved, whatever that means for better or worse: the arrow beside the trend word."""

    UP = "up"
    DOWN = "down"
    LEVEL = "level"
    NONE = "none"

    @property
    def arrow(self) -> str:
        """Return the arrow the page shows (hidden from screen readers: the trend word carries the meaning)."""
        return _ARROWS[self]


def movement(trend: Trend | None, polarity: Polarity) -> Movement:
    """Return which way the figure moved: the arrow; the trend word says better or worse."""
    if trend is None:
        return Movement.NONE
    if trend == Trend.STABLE:
        return Movement.LEVEL
    if trend in (Trend.UP, Trend.DOWN):
        return Movement(trend.value)
    return Movement.UP if (trend == Trend.IMPROVING) == (polarity == Polarity.HIGHER) else Movement.DOWN


class Window(Vocabulary):
    """The months a figure counts."""

    MONTH = "month"
    SNAPSHOT = "snapshot"
    ROLLING_12 = "rolling_12"
    ROLLING_36 = "rolling_36"


class ComparatorKind(Vocabulary):
    """Whom a comparator describes."""

    NATIONAL = "national"
    STATISTICAL_NEIGHBOURS = "statistical_neighbours"

    @property
    def abbreviation(self) -> str:
        """Return the few letters the board paper's summary uses."""
        return _ABBREVIATIONS[self]


# --- statistical process control (indicators.spc) ---------------------------


class Side(StrEnum):
    """Which side of the centre line (or of the point before) a point lies."""

    HIGH = "high"
    LOW = "low"


class SpcRule(Vocabulary):
    """Making Data Count's special-cause rules, in the order a sentence prefers them."""

    OUTSIDE = "outside"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"


class SpecialCause(Vocabulary):
    """What a special cause means for the indicator: better, worse, or neither for a context measure."""

    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER = "neither"


class Variation(Vocabulary):
    """Making Data Count's reading of a point: common cause, or special cause of a kind on a side."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEITHER_HIGH = "neither_high"
    NEITHER_LOW = "neither_low"
    NOT_ENOUGH_DATA = "not_enough_data"

    @classmethod
    def special(cls, cause: SpecialCause, side: Side) -> Variation:
        """Return the reading of a special cause of that kind on that side."""
        return cls(f"{cause}_{side}")

    @property
    def cause(self) -> SpecialCause | None:
        """Return the kind of special cause, or None for common cause or too little data."""
        return SpecialCause(self.rsplit("_", 1)[0]) if self.side else None

    @property
    def side(self) -> Side | None:
        """Return the side of a special cause, or None."""
        if self in (Variation.COMMON_CAUSE, Variation.NOT_ENOUGH_DATA):
            return None
        return Side(self.rsplit("_", 1)[1])

    @property
    def icon(self) -> str:
        """Return Making Data Count's letter for the reading (H, L or ~), or '' for too little data."""
        return _ICONS[Variation].get(self, "")

    @property
    def colour(self) -> str:
        """Return the icon's colour: blue improvement, orange concern, purple neutral, grey common cause ('' else)."""
        return _COLOURS[SpecialCause][self.cause] if self.cause else _COLOURS[Variation].get(self, "")


class Assurance(Vocabulary):
    """Whether the process can be relied on to meet the target."""

    PASS = "pass"
    FAIL = "fail"
    HIT_AND_MISS = "hit_and_miss"

    @property
    def icon(self) -> str:
        """Return Making Data Count's letter for the assurance (P, F or ?)."""
        return _ICONS[Assurance][self]

    @property
    def colour(self) -> str:
        """Return the icon's colour."""
        return _COLOURS[Assurance][self]

    def sentence(self, target: str) -> str:
        """Return the sentence that ends the SPC reading, naming the target as printed."""
        return _SENTENCES[self].format(target=target)


class ConflictRule(Vocabulary):
    """What a point flagged as improvement and as concern at once reads as (Making Data Count's choice per metric)."""

    IMPROVEMENT = "improvement"
    CONCERN = "concern"


# --- the words ----------------------------------------------------------------

_SPECIAL_CAUSE_WORDS = {
    SpecialCause.IMPROVEMENT: "Special cause improvement",
    SpecialCause.CONCERN: "Special cause concern",
    SpecialCause.NEITHER: "Special cause variation",
}

_LABELS: dict[type[Vocabulary], dict[Any, str]] = {
    Rating: {Rating.GREEN: "Green", Rating.AMBER: "Amber", Rating.RED: "Red", Rating.NO_TARGET: "No target"},
    Trend: {
        Trend.IMPROVING: "Improving",
        Trend.DECLINING: "Declining",
        Trend.STABLE: "Stable",
        Trend.UP: "Up",
        Trend.DOWN: "Down",
    },
    Polarity: {
        Polarity.HIGHER: "Higher is better",
        Polarity.LOWER: "Lower is better",
        Polarity.NEITHER: "Context measure",
    },
    Window: {
        Window.MONTH: "Events in the month",
        Window.SNAPSHOT: "Snapshot at month end",
        Window.ROLLING_12: "Rolling 12 months",
        Window.ROLLING_36: "Rolling 36 months",
    },
    ComparatorKind: {
        ComparatorKind.NATIONAL: "National",
        ComparatorKind.STATISTICAL_NEIGHBOURS: "Statistical neighbours",
    },
    SpcRule: {
        SpcRule.OUTSIDE: "outside the process limits",
        SpcRule.SHIFT: "part of a shift",
        SpcRule.TREND: "part of a trend",
        SpcRule.TWO_OF_THREE: "two of three near a limit",
    },
    SpecialCause: _SPECIAL_CAUSE_WORDS,
    # Never colour alone: each reading in words.
    Variation: {
        Variation.COMMON_CAUSE: "Common cause variation",
        **{
            Variation.special(cause, side): f"{words} ({side})"
            for cause, words in _SPECIAL_CAUSE_WORDS.items()
            for side in Side
        },
        Variation.NOT_ENOUGH_DATA: "Not enough data for process limits",
    },
    Assurance: {
        Assurance.PASS: "Consistently passes the target",
        Assurance.FAIL: "Consistently fails the target",
        Assurance.HIT_AND_MISS: "Hit and miss against the target",
    },
    ConflictRule: {ConflictRule.IMPROVEMENT: "Improvement wins", ConflictRule.CONCERN: "Concern wins"},
}

_SENTENCES = {
    Assurance.PASS: "The target of {target} will be met consistently.",
    Assurance.FAIL: "The target of {target} will not be met without a change to the process.",
    Assurance.HIT_AND_MISS: "The target of {target} will be met only by chance.",
}

_ARROWS = {Movement.UP: "▲", Movement.DOWN: "▼", Movement.LEVEL: "►", Movement.NONE: "–"}

_ABBREVIATIONS = {ComparatorKind.NATIONAL: "Nat.", ComparatorKind.STATISTICAL_NEIGHBOURS: "SN"}

# Making Data Count's letters (H, L and ~; P, F and ?); the colour says the same again for those who see it.
_ICONS: dict[type[Vocabulary], dict[Any, str]] = {
    Variation: {
        Variation.COMMON_CAUSE: "~",
        **{Variation.special(cause, side): side[0].upper() for cause in SpecialCause for side in Side},  # H or L
    },
    Assurance: {Assurance.PASS: "P", Assurance.FAIL: "F", Assurance.HIT_AND_MISS: "?"},
}

_COLOURS: dict[type[Vocabulary], dict[Any, str]] = {
    Variation: {Variation.COMMON_CAUSE: "#505a5f"},
    SpecialCause: {
        SpecialCause.IMPROVEMENT: "#1d70b8",
        SpecialCause.CONCERN: "#a04a00",
        SpecialCause.NEITHER: "#6f3b93",
    },
    Assurance: {Assurance.PASS: "#1d70b8", Assurance.FAIL: "#a04a00", Assurance.HIT_AND_MISS: "#505a5f"},
}
