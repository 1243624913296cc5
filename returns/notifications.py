"""Emails about one return: its team's data entry users are told when it is sent back.

Best effort, like the reminders: a message that cannot be sent is logged and
nothing else happens; the return has already changed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.urls import reverse

from lib.months import Month
from returns import dates, reminders, tasks
from returns.models import Return
from teams.models import Membership

logger = logging.getLogger(__name__)

# Roles are groups with permissions, which this backend answers for (as in returns.reminders).
_PERMISSIONS_BACKEND = "django.contrib.auth.backends.ModelBackend"


def team_entry_users(ret: Return) -> list:
    """Return the active data entry users of the return's team who have an email address, by username."""
    if ret.team_id is None:
        return []
    may_enter = set(
        get_user_model()
        .objects.with_perm("returns.change_return", include_superusers=False, backend=_PERMISSIONS_BACKEND)
        .values_list("pk", flat=True)
    )
    members = Membership.objects.filter(team_id=ret.team_id, user__is_active=True).select_related("user")
    return sorted(
        (m.user for m in members if m.user.pk in may_enter and m.user.email), key=lambda user: user.get_username()
    )


def returned_emails(ret: Return, returned: tasks.Returned) -> list[EmailMessage]:
    """Return one email per data entry user of the team saying the return came back, by whom and why."""
    users = team_entry_users(ret)
    if not users:
        return []
    month = Month.of(ret.month)
    code = ret.team.code if ret.team is not None else ret.unit_label
    link = getattr(settings, "SITE_URL", "").rstrip("/") + reverse(
        "returns:form", kwargs={"month": str(month), "unit": code}
    )
    subject = f"{returned.verb}: {ret.unit_label} return for {month.long_label}"
    body = [
        f"{returned.verb} by {returned.actor} on {returned.at:%d %B %Y}: {returned.reason}",
        "",
        "Please correct the return and submit it again:",
        link,
        f"Returns for {month.long_label} are due by {dates.due_date(month):%A %d %B %Y}.",
        "",
    ]
    return [EmailMessage(subject, "\n".join(body), settings.DEFAULT_FROM_EMAIL, [user.email]) for user in users]


def notify_returned(ret: Return) -> tuple[int, int]:
    """Email the team that its return was sent back; return (sent, failed). Never raises."""
    try:
        returned = tasks.returned_for(ret)
        if returned is None:
            return 0, 0
        messages = returned_emails(ret, returned)
    except Exception:
        logger.exception("Returned-return email for return %s could not be prepared", ret.pk)
        return 0, 1
    return reminders.send_reminders(messages)
