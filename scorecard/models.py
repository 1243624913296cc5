"""Published scorecards: each publication of a month frozen as it was shown, with the returns it used."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from teams.models import first_of_month


class ScorecardSnapshot(models.Model):
    """One published version of a month's scorecard; a restatement adds the next version, never edits one.

    `data` is the whole computed scorecard as versioned JSON (`scorecard.snapshots`),
    `figures` the printed figures by key (what restatements compare), `sources` the
    approved returns it was computed from, and `restatements` every restatement
    up to this version, newest last.
    """

    month = models.DateField(help_text="First day of the month.")
    version = models.PositiveIntegerField()
    format = models.PositiveSmallIntegerField(default=1, help_text="Version of the JSON layout of `data`.")
    data = models.TextField()
    figures = models.TextField()
    sources = models.TextField()
    restatements = models.TextField(default="[]")
    reason = models.TextField(blank=True, help_text="Why this version was published (a restatement's reason).")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="snapshot_unique_month_version"),
            first_of_month("month", "snapshot_month_first_day"),
        ]
        permissions = [("restate_month", "Can restate a published month")]

    def __str__(self) -> str:
        return f"{self.month:%B %Y} v{self.version}"
