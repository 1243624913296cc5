"""The four roles of DESIGN.md as Django groups, and the permissions each holds."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

DATA_ENTRY = "Data entry"
PERFORMANCE = "Performance team"
LEADERS = "Senior leaders"
ADMINISTRATOR = "Administrator"

_CATALOGUE_MODELS = (
    "indicator",
    "indicatorline",
    "target",
    "comparator",
    "commentary",
    "measure",
    "changepoint",
    "dismissedchangepoint",
)
_REFERENCE_MODELS = ("council", "area", "teamtype", "team", "population", "membership")

# (app_label, codename) pairs; model permissions spelled out so a reader sees exactly what each role can do.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    DATA_ENTRY: [
        ("returns", "view_return"),
        ("returns", "change_return"),
        ("returns", "submit_return"),
    ],
    PERFORMANCE: [
        ("returns", "view_return"),
        ("returns", "change_return"),
        ("returns", "submit_return"),
        ("returns", "enter_any_return"),
        ("returns", "approve_return"),
        ("returns", "import_returns"),
        ("returns", "view_unpublished_month"),
        ("returns", "publish_month"),
        ("scorecard", "restate_month"),
        ("scorecard", "view_scorecardsnapshot"),
        ("returns", "view_reportingmonth"),
        ("returns", "view_valuechange"),
        ("returns", "view_importrecord"),
        ("returns", "view_statechange"),
        ("returns", "view_validationrule"),
        ("returns", "add_validationrule"),
        ("returns", "change_validationrule"),
        *[("indicators", f"{action}_{model}") for model in _CATALOGUE_MODELS for action in ("view", "add", "change")],
        ("indicators", "delete_target"),
        ("indicators", "delete_comparator"),
        ("indicators", "delete_changepoint"),
        *[("teams", f"view_{model}") for model in _REFERENCE_MODELS],
        # The case system's team names, mapped to teams from the Annex A import's preview or the admin.
        *[("teams", f"{action}_teamnamemapping") for action in ("view", "add", "change")],
        ("returns", "view_closureday"),
    ],
    LEADERS: [],
    ADMINISTRATOR: [
        *[
            ("teams", f"{action}_{model}")
            for model in _REFERENCE_MODELS
            for action in ("view", "add", "change", "delete")
        ],
        # Administrators read the catalogue and may load a new council's targets and comparators;
        # indicators and commentary are the performance team's to change (DESIGN.md).
        *[("indicators", f"view_{model}") for model in _CATALOGUE_MODELS],
        *[("indicators", f"{action}_{model}") for model in ("target", "comparator") for action in ("add", "change")],
        ("auth", "view_user"),
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_group"),
        ("returns", "view_return"),
        ("returns", "view_reportingmonth"),
        ("returns", "view_valuechange"),
        ("returns", "view_importrecord"),
        ("returns", "view_statechange"),
        *[("teams", f"{action}_teamnamemapping") for action in ("view", "add", "change", "delete")],
        *[("returns", f"{action}_closureday") for action in ("view", "add", "change", "delete")],
    ],
}


def sync_roles() -> None:
    """Create the role groups and set exactly their permissions."""
    for name, pairs in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        query = Q(pk__in=[])
        for app_label, codename in pairs:
            query |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(query))
        missing = set(pairs) - {(p.content_type.app_label, p.codename) for p in permissions}
        if missing:
            raise RuntimeError(f"Role {name!r} names permissions that do not exist: {sorted(missing)}")
        group.permissions.set(permissions)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    """Sync the roles once every app's permissions exist."""
    sync_roles()
