"""Telling senior leaders a month is published: one email each, best effort like the reminders."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.urls import reverse

from lib.months import Month
from returns.reminders import send_reminders
from scorecard import roles
from scorecard.home import rated_indicators
from scorecard.services import PUBLISHED

logger = logging.getLogger(__name__)


def leaders_to_tell() -> list:
    """Return the active senior leaders with an email address, by username."""
    users = get_user_model().objects.filter(groups__name=roles.LEADERS, is_active=True).exclude(email="")
    return sorted(set(users), key=lambda user: user.get_username())


def published_emails(month: Month, red_amber: list[str]) -> list[EmailMessage]:
    """Return one email per leader saying the month's scorecard is published, naming its red and amber indicators."""
    link = getattr(settings, "SITE_URL", "").rstrip("/") + reverse("scorecard-month", kwargs={"month": month})
    body = [f"The scorecard for {month.long_label} is published:", link, ""]
    if red_amber:
        body += [f"Rated red or amber ({len(red_amber)}):", *[f"- {title}" for title in red_amber], ""]
    else:
        body += ["No indicator is rated red or amber.", ""]
    return [
        EmailMessage(
            f"Scorecard published: {month.long_label}", "\n".join(body), settings.DEFAULT_FROM_EMAIL, [user.email]
        )
        for user in leaders_to_tell()
    ]


def notify_leaders_published(month: Month) -> tuple[int, int]:
    """Email the leaders that the month is published; return (sent, failed). Never raises."""
    try:
        red_amber = [
            f"{item.number}. {item.title} ({item.rating_label})"
            for item in rated_indicators(month, PUBLISHED)
            if item.rating.needs_commentary
        ]
        messages = published_emails(month, red_amber)
    except Exception:
        logger.exception("Published-month emails for %s could not be prepared", month)
        return 0, 1
    return send_reminders(messages)
