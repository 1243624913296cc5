"""POST /returns/YYYY-MM/publish: the month goes to senior leaders.

It lives in scorecard because deciding which indicators need commentary takes
the month's computed ratings, and returns may not import scorecard.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from returns import policy
from returns.views import month_or_404
from scorecard import snapshots
from scorecard.notifications import notify_leaders_published
from teams.http import AuthenticatedHttpRequest


@require_POST
def month_publish(request: AuthenticatedHttpRequest, month: str) -> HttpResponse:
    """Publish the month, frozen as a snapshot, once every return is approved and red or amber ones have commentary."""
    month = month_or_404(month)
    if not policy.has_publish_permission(request.user):
        raise PermissionDenied
    try:
        snapshots.month_publish(month=month, actor=request.user, request=request)
    except snapshots.SnapshotRefused as exc:
        messages.error(request, exc.message)
        for reason in exc.reasons:
            messages.warning(request, f"Not ready: {reason}.")
    else:
        messages.success(request, f"{month.long_label} is published: senior leaders can now see it.")
        sent, failed = notify_leaders_published(month)
        if sent or failed:
            messages.info(
                request,
                f"Emailed {sent} senior leader{'s' if sent != 1 else ''}"
                + (f"; {failed} could not be sent (logged)." if failed else "."),
            )
    return redirect("returns:month", month=str(month))
