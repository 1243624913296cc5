from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from teams.models import Area, Council, Membership, Population, Team, TeamNameMapping, TeamType


class ReadOnlyAdminMixin:
    """Shown in the admin, never changed there, not even by a superuser: the rows change only through the
    services (and the pages that call them) that check and audit every change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
