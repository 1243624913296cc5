from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.admin_fields import PlainFieldsMixin, shown_decimal, shown_month
from indicators.models import (
    ChangePoint,
    Commentary,
    Comparator,
    DismissedChangePoint,
    Indicator,
    IndicatorLine,
    Measure,
    Target,
)
from teams.admin import ReadOnlyAdminMixin


@admin.display(description="Month", ordering="month")
def month_column(obj) -> str:
    return shown_month(obj.month)


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "level", "order"]
    list_filter = ["kind", "level", "team_types"]
    search_fields = ["code", "name", "description"]
    ordering = ["order"]
    filter_horizontal = ["team_types"]


class IndicatorLineInline(PlainFieldsMixin, admin.StackedInline):
    model = IndicatorLine
    extra = 0
    fields = [
        ("code", "label", "order"),
        ("unit", "multiplier", "precision"),
        "numerator",
        "denominator",
        "area_numerator",
        "team_type",
    ]


class TargetInline(PlainFieldsMixin, admin.TabularInline):
    model = Target
    extra = 0


class ComparatorInline(PlainFieldsMixin, admin.TabularInline):
    model = Comparator
    extra = 0


class ChangePointInline(ReadOnlyAdminMixin, PlainFieldsMixin, admin.TabularInline):
    model = ChangePoint
    extra = 0
    fields = ["month", "reason", "created_by", "created_at"]
    readonly_fields = ["month", "reason", "created_by", "created_at"]


@admin.register(Indicator)
class IndicatorAdmin(PlainFieldsMixin, SimpleHistoryAdmin):
    list_display = ["number", "short_title", "code", "unit", "polarity", "window", "baseline_rule", "active"]
    list_display_links = ["number", "short_title"]
    list_filter = ["unit", "polarity", "window", "baseline_rule", "active"]
    search_fields = ["code", "title", "short_title"]
    ordering = ["number"]
    inlines = [IndicatorLineInline, TargetInline, ComparatorInline, ChangePointInline]
    fieldsets = [
        (None, {"fields": ["number", "code", "title", "short_title", "definition", "active"]}),
        (
            "Headline figure",
            {
                "fields": [
                    "unit",
                    "numerator",
                    "denominator",
                    "area_numerator",
                    "multiplier",
                    "precision",
                    "headline_label",
                    "headline_order",
                    "breakdown",
                ]
            },
        ),
        (
            "Window, baseline and direction",
            {
                "fields": [
                    "window",
                    "baseline_rule",
                    "baseline_months",
                    "baseline_year_end_month",
                    "baseline_years_back",
                    "baseline_month",
                    "polarity",
                    "trend_threshold",
                ]
            },
        ),
        (
            "Statistical process control",
            {"fields": ["spc_conflict_rule", "spc_screen_outliers", "spc_baseline_from", "spc_baseline_to"]},
        ),
    ]


@admin.register(Target)
class TargetAdmin(PlainFieldsMixin, SimpleHistoryAdmin):
    list_display = ["indicator", "effective_from_month", "value_shown", "tolerance_shown"]
    list_filter = ["indicator"]
    list_select_related = ["indicator"]
    ordering = ["indicator__number", "-effective_from"]

    @admin.display(description="Effective from", ordering="effective_from")
    def effective_from_month(self, obj) -> str:
        return shown_month(obj.effective_from)

    @admin.display(description="Value", ordering="value")
    def value_shown(self, obj) -> str:
        return shown_decimal(obj.value)

    @admin.display(description="Tolerance", ordering="tolerance")
    def tolerance_shown(self, obj) -> str:
        return shown_decimal(obj.tolerance)


@admin.register(Comparator)
class ComparatorAdmin(PlainFieldsMixin, SimpleHistoryAdmin):
    list_display = ["indicator", "kind", "line", "period", "value_shown", "source"]
    list_filter = ["kind", "period", "indicator"]
    list_select_related = ["indicator"]
    search_fields = ["source"]

    @admin.display(description="Value", ordering="value")
    def value_shown(self, obj) -> str:
        return shown_decimal(obj.value)


@admin.register(Commentary)
class CommentaryAdmin(ReadOnlyAdminMixin, PlainFieldsMixin, SimpleHistoryAdmin):
    """Written on the month's page (indicators.services), where who and when are recorded."""

    list_display = ["indicator", month_column, "updated_by", "updated_at"]
    list_filter = ["month", "indicator"]
    list_select_related = ["indicator", "updated_by"]
    search_fields = ["text"]
    date_hierarchy = "month"
    readonly_fields = ["indicator", "month", "text", "updated_by", "updated_at"]


@admin.register(ChangePoint)
class ChangePointAdmin(ReadOnlyAdminMixin, PlainFieldsMixin, SimpleHistoryAdmin):
    """Recorded and removed on the indicator's page (indicators.services)."""

    list_display = ["indicator", month_column, "reason", "created_by", "created_at"]
    list_filter = ["indicator"]
    list_select_related = ["indicator", "created_by"]
    search_fields = ["reason"]
    readonly_fields = ["indicator", "month", "reason", "created_by", "created_at"]


@admin.register(DismissedChangePoint)
class DismissedChangePointAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["indicator", "month", "dismissed_by", "dismissed_at"]
    list_filter = ["indicator"]
    readonly_fields = ["indicator", "month", "dismissed_by", "dismissed_at"]
