"""The catalogue: measures collected each month and indicators computed from them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from indicators.expressions import ExpressionError, validate_expression
from lib.months import EARLIEST_MONTH, Month
from lib.vocab import ConflictRule, Polarity, Window
from teams.models import TeamType, code_validator, first_of_month

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def check_change_point_month(month: Month, *, today: dt.date) -> None:
    """Raise ValidationError unless a change point (or a dismissed suggestion) may be recorded for the month.

    A change point marks a change that happened, so it lies between the earliest month kept and this month.
    """
    if month > Month.of(today):
        raise ValidationError(
            {"month": f"{month.long_label} is in the future: a change point marks a change that happened."}
        )
    if month < EARLIEST_MONTH:
        raise ValidationError(
            {"month": f"{month.long_label} is before {EARLIEST_MONTH.long_label}, the earliest month kept."}
        )


def check_commentary_month(month: Month, *, today: dt.date) -> None:
    """Raise ValidationError unless commentary may be written for the month.

    From the earliest month kept up to next month: commentary is written ahead of the board.
    """
    if not EARLIEST_MONTH <= month <= Month.of(today) + 1:
        raise ValidationError(
            {
                "month": f"Commentary can be written for {EARLIEST_MONTH.long_label} to "
                f"{(Month.of(today) + 1).long_label}, not {month.long_label}."
            }
        )


class Measure(models.Model):
    """One whole-number count collected every month (the data dictionary)."""

    class Kind(models.TextChoices):
        SNAPSHOT = "snapshot", "Snapshot at month end"
        FLOW = "flow", "Events in the month"

    class Level(models.TextChoices):
        TEAM = "team", "Each team returns it"
        AUTHORITY = "authority", "The council returns it once"

    code = models.CharField(max_length=50, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    order = models.PositiveSmallIntegerField(default=0)
    team_types = models.ManyToManyField(
        TeamType,
        blank=True,
        related_name="measures",
        help_text="Team types that return this team-level measure. None chosen: every team type returns it.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code


def check_expressions(instance: models.Model, fields: tuple[str, ...], *, allow_population: bool = True) -> None:
    """Raise ValidationError naming each field whose expression (over measure codes) is unusable."""
    known = set(Measure.objects.values_list("code", flat=True))
    errors = {}
    for field in fields:
        text = getattr(instance, field)
        if not text:
            continue
        try:
            validate_expression(text, known, allow_population=allow_population)
        except ExpressionError as exc:
            errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)


class Indicator(models.Model):
    """How one scorecard figure is computed from measures; data, not code."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENT = "percent", "Percentage"
        RATE = "rate_per_10k", "Rate per 10,000 children"
        DAYS = "days", "Days"
        RATIO = "ratio", "Average (ratio)"

    class Baseline(models.TextChoices):
        PREVIOUS_AVERAGE = "previous_average", "Average of the previous months"
        PREVIOUS_CUMULATIVE = "previous_cumulative", "Total of the previous months"
        YEAR_END = "year_end", "Most recent year-end month"
        FIXED_MONTH = "fixed_month", "A fixed month"

    class Breakdown(models.TextChoices):
        NONE = "none", "None"
        AREA = "area", "By area"
        TEAM_TYPE_AREA = "team_type_area", "By team type and area"

    number = models.PositiveSmallIntegerField(unique=True)
    code = models.CharField(max_length=50, unique=True, validators=[code_validator])
    title = models.CharField(max_length=250)
    short_title = models.CharField(max_length=100)
    definition = models.TextField(blank=True)
    unit = models.CharField(max_length=15, choices=Unit.choices)
    numerator = models.CharField(max_length=500, help_text="Expression over measure codes.")
    denominator = models.CharField(
        max_length=500, blank=True, help_text="Expression over measure codes; blank for a count."
    )
    area_numerator = models.CharField(
        max_length=500,
        blank=True,
        help_text="Numerator for area columns when it differs from the city's "
        "(e.g. area rates that cannot include authority-level counts).",
    )
    multiplier = models.DecimalField(max_digits=12, decimal_places=4, default=1)
    precision = models.PositiveSmallIntegerField(default=0, help_text="Decimal places shown.")
    window = models.CharField(max_length=15, choices=Window.choices(), default=Window.MONTH)
    baseline_rule = models.CharField(max_length=25, choices=Baseline.choices, default=Baseline.PREVIOUS_AVERAGE)
    baseline_months = models.PositiveSmallIntegerField(default=6)
    baseline_year_end_month = models.PositiveSmallIntegerField(
        default=3, help_text="For a year-end baseline: the month the year ends (3 = March)."
    )
    baseline_years_back = models.PositiveSmallIntegerField(
        default=0, help_text="For a year-end baseline: how many year ends further back."
    )
    baseline_month = models.DateField(null=True, blank=True, help_text="For a fixed-month baseline.")
    polarity = models.CharField(max_length=10, choices=Polarity.choices())
    trend_threshold = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=0,
        help_text="Changes against the baseline within this (in the indicator's units) are stable.",
    )
    breakdown = models.CharField(max_length=20, choices=Breakdown.choices, default=Breakdown.NONE)
    headline_label = models.CharField(max_length=200)
    headline_order = models.PositiveSmallIntegerField(
        default=0, help_text="Where the headline row sits among the supporting lines."
    )
    spc_baseline_from = models.DateField(
        null=True,
        blank=True,
        help_text="First month of a locked SPC baseline (blank: every month of the current segment).",
    )
    spc_baseline_to = models.DateField(null=True, blank=True, help_text="Last month of a locked SPC baseline.")

    spc_conflict_rule = models.CharField(
        "SPC conflict rule",
        max_length=12,
        choices=ConflictRule.choices(),
        default=ConflictRule.IMPROVEMENT,
        help_text="How a month flagged both ways reads (a rising trend below the average, say): "
        "Making Data Count asks each metric to choose.",
    )
    spc_screen_outliers = models.BooleanField(
        "SPC: screen moving-range outliers",
        default=False,
        help_text="Leave moving ranges above 3.267 times their mean out of the process limits "
        "(NHSRplotthedots' default; Making Data Count does not screen).",
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(baseline_rule="fixed_month") | models.Q(baseline_month__isnull=False),
                name="indicator_fixed_baseline_has_month",
            ),
            first_of_month("baseline_month", "indicator_baseline_month_first_day"),
            first_of_month("spc_baseline_from", "indicator_spc_baseline_from_first_day"),
            first_of_month("spc_baseline_to", "indicator_spc_baseline_to_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.short_title}"

    def clean(self) -> None:
        check_expressions(self, ("numerator", "denominator", "area_numerator"))
        if self.baseline_rule == self.Baseline.FIXED_MONTH and not self.baseline_month:
            raise ValidationError({"baseline_month": "A fixed-month baseline needs its month."})
        if self.baseline_month and self.baseline_month.day != 1:
            raise ValidationError({"baseline_month": "Give the first day of the month."})
        if not 1 <= self.baseline_year_end_month <= 12:
            raise ValidationError({"baseline_year_end_month": "A month is 1 to 12."})
        if bool(self.spc_baseline_from) != bool(self.spc_baseline_to):
            raise ValidationError({"spc_baseline_to": "A locked SPC baseline needs both its first and last month."})
        if self.spc_baseline_from and self.spc_baseline_to:
            if self.spc_baseline_from.day != 1 or self.spc_baseline_to.day != 1:
                raise ValidationError({"spc_baseline_from": "Give the first day of each month."})
            if self.spc_baseline_from > self.spc_baseline_to:
                raise ValidationError({"spc_baseline_to": "The baseline must end after it starts."})


class IndicatorLine(models.Model):
    """A supporting row of an indicator's panel (e.g. total open cases beside unallocated)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="lines")
    code = models.CharField(max_length=50, validators=[code_validator])
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    unit = models.CharField(max_length=15, choices=Indicator.Unit.choices)
    numerator = models.CharField(max_length=500)
    denominator = models.CharField(max_length=500, blank=True)
    area_numerator = models.CharField(max_length=500, blank=True)
    multiplier = models.DecimalField(max_digits=12, decimal_places=4, default=1)
    precision = models.PositiveSmallIntegerField(default=0)
    team_type = models.ForeignKey(
        TeamType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Count only teams of this type (e.g. caseloads of assessment teams).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator__number", "order"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "code"], name="line_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.label}"

    def clean(self) -> None:
        check_expressions(self, ("numerator", "denominator", "area_numerator"))


class Target(models.Model):
    """The target an indicator's headline is rated against, from a month onwards."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    effective_from = models.DateField(help_text="First day of the first month it applies to.")
    value = models.DecimalField(max_digits=12, decimal_places=4)
    tolerance = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=0,
        help_text="Amber band beyond the target, in the indicator's own units.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator__number", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "effective_from"], name="target_unique_month"),
            models.CheckConstraint(condition=models.Q(tolerance__gte=0), name="target_tolerance_non_negative"),
            first_of_month("effective_from", "target_effective_from_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} from {self.effective_from:%Y-%m}: {Decimal(self.value).normalize():f}"

    def clean(self) -> None:
        if self.effective_from and self.effective_from.day != 1:
            raise ValidationError({"effective_from": "Give the first day of the month."})


class Comparator(models.Model):
    """A national or statistical-neighbour figure to read the indicator against."""

    class Kind(models.TextChoices):
        NATIONAL = "national", "National average"
        STATISTICAL_NEIGHBOURS = "statistical_neighbours", "Statistical neighbours average"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comparators")
    line = models.CharField(
        max_length=50, blank=True, help_text="Code of the supporting line it compares with; blank for the headline."
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    period = models.CharField(max_length=30, help_text="The period it describes, e.g. 2015-16.")
    value = models.DecimalField(max_digits=12, decimal_places=4)
    source = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator__number", "kind", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "line", "kind", "period"], name="comparator_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.get_kind_display()} {self.period}: {Decimal(self.value).normalize():f}"


class Commentary(models.Model):
    """The performance team's paragraph on an indicator for a month."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="commentaries")
    month = models.DateField()
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()
    # Set before save or delete: simple_history records them on the history row.
    _history_user: AbstractBaseUser | None

    class Meta:
        ordering = ["-month", "indicator__number"]
        verbose_name_plural = "commentaries"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="commentary_unique_month"),
            first_of_month("month", "commentary_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.month:%b %Y}"

    def clean(self) -> None:
        if self.month:
            check_commentary_month(Month.of(self.month), today=timezone.localdate())


class ChangePoint(models.Model):
    """A month from which an indicator's process changed (e.g. a new front door): SPC starts a new baseline."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="change_points")
    month = models.DateField(help_text="First day of the first month of the new process.")
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    # Set before save or delete: simple_history records them on the history row.
    _history_user: AbstractBaseUser | None

    class Meta:
        ordering = ["indicator__number", "month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="change_point_unique_month"),
            first_of_month("month", "change_point_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} from {self.month:%b %Y}: {self.reason}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Give the first day of the month."})
        if self.month:
            check_change_point_month(Month.of(self.month), today=timezone.localdate())
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "Say why the process changed."})


class DismissedChangePoint(models.Model):
    """A change point the chart suggested and the performance team judged not to be one: it is not suggested again."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="dismissed_change_points")
    month = models.DateField(help_text="First day of the month the suggestion started.")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # who simple_history records as making the change

    class Meta:
        ordering = ["indicator__number", "month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="dismissed_change_point_unique_month"),
            first_of_month("month", "dismissed_change_point_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: no change point from {self.month:%b %Y}"

    def clean(self) -> None:
        if self.month:
            check_change_point_month(Month.of(self.month), today=timezone.localdate())
