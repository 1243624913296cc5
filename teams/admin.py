import functools

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from simple_history.admin import SimpleHistoryAdmin

from teams.models import Area, Council, Membership, Population, Team, TeamNameMapping, TeamType


class ReadOnlyAdminMixin:
    """Shown in the admin, never changed there, not even by a superuser: the rows change only through the
    services (and the pages that call them) that check and audit every change.

    A link to a user is shown as the user's name: the admin would link it to the user's page, which the
    performance team, who read these pages, may not open.
    """

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        return list(dict.fromkeys(_user_by_name(self.model, name) for name in fields))  # type: ignore[attr-defined]

    def get_readonly_fields(self, request, obj=None):
        # Every link to a user is read only, so no form (the history's included) ever tries to edit the column.
        model = self.model  # type: ignore[attr-defined]
        readonly = [_user_by_name(model, name) for name in super().get_readonly_fields(request, obj)]  # type: ignore[misc]
        users = [_user_by_name(model, field.name) for field in model._meta.fields if _links_user(field)]
        return list(dict.fromkeys([*readonly, *users]))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _links_user(field) -> bool:
    return bool(field.many_to_one) and field.related_model is get_user_model()


@functools.cache
def _user_by_name(model, name):
    """Return `name`, or for a link to a user, a column that shows the user's name (one per model and field)."""
    try:
        field = model._meta.get_field(name) if isinstance(name, str) else None
    except FieldDoesNotExist:
        return name
    if field is None or not _links_user(field):
        return name

    @admin.display(description=field.verbose_name)
    def user(obj) -> str:
        value = getattr(obj, name)
        return value.get_username() if value is not None else "-"

    return user


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "order"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    ordering = ["order", "code"]


@admin.register(TeamType)
class TeamTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "team_type", "active"]
    list_filter = ["area", "team_type", "active"]
    list_select_related = ["area", "team_type"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(Population)
class PopulationAdmin(SimpleHistoryAdmin):
    list_display = ["area", "year", "population_0_17"]
    list_filter = ["area", "year"]
    list_select_related = ["area"]
    ordering = ["area__order", "-year"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team"]
    list_filter = ["team__area", "team"]
    list_select_related = ["user", "team"]
    search_fields = ["user__username", "team__code"]


@admin.register(TeamNameMapping)
class TeamNameMappingAdmin(SimpleHistoryAdmin):
    list_display = ["name", "team"]
    list_select_related = ["team"]
    search_fields = ["name", "team__code", "team__name"]
    autocomplete_fields = ["team"]
