"""The admin of users, groups and published snapshots.

Administrators manage users but never beyond their own rights: they cannot
make anyone a superuser, grant a group or permission they do not hold
themselves, or change their own rights. Every change to a user, a group or a
permission is a security event. Snapshots are shown, never edited: they
change only by publishing or restating (scorecard.snapshots).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import QuerySet
from django.http import HttpRequest

from scorecard import policy
from scorecard.models import ScorecardSnapshot
from scorecard.security import log_security_event
from teams.admin import ReadOnlyAdminMixin

_RIGHTS = ("is_superuser", "groups", "user_permissions")
_OWN = ("is_active", "is_staff", *_RIGHTS)


def _permission_names(permissions: QuerySet) -> set[str]:
    return {f"{app}.{codename}" for app, codename in permissions.values_list("content_type__app_label", "codename")}


def grantable_groups(user) -> QuerySet:
    """Return the groups the user may give others: those whose every permission the user holds."""
    if user.is_superuser:
        return Group.objects.all()
    held = user.get_all_permissions()
    allowed = [
        group.pk
        for group in Group.objects.prefetch_related("permissions__content_type")
        if {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()} <= held
    ]
    return Group.objects.filter(pk__in=allowed)


def grantable_permissions(user) -> QuerySet:
    """Return the permissions the user may give others: their own."""
    if user.is_superuser:
        return Permission.objects.all()
    held = user.get_all_permissions()
    return Permission.objects.filter(
        pk__in=[
            pk
            for pk, app, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
            if f"{app}.{codename}" in held
        ]
    )


class BoundedUserAdmin(UserAdmin):
    """Users, with rights bounded by the administrator's own."""

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += [name for name in _OWN if name not in fields]  # nobody changes their own rights
        elif not request.user.is_superuser:
            fields += ["is_superuser"]
        return fields

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = grantable_groups(request.user)
        elif db_field.name == "user_permissions":
            kwargs["queryset"] = grantable_permissions(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return policy.has_change_user_permission(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return policy.has_delete_user_permission(request.user, obj)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        user = form.instance
        before = (set(user.groups.values_list("name", flat=True)), _permission_names(user.user_permissions))
        super().save_related(request, form, formsets, change)
        after = (set(user.groups.values_list("name", flat=True)), _permission_names(user.user_permissions))
        if before != after:
            log_security_event(
                request,
                "user_rights_changed",
                target=user.get_username(),
                groups=",".join(sorted(after[0])),
                permissions=",".join(sorted(after[1])),
                added=",".join(sorted((after[0] | after[1]) - (before[0] | before[1]))),
                removed=",".join(sorted((before[0] | before[1]) - (after[0] | after[1]))),
            )

    def log_addition(self, request, obj, message):
        log_security_event(request, "user_created", target=obj.get_username())
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        log_security_event(
            request,
            "user_changed",
            target=obj.get_username(),
            superuser=obj.is_superuser,
            staff=obj.is_staff,
            active=obj.is_active,
            change=str(message)[:300],
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            log_security_event(request, "user_deleted", target=obj.get_username())
        return super().log_deletions(request, queryset)


class AuditedGroupAdmin(GroupAdmin):
    """Groups, their permission changes on the security record."""

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = grantable_permissions(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        log_security_event(
            request,
            "group_permissions_changed",
            target=form.instance.name,
            permissions=",".join(sorted(_permission_names(form.instance.permissions))),
        )

    def log_deletions(self, request, queryset):
        for obj in queryset:
            log_security_event(request, "group_deleted", target=obj.name)
        return super().log_deletions(request, queryset)


admin.site.unregister(User)
admin.site.register(User, BoundedUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, AuditedGroupAdmin)


@admin.register(ScorecardSnapshot)
class ScorecardSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Published versions, for reading: they change only by publishing or restating."""

    list_display = ["month", "version", "published_at", "published_by", "reason"]
    list_filter = ["month"]
    list_select_related = ["published_by"]
    fields = ["month", "version", "published_at", "published_by", "reason", "restatements", "sources"]
    readonly_fields = ["month", "version", "published_at", "published_by", "reason", "restatements", "sources"]
