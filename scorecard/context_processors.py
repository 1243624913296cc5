"""Template context every page shares."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.functional import lazy

from scorecard import assets as pinned

logger = logging.getLogger(__name__)


def _chartjs_local_url() -> str:
    """Return the static URL of the self-hosted Chart.js, or its plain URL if it was never collected."""
    try:
        return static(pinned.CHARTJS_STATIC_PATH)
    except ValueError:
        # The manifest storage lacks the file when npm was absent at build time.
        # A page must still render: the CDN copy works, only the fallback is lost.
        logger.warning(
            "%s is not among the collected static files; Chart.js has no self-hosted fallback.",
            pinned.CHARTJS_STATIC_PATH,
        )
        return settings.STATIC_URL + pinned.CHARTJS_STATIC_PATH


def assets(request: HttpRequest) -> dict:
    """Expose where Chart.js loads from, for templates/includes/chartjs.html."""
    return {
        "chartjs_version": pinned.CHARTJS_VERSION,
        "chartjs_cdn_url": pinned.CHARTJS_CDN_URL,
        "chartjs_sri": pinned.CHARTJS_SRI,
        # Lazy: most pages draw no chart, so only those that do look the file up.
        "chartjs_local_url": lazy(_chartjs_local_url, str)(),
        "chartjs_self_hosted_only": settings.CHARTJS_SELF_HOSTED_ONLY,
    }
