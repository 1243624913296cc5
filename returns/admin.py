from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.admin_fields import shown_month
from returns.models import (
    ClosureDay,
    ImportRecord,
    ReportingMonth,
    Return,
    ReturnValue,
    StateChange,
    ValidationRule,
    ValueChange,
)
from returns.selectors import actor_name
from teams.admin import ReadOnlyAdminMixin


@admin.display(description="Month", ordering="month")
def month_column(obj) -> str:
    return shown_month(obj.month)


class ChangedByMixin:
    """Who made a value change and from which file: on the row, or on its import's record."""

    @admin.display(description="Who")
    def changed_by(self, change: ValueChange) -> str:
        return actor_name(change.who)

    @admin.display(description="File")
    def file(self, change: ValueChange) -> str:
        return change.file[0]


class ReturnValueInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReturnValue
    fields = readonly_fields = ("measure", "value", "unavailable_reason")
    extra = 0


class ValueChangeInline(ChangedByMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = ValueChange
    fields = readonly_fields = (
        "at",
        "measure",
        "old_value",
        "new_value",
        "unavailable_reason",
        "changed_by",
        "source",
        "reason",
        "file",
    )
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("measure", "actor", "import_record__actor")


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
class ValueChangeAdmin(ChangedByMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "ret", "measure", "old_value", "new_value", "changed_by", "source", "reason"]
    list_filter = ["source", "ret__month"]
    list_select_related = ["ret__team", "measure", "actor", "import_record__actor"]
    search_fields = ["ret__team__code", "measure__code", "reason", "import_record__file_name"]


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


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "file_name", "actor", "file_sha256"]
    list_select_related = ["actor"]
    search_fields = ["file_name", "file_sha256"]
