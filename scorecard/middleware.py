"""Request-wide security rules: session lifetime, no caching of signed-in pages, 403 logging."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from scorecard.security import log_security_event

# Session keys, seconds since the epoch (JSON-serialisable, unlike datetimes).
STARTED_AT = "_scorecard_started_at"
LAST_SEEN_AT = "_scorecard_last_seen_at"
# Writing the session on every request would cost a database write per page;
# refreshing "last seen" at most once a minute keeps the idle clock honest to a minute.
LAST_SEEN_RESOLUTION = 60


class SessionLifetimeMiddleware:
    """End a signed-in session when it has been idle too long, is too old, or its user is disabled.

    Idle limit: SESSION_IDLE_MINUTES; absolute limit: SESSION_MAX_AGE_SECONDS
    from sign-in, however active. Django itself stops honouring the session of
    a deactivated user; this also deletes it, so it cannot come back if the
    user is re-enabled, and records why.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            self._check(request, int(time.time()))
        response = self.get_response(request)
        if SESSION_KEY in session and STARTED_AT not in session and request.user.is_authenticated:
            # The request that signed in: start both clocks now.
            now = int(time.time())
            session[STARTED_AT] = session[LAST_SEEN_AT] = now
        return response

    def _check(self, request: HttpRequest, now: int) -> None:
        session = request.session
        if not request.user.is_authenticated:
            # The session names a user Django no longer accepts: deactivated,
            # deleted, or whose password has changed since.
            log_security_event(request, "session_ended", user_id=session.get(SESSION_KEY), reason="user_not_active")
            self._end(request)
            return
        idle_limit = settings.SESSION_IDLE_MINUTES * 60
        last_seen = session.get(LAST_SEEN_AT, now)
        if now - last_seen > idle_limit:
            log_security_event(request, "session_expired", reason="idle", idle_seconds=now - last_seen)
            self._end(request)
            messages.info(
                request,
                f"You were signed out after {settings.SESSION_IDLE_MINUTES} "
                "minutes without activity. Sign in again to carry on.",
            )
            return
        if now - session.get(STARTED_AT, now) > settings.SESSION_MAX_AGE_SECONDS:
            log_security_event(request, "session_expired", reason="max_age")
            self._end(request)
            messages.info(request, "Your session reached its time limit. Sign in again to carry on.")
            return
        if now - last_seen >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN_AT] = now

    @staticmethod
    def _end(request: HttpRequest) -> None:
        # Not auth.logout(): that records a logout the user never asked for.
        request.session.flush()
        request.user = AnonymousUser()


class NoStoreWhenSignedInMiddleware:
    """Forbid browsers and proxies to keep a copy of any page served to a signed-in user.

    A shared office computer's back button or disk cache must not show
    unpublished figures to the next person.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class PermissionDeniedLogMiddleware:
    """Record every 403 answer as a security event, whichever view refused."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403 and not getattr(response, "security_event_logged", False):
            log_security_event(request, "permission_denied")
        return response
