"""POST /returns/YYYY-MM/publish: the month goes to senior leaders.

It lives in scorecard because deciding which indicators need commentary takes
the month's computed ratings, and returns may not import scorecard.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from returns import policy, services, signals
from returns.views import month_or_404
from scorecard.security import log_security_event
from scorecard.services import indicators_needing_commentary
from teams.http import AuthenticatedHttpRequest


@receiver(signals.workflow_event, dispatch_uid="scorecard.security.workflow_event")
def log_workflow_event(sender, *, request, event: str, fields: dict, **kwargs) -> None:
    """Record the returns workflow's transitions in the security log, beside sign-ins and refusals."""
    log_security_event(request, event, **fields)


@require_POST
def month_publish(request: AuthenticatedHttpRequest, month: str) -> HttpResponse:
    """Publish the month once every return is approved and red or amber indicators have commentary."""
    month = month_or_404(month)
    if not policy.has_publish_permission(request.user):
        raise PermissionDenied
    try:
        services.month_publish(month=month, actor=request.user, needs_commentary=indicators_needing_commentary(month))
    except services.PublishRefused as exc:
        messages.error(request, exc.message)
        for reason in exc.reasons:
            messages.warning(request, f"Not ready: {reason}.")
    else:
        log_security_event(request, "month_published", month=str(month))
        messages.success(request, f"{month.long_label} is published: senior leaders can now see it.")
    return redirect("returns:month", month=str(month))
