"""The demo council: its reference data and the raw monthly counts behind its scorecard."""
