"""The load balancer's health check: is this process able to reach its database?"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import Error as DatabaseFailure
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer 200 "ok" when the database answers a trivial query, else 503; say nothing more."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseFailure:
        # The detail goes to the operator's log, never to whoever is asking.
        logger.warning("Health check: the database did not answer.", exc_info=True)
        return HttpResponse("unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
