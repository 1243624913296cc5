"""Deriving the month's case measures from an Ofsted Annex A workbook; no child-level data is kept."""
