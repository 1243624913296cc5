"""Security events, written to the standard logging configuration.

Every event goes to the logger ``scorecard.security`` as one line of
``key=value`` pairs: the event name, the user, the source address, the time
(UTC) and the fields the caller adds. Other apps log their own events through
``log_security_event`` (for example ``return_approved``), so an operator reads
one stream with one shape:

    log_security_event(request, "return_reopened", return_id=r.pk, reason=reason)

Event names are lower_snake_case, a noun then a past participle
(``login_failed``, ``return_approved``). Values are quoted when they hold
anything but plain characters, so a crafted username cannot forge a line.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from datetime import UTC, datetime

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from returns import signals

logger = logging.getLogger("scorecard.security")

# Events that may mean an attack or a misconfiguration; the rest are the normal record.
WARNING_EVENTS = frozenset(
    {
        "login_failed",
        "login_locked_out",
        "permission_denied",
        "csrf_failed",
        "session_ended",
        "request_too_large",
        "request_refused",
    }
)

_PLAIN = re.compile(r"^[A-Za-z0-9_.:@/+\-]*$")


def _quote(value: object) -> str:
    """Return `value` as it appears in the log line: bare when plain, JSON-quoted otherwise."""
    text = "-" if value is None else str(value)
    return text if text and _PLAIN.match(text) else json.dumps(text)


def _user_of(request: HttpRequest | None) -> str | None:
    """Return the signed-in username of `request`, or None when there is none."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.get_username()
    return None


def client_address(request: HttpRequest) -> str | None:
    """Return the address of the client, seen through TRUSTED_PROXY_COUNT reverse proxies.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the TRUSTED_PROXY_COUNT-th entry from
    the right; entries to its left were written by the client and prove
    nothing. With no proxy, or a header too short to be one of theirs, the
    connection's own address is the answer.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def source_address(request: HttpRequest | None) -> str | None:
    """Return the client's address as sign-in throttling reads it, or None without a request."""
    if request is None:
        return None
    return client_address(request)


def log_security_event(request: HttpRequest | None, event: str, **fields: object) -> None:
    """Log security event `event` with its user, source address, time and `fields`.

    ``user`` in `fields` overrides the signed-in user (a failed sign-in names
    the username tried); without a request the user and address are ``-``.
    """
    user = fields.pop("user", None) or _user_of(request)
    record = {
        "event": event,
        "user": user,
        "ip": source_address(request),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if request is not None:
        record["method"] = request.method
        record["path"] = request.path
    record.update(fields)
    level = logging.WARNING if event in WARNING_EVENTS else logging.INFO
    line = " ".join(f"{key}={_quote(value)}" for key, value in record.items())
    logger.log(level, "security %s", line, extra={"security_event": record})


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped where there is no web request to throttle.

    Sign-in through the site always carries a request; ``authenticate()``
    called from a shell, a management command or the test client's
    ``login()`` does not, and is not a guessing channel, so it is let through
    to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Answer a locked-out sign-in: the same page whether or not the username exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"lockout_minutes": minutes}, status=429)


@receiver(user_logged_in, dispatch_uid="scorecard.security.logged_in")
def _on_logged_in(sender, request, user, **kwargs) -> None:
    log_security_event(request, "login_succeeded", user=user.get_username())


@receiver(user_login_failed, dispatch_uid="scorecard.security.login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; the username tried is kept.
    log_security_event(request, "login_failed", user=credentials.get("username"))


@receiver(user_locked_out, dispatch_uid="scorecard.security.locked_out")
def _on_locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    log_security_event(request, "login_locked_out", user=username)


@receiver(user_logged_out, dispatch_uid="scorecard.security.logged_out")
def _on_logged_out(sender, request, user=None, **kwargs) -> None:
    log_security_event(request, "logout_succeeded", user=user.get_username() if user else None)


@receiver(signals.workflow_event, dispatch_uid="scorecard.security.workflow_event")
def _on_workflow_event(sender, *, request, event: str, fields: dict, **kwargs) -> None:
    """Record the returns workflow's transitions in the security log, beside sign-ins and refusals."""
    log_security_event(request, event, **fields)
