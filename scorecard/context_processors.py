"""Template context every page shares."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.functional import lazy

from returns import policy as returns_policy
from scorecard import assets as pinned
from scorecard import policy

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


def navigation(request: HttpRequest) -> dict:
    """Say which of the main navigation's pages the user may open, as the views behind them decide."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_returns": returns_policy.has_view_completeness_permission(user),
        "nav_imports": returns_policy.has_view_imports_permission(user),
        "nav_admin": policy.has_admin_site_permission(user),
    }
