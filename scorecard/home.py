"""The home page as a task list per role: data entry, the performance team, senior leaders, administrators.

It lives in scorecard because the performance team's and leaders' lists need
the month's computed ratings, which returns may not import.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lib.months import Month
from lib.vocab import Rating
from returns import dates, policy, tasks
from scorecard import policy as scorecard_policy
from scorecard import roles
from scorecard.services import DRAFT, PUBLISHED, build_scorecard, get_scorecard, visible_months


@dataclass(frozen=True)
class Rated:
    """An indicator with its rating for a month, for lists and links."""

    code: str
    number: int
    title: str
    rating: Rating
    rating_label: str
    has_commentary: bool
    commentary: str = ""

    @property
    def needs_commentary(self) -> bool:
        return self.rating.needs_commentary and not self.has_commentary


def rated_indicators(month: Month, status: str) -> list[Rated]:
    """Return every indicator of the month's scorecard with its rating and whether it has commentary."""
    # An unpublished month is rated as the performance team sees it: provisionally, from the latest saved values.
    scorecard = (
        get_scorecard(month, status) if status == PUBLISHED else build_scorecard(month, DRAFT, approved_only=False)
    )
    return [
        Rated(
            p.spec.code,
            p.spec.number,
            p.spec.short_title,
            p.result.rating,
            p.result.rating.label,
            bool(p.result.commentary.strip()),
            p.result.commentary,
        )
        for p in scorecard.panels
    ]


@dataclass(frozen=True)
class PublishState:
    """Whether an open month can be published, and what stops it."""

    review: tasks.MonthReview
    indicators: list[Rated]

    @property
    def needing_commentary(self) -> list[Rated]:
        return [i for i in self.indicators if i.needs_commentary]

    @property
    def ready(self) -> bool:
        return not self.review.not_approved and not self.needing_commentary


def publish_states(today) -> list[PublishState]:
    """Return each open month's review with its ratings (a scorecard computed per open month)."""
    return [PublishState(review, rated_indicators(review.month, DRAFT)) for review in tasks.review_months(today)]


def latest_published(user) -> tuple[Month | None, list[Rated]]:
    """Return the latest published month the user may see and its indicators, or (None, [])."""
    published = [month for month, status in visible_months(user) if status == PUBLISHED]
    if not published:
        return None, []
    return published[-1], rated_indicators(published[-1], PUBLISHED)


def home(request: HttpRequest) -> HttpResponse:
    """Show each role what it has to do now, and where it works."""
    user = request.user
    groups = set(user.groups.values_list("name", flat=True))
    is_performance, is_data_entry = roles.PERFORMANCE in groups, roles.DATA_ENTRY in groups
    today = dates.today()
    context: dict[str, object] = {
        "is_performance": is_performance,
        "is_data_entry": is_data_entry,
        "is_leader": roles.LEADERS in groups,
        "is_admin": scorecard_policy.has_admin_site_permission(user),
        "can_import_returns": policy.has_import_returns_permission(user),
        "can_open_imports": policy.has_view_imports_permission(user),
    }
    if is_performance:
        context["publish_states"] = publish_states(today)
    elif is_data_entry:
        team_ids = policy.member_team_ids(user)
        context["entry_months"] = tasks.entry_tasks(today, team_ids) if team_ids else []
        context["has_teams"] = bool(team_ids)
    latest, indicators = latest_published(user)
    context.update(
        {
            "latest_month": latest,
            "indicators": indicators,
            "red_amber": [i for i in indicators if i.rating.needs_commentary],
            "returns_month": tasks.latest_active_month(today, team_ids=policy.visible_team_ids(user))
            if policy.has_view_completeness_permission(user)
            else None,
        }
    )
    return render(request, "home.html", context)
