"""Who may restate a published month, reach the admin and change accounts; the other apps' policy modules hold the rest.

Pages offer a link or a button only where these predicates (or their apps') say the view behind it will serve
the user: the navigation's flags come from `scorecard.context_processors.navigation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from teams.http import AnyUser


def has_restate_permission(user: AnyUser) -> bool:
    """Return True if the user may publish the next version of a published month."""
    return user.is_active and user.has_perm("scorecard.restate_month")


def has_admin_site_permission(user: AnyUser) -> bool:
    """Return True if the user may open the admin site (as the admin itself decides: active staff)."""
    return user.is_active and user.is_staff


def has_change_user_permission(user: AnyUser, account: User | None = None) -> bool:
    """Return True if the user may change accounts (this one, if given): a superuser's only by a superuser.

    An administrator could otherwise take a superuser's account over.
    """
    if not (user.is_active and user.has_perm("auth.change_user")):
        return False
    return account is None or not account.is_superuser or user.is_superuser


def has_delete_user_permission(user: AnyUser, account: User | None = None) -> bool:
    """Return True if the user may delete accounts (this one, if given): not their own; a superuser's by a superuser."""
    if not (user.is_active and user.has_perm("auth.delete_user")):
        return False
    return account is None or (account.pk != user.pk and (not account.is_superuser or user.is_superuser))
