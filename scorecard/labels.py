"""The words the page, the PDF and the workbook use for ratings, trends and SPC readings: one list."""

from __future__ import annotations

RATING_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "none": "No target"}
TREND_LABELS = {
    "improving": "Improving",
    "declining": "Declining",
    "stable": "Stable",
    "up": "Up",
    "down": "Down",
    None: "No trend",
}
POLARITY_LABELS = {"higher": "Higher is better", "lower": "Lower is better", "neither": "Context measure"}
WINDOW_LABELS = {
    "month": "Events in the month",
    "snapshot": "Snapshot at month end",
    "rolling_12": "Rolling 12 months",
    "rolling_36": "Rolling 36 months",
}
# Making Data Count's readings in words (never colour alone).
VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improvement (high)",
    "improvement_low": "Special cause improvement (low)",
    "concern_high": "Special cause concern (high)",
    "concern_low": "Special cause concern (low)",
    "neither_high": "Special cause variation (high)",
    "neither_low": "Special cause variation (low)",
    "not_enough_data": "Not enough data for process limits",
}
ASSURANCE_LABELS = {
    "pass": "Consistently passes the target",
    "fail": "Consistently fails the target",
    "hit_and_miss": "Hit and miss against the target",
}
# The letter on each SPC icon (Making Data Count's H, L and ~; P, F and ? for assurance); the colour says the same
# again for those who see it: blue improvement, orange concern, purple neutral, grey common cause.
VARIATION_ICONS = {
    "common_cause": "~",
    "improvement_high": "H",
    "improvement_low": "L",
    "concern_high": "H",
    "concern_low": "L",
    "neither_high": "H",
    "neither_low": "L",
}
ASSURANCE_ICONS = {"pass": "P", "fail": "F", "hit_and_miss": "?"}
SPC_COLOURS = {
    "common_cause": "#505a5f",
    "improvement": "#1d70b8",
    "concern": "#a04a00",
    "neither": "#6f3b93",
    "pass": "#1d70b8",
    "fail": "#a04a00",
    "hit_and_miss": "#505a5f",
}
# Comparator kinds in words: their name, and the shorter forms a chart's line label and the PDF's summary fit.
COMPARATOR_LABELS = {"national": "National", "statistical_neighbours": "Statistical neighbours"}
COMPARATOR_CHART_LABELS = {"national": "National", "statistical_neighbours": "Stat. neighbours"}
COMPARATOR_ABBREVIATIONS = {"national": "Nat.", "statistical_neighbours": "SN"}


def movement(trend: str | None, polarity: str) -> str:
    """Return which way the figure moved (up, down, level, none): the arrow; the trend word says better or worse."""
    if trend is None:
        return "none"
    if trend == "stable":
        return "level"
    if trend in ("up", "down"):
        return trend
    return "up" if (trend == "improving") == (polarity == "higher") else "down"
