from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.admin_fields import shown_month
from returns.models import (
    ClosureDay,
    ReportingMonth,
    Return,
    ReturnValue,
    StateChange,
    ValidationRule,
    ValueChange,
)
from teams.admin import ReadOnlyAdminMixin


@admin.display(description="Month", ordering="month")
def month_column(obj) -> str:
    return shown_month(obj.month)


class ReturnValueInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReturnValue
    fields = readonly_fields = ("measure", "value", "unavailable_reason")
    extra = 0


class ValueChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ValueChange
    fields = readonly_fields = (
        "at",
        "measure",
        "old_value",
        "new_value",
        "unavailable_reason",
        "actor",
        "source",
        "reason",
        "file_name",
    )
    extra = 0


class StateChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StateChange
    fields = readonly_fields = ("at", "from_state", "to_state", "actor", "reason")
    extra = 0


# Read-only is also how approved returns stay locked in the admin: the services are the one writer.
@admin.register(Return)
class ReturnAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [month_column, "unit_label", "state", "version", "updated_by", "updated_at"]
    list_filter = ["state", "month", "team__area"]
    list_select_related = ["team", "updated_by"]
    search_fields = ["team__code", "team__name"]
    date_hierarchy = "month"
    inlines = [ReturnValueInline, StateChangeInline, ValueChangeInline]


@admin.register(ReportingMonth)
class ReportingMonthAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = [month_column, "published_at", "published_by"]
    list_select_related = ["published_by"]


@admin.register(ValueChange)
class ValueChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "ret", "measure", "old_value", "new_value", "actor", "source", "reason"]
    list_filter = ["source", "ret__month"]
    list_select_related = ["ret__team", "measure", "actor"]
    search_fields = ["ret__team__code", "measure__code", "reason", "file_name"]


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "ret", "from_state", "to_state", "actor", "reason"]
    list_filter = ["to_state", "ret__month"]
    list_select_related = ["ret__team", "actor"]


@admin.register(ValidationRule)
class ValidationRuleAdmin(SimpleHistoryAdmin):
    """The performance team adds and tunes rules here; the model's clean() refuses unusable expressions."""

    list_display = ["code", "left", "operator", "right", "severity", "active"]
    list_filter = ["severity", "active"]
    search_fields = ["code", "left", "right", "message"]
    fields = ["code", "left", "operator", "right", "severity", "message", "active"]


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["day", "name"]
    date_hierarchy = "day"
