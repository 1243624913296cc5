"""Who may do what with returns: the one place views, the admin and imports ask.

Permissions come from the role groups (scorecard/roles.py); data entry users
are further limited to the teams they are members of (teams.Membership). The
council's own return (team None) belongs to no team: only users who may enter
any return (the performance team) see and change it.

`team` below is a Team, or None for the council's own return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from returns.reference_import import KINDS
from teams.models import Membership, Team

if TYPE_CHECKING:
    from teams.http import AnyUser

_TEAM_IDS_CACHE = "_returns_team_ids"


def member_team_ids(user: AnyUser) -> frozenset[int]:
    """Return the ids of the teams the user enters returns for (one query, then cached on the user)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _TEAM_IDS_CACHE, None)
    if cached is None:
        cached = frozenset(Membership.objects.filter(user=user).values_list("team_id", flat=True))
        setattr(user, _TEAM_IDS_CACHE, cached)
    return cached


def has_any_unit_permission(user: AnyUser) -> bool:
    """Return True if the user may see and enter the return of every unit."""
    return user.is_active and user.has_perm("returns.enter_any_return")


def _covers(user: AnyUser, team: Team | None) -> bool:
    if has_any_unit_permission(user):
        return True
    return team is not None and team.pk in member_team_ids(user)


def has_view_return_permission(user: AnyUser, team: Team | None) -> bool:
    """Return True if the user may see the unit's returns."""
    return user.is_active and user.has_perm("returns.view_return") and _covers(user, team)


def has_change_return_permission(user: AnyUser, team: Team | None) -> bool:
    """Return True if the user may enter and save the unit's values (locks aside)."""
    return user.is_active and user.has_perm("returns.change_return") and _covers(user, team)


def has_submit_permission(user: AnyUser, team: Team | None) -> bool:
    """Return True if the user may submit the unit's returns."""
    return user.is_active and user.has_perm("returns.submit_return") and _covers(user, team)


def has_approve_permission(user: AnyUser, team: Team | None = None) -> bool:
    """Return True if the user may approve, reject and reopen returns (of any unit)."""
    return user.is_active and user.has_perm("returns.approve_return")


def has_four_eyes_conflict(user: AnyUser, last_hands: set[int]) -> bool:
    """Return True if the four-eyes rule refuses the user approving a return these users last submitted or changed.

    `last_hands` is `services.last_hands(ret)` (or an entry of `services.last_hands_by_return`).
    """
    return user.pk in last_hands and not settings.RETURNS_ALLOW_SELF_APPROVAL


def has_publish_permission(user: AnyUser) -> bool:
    """Return True if the user may publish a month to senior leaders."""
    return user.is_active and user.has_perm("returns.publish_month")


def has_import_permission(user: AnyUser, team: Team | None) -> bool:
    """Return True if the user may import values into the unit's returns."""
    if not user.is_active:
        return False
    if user.has_perm("returns.import_returns"):
        return has_any_unit_permission(user) or _covers(user, team)
    # Data entry users may load their own teams' spreadsheets through the same checks as the form.
    return has_change_return_permission(user, team)


def has_import_returns_permission(user: AnyUser) -> bool:
    """Return True if the user may import returns at all (which units, each row's check decides)."""
    if not user.is_active:
        return False
    if user.has_perm("returns.import_returns"):
        return True
    return user.has_perm("returns.change_return") and bool(member_team_ids(user))


def has_import_reference_permission(user: AnyUser, kind: str) -> bool:
    """Return True if the user may add and change the rows a reference file of this kind (a KINDS key) holds."""
    spec = KINDS.get(kind)
    return spec is not None and user.is_active and user.has_perms(spec.permissions)


def has_export_returns_permission(user: AnyUser) -> bool:
    """Return True if the user may export the returns data they can see."""
    visible = visible_team_ids(user)
    return visible is None or bool(visible)


def has_view_imports_permission(user: AnyUser) -> bool:
    """Return True if the user may open the imports page: some import or the export is theirs to use."""
    return (
        has_import_returns_permission(user)
        or has_export_returns_permission(user)
        or has_import_annex_a_permission(user)
        or any(has_import_reference_permission(user, kind) for kind in KINDS)
    )


def has_view_completeness_permission(user: AnyUser) -> bool:
    """Return True if the user may open a month's completeness page (filtered to what they may see)."""
    if not (user.is_active and user.has_perm("returns.view_return")):
        return False
    return has_any_unit_permission(user) or bool(member_team_ids(user))


def visible_team_ids(user: AnyUser) -> frozenset[int] | None:
    """Return the team ids whose returns the user may see, or None for every team and the council."""
    if has_any_unit_permission(user):
        return None
    if not user.is_active or not user.has_perm("returns.view_return"):
        return frozenset()
    return member_team_ids(user)


def has_view_scorecard_permission(user: AnyUser, *, published: bool) -> bool:
    """Return True if the user may see a month's scorecard: published for everyone, drafts for the performance team."""
    if not (user.is_authenticated and user.is_active):
        return False
    return published or user.has_perm("returns.view_unpublished_month")


def has_import_annex_a_permission(user) -> bool:
    """Return True if the user may import Annex A: it writes every team's return and the council's."""
    return user.is_active and user.has_perm("returns.import_returns") and has_any_unit_permission(user)


def has_map_team_names_permission(user) -> bool:
    """Return True if the user may say which team a case system's team name stands for."""
    return (
        has_import_annex_a_permission(user)
        and user.has_perm("teams.add_teamnamemapping")
        and user.has_perm("teams.change_teamnamemapping")
    )
