"""The performance team's review of a month, with the scorecard's ratings beside it.

Returns and indicators may not compute the scorecard, so their month page and
commentary page are reached through these thin wrappers, which add the
month's ratings, figures and SPC readings; and the publish preview shows what
leaders will see before the month is published.
"""

from __future__ import annotations

import contextlib

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from indicators import policy as indicator_policy
from indicators.views import commentary_edit
from lib.months import Month
from lib.numbers import format_number
from lib.vocab import movement, trend_label
from returns import dates, policy, selectors, tasks
from returns import views as returns_views
from scorecard.home import rated_indicators
from scorecard.services import DRAFT, PUBLISHED, build_scorecard, month_status
from teams.http import AuthenticatedHttpRequest

STATUS_LABELS = {PUBLISHED: "Published", DRAFT: "Provisional: not yet published"}


def month_ratings(month: Month) -> dict[str, tuple[str, str]]:
    """Return each indicator's (rating, label) for the month, from its scorecard (published or provisional)."""
    status = month_status(month) or DRAFT
    return {item.code: (item.rating, item.rating_label) for item in rated_indicators(month, status)}


def month_page(request: HttpRequest, month: str) -> HttpResponse:
    """The returns month page, with each indicator's rating on the commentary list for the performance team."""
    checked = returns_views.month_or_404(month)
    ratings = month_ratings(checked) if policy.has_publish_permission(request.user) else None
    return returns_views.month_returns(request, month, ratings=ratings)


def indicator_figure(month: Month, code: str) -> dict | None:
    """Return the month's figure, rating, trend and SPC sentence for one indicator, formatted, or None."""
    status = month_status(month) or DRAFT
    scorecard = build_scorecard(month, status, codes=[code], approved_only=status == PUBLISHED)
    panel = next((p for p in scorecard.panels if p.spec.code == code), None)
    if panel is None:
        return None
    result, spec = panel.result, panel.spec
    headline = result.headline
    return {
        "value": format_number(headline.current.value, spec.precision, unit=spec.unit),
        "baseline": format_number(headline.baseline.value, spec.precision, unit=spec.unit),
        "baseline_label": result.baseline_label or "the baseline",
        "rating": result.rating,
        "rating_label": result.rating.label,
        "target": format_number(result.target.value, spec.precision, unit=spec.unit) if result.target else "",
        "trend_arrow": movement(result.trend, spec.polarity).arrow,
        "trend_label": trend_label(result.trend),
        "spc_sentence": panel.spc.sentence if panel.spc is not None and panel.spc.enough_data else "",
        "status_label": STATUS_LABELS[status],
    }


def commentary_page(request: AuthenticatedHttpRequest, code: str, month: str) -> HttpResponse:
    """The commentary page, with the figure, rating, trend and SPC sentence the commentary explains."""
    if not indicator_policy.has_edit_commentary_permission(request.user):
        raise PermissionDenied
    context = {}
    if request.method == "GET":
        with contextlib.suppress(ValueError):  # the commentary view refuses the month with its own 404
            context["figure"] = indicator_figure(Month.parse(month), code)
    return commentary_edit(request, code, month, context=context)


def publish_preview(request: HttpRequest, month: str) -> HttpResponse:
    """Show what leaders will see of the month, and the publish button, once the month is ready."""
    checked = returns_views.month_or_404(month)
    if not policy.has_publish_permission(request.user):
        raise PermissionDenied
    status = month_status(checked)
    if status is None:
        raise Http404("No returns for that month.")
    indicators = rated_indicators(checked, status)
    rows = tasks.with_returned(selectors.month_completeness(checked, today=dates.today()))
    not_approved = [row for row in rows if row.state != "approved"]
    needing = [item for item in indicators if item.needs_commentary]
    return render(
        request,
        "scorecard/publish_preview.html",
        {
            "month": checked,
            "published": status == PUBLISHED,
            "indicators": indicators,
            "red_amber": [item for item in indicators if item.rating.needs_commentary],
            "not_approved": not_approved,
            "needing_commentary": needing,
            "ready": status != PUBLISHED and not not_approved and not needing,
        },
    )
