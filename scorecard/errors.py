"""Error pages: plain words for the user, never a traceback or a setting.

The 400, 403 and 404 pages are Django's own views with our templates. The 500
view here tells a database outage (503, try again shortly) from a fault in
the code (500), and still answers if the page template itself cannot render.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseServerError
from django.template import loader

from scorecard.security import log_security_event

logger = logging.getLogger(__name__)

# Seconds a client (or a load balancer) is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30


def _render_without_request(template_name: str, fallback: str) -> str:
    """Render `template_name` with no request or context processors, or return `fallback`.

    Context processors may read the database or the session, which may be
    the very thing that failed.
    """
    try:
        return loader.get_template(template_name).render()
    except Exception:
        logger.exception("The %s error page could not be rendered; sent plain text instead.", template_name)
        return fallback


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an unhandled exception: 503 while the database is unreachable, otherwise 500."""
    # Django calls this inside its exception handler, so the exception is still at hand.
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        body = _render_without_request("503.html", "The service is unavailable for a moment. Please try again shortly.")
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    body = _render_without_request("500.html", "Something went wrong on our side. Please try again later.")
    return HttpResponseServerError(body)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Refuse a form sent without a valid security token, and say how to recover."""
    log_security_event(request, "csrf_failed", reason=reason)
    response = HttpResponseForbidden(loader.render_to_string("403_csrf.html", request=request))
    # An attribute of this response only, read by the middleware: not logged again as a plain permission_denied.
    response.security_event_logged = True  # type: ignore[attr-defined]
    return response
