"""Who may change the catalogue's pages: commentary and change points (the admin asks the model permissions).

Permissions come from the role groups (scorecard/roles.py); an inactive user may do nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from teams.http import AnyUser


def has_edit_commentary_permission(user: AnyUser) -> bool:
    """Return True if the user may write and edit indicators' commentary."""
    return user.is_active and user.has_perms(("indicators.add_commentary", "indicators.change_commentary"))


def has_add_change_point_permission(user: AnyUser) -> bool:
    """Return True if the user may record a change point on an indicator."""
    return user.is_active and user.has_perm("indicators.add_changepoint")


def has_remove_change_point_permission(user: AnyUser) -> bool:
    """Return True if the user may remove a recorded change point."""
    return user.is_active and user.has_perm("indicators.delete_changepoint")


def has_dismiss_change_point_permission(user: AnyUser) -> bool:
    """Return True if the user may dismiss a change point the chart suggests."""
    return user.is_active and user.has_perm("indicators.add_dismissedchangepoint")
