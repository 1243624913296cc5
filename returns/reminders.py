"""Reminder emails: overdue returns to their teams' data entry users, the approval queue to the performance team.

Best effort by design: a reminder that cannot be sent is logged and the rest
still go; nothing here changes a return. Run daily (send_return_reminders).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from lib.months import Month
from returns import selectors, tasks
from returns.models import Return
from teams.models import Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

LOOK_BACK_MONTHS = 3
# Roles are groups with permissions, which this backend answers for (others may only guard sign-in).
_PERMISSIONS_BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass(frozen=True)
class Due:
    """One return someone should act on."""

    unit_code: str
    month: Month
    due: dt.date
    state: str

    @property
    def path(self) -> str:
        return reverse("returns:form", kwargs={"month": str(self.month), "unit": self.unit_code})


def open_months(today: dt.date, look_back: int = LOOK_BACK_MONTHS) -> list[Month]:
    """Return the months whose returns may still be outstanding, oldest first: the last `look_back` and this one."""
    return Month.of(today).window(look_back + 1)


def outstanding(today: dt.date, look_back: int = LOOK_BACK_MONTHS) -> tuple[list[Due], list[Due]]:
    """Return (overdue returns, returns awaiting approval) over the open months."""
    overdue, awaiting = [], []
    for month in open_months(today, look_back):
        for row in tasks.with_returned(selectors.month_completeness(month, today=today)):
            item = Due(row.unit.code, month, row.due, row.state)
            if row.overdue:
                overdue.append(item)
            elif row.state == Return.State.SUBMITTED:
                awaiting.append(item)
    return overdue, awaiting


def _link(path: str) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def _line(item: Due) -> str:
    state = tasks.STATE_LABELS[item.state].lower()
    return f"- {item.unit_code}, {item.month.long_label}: {state}, due {item.due:%d %B %Y}. {_link(item.path)}"


def build_reminders(today: dt.date, look_back: int = LOOK_BACK_MONTHS) -> list[EmailMessage]:
    """Return one email per person with something to do; nobody gets an empty one."""
    overdue, awaiting = outstanding(today, look_back)
    users = get_user_model().objects
    entry_users = {
        u.pk for u in users.with_perm("returns.change_return", include_superusers=False, backend=_PERMISSIONS_BACKEND)
    }
    team_items: dict[str, list[Due]] = defaultdict(list)
    for item in overdue:
        team_items[item.unit_code].append(item)
    per_user: dict[User, list[Due]] = defaultdict(list)
    memberships = Membership.objects.filter(team__code__in=list(team_items), user__is_active=True).select_related(
        "user", "team"
    )
    for membership in memberships:
        if membership.user.pk in entry_users and membership.user.email:
            per_user[membership.user].extend(team_items[membership.team.code])

    messages = []
    for user, items in sorted(per_user.items(), key=lambda pair: pair[0].get_username()):
        body = [
            f"Hello {user.get_full_name() or user.get_username()},",
            "",
            "These returns are overdue. Please enter and submit them:",
            "",
        ]
        body += [_line(item) for item in sorted(items, key=lambda i: (i.month, i.unit_code))]
        messages.append(
            EmailMessage(
                f"Overdue returns ({len(items)})", "\n".join(body) + "\n", settings.DEFAULT_FROM_EMAIL, [user.email]
            )
        )

    if overdue or awaiting:
        reviewers = [
            u
            for u in users.with_perm("returns.approve_return", include_superusers=False, backend=_PERMISSIONS_BACKEND)
            if u.is_active and u.email
        ]
        body = [f"Returns as at {today:%d %B %Y}.", ""]
        if awaiting:
            body += [f"Awaiting your approval ({len(awaiting)}):", *[_line(item) for item in awaiting], ""]
        if overdue:
            body += [f"Overdue ({len(overdue)}):", *[_line(item) for item in overdue], ""]
        subject = f"Returns: {len(awaiting)} awaiting approval, {len(overdue)} overdue"
        messages += [
            EmailMessage(subject, "\n".join(body), settings.DEFAULT_FROM_EMAIL, [u.email])
            for u in sorted(reviewers, key=lambda u: u.get_username())
        ]
    return messages


def send_reminders(messages: list[EmailMessage]) -> tuple[int, int]:
    """Send each message on its own; return (sent, failed). Failures are logged, never raised."""
    sent = failed = 0
    try:
        connection = get_connection(fail_silently=False)
    except Exception:
        logger.exception("Reminder emails: the email backend could not be set up; %d not sent", len(messages))
        return 0, len(messages)
    for message in messages:
        message.connection = connection
        try:
            message.send(fail_silently=False)
            sent += 1
        except Exception:
            failed += 1
            logger.exception("Reminder email to %s could not be sent", ", ".join(message.to))
    return sent, failed
