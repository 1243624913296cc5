"""Every response carries the security headers; signed-in pages are never stored."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scorecard import assets

ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    """Split a Content-Security-Policy header into {directive: [sources]}."""
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def policy_in_fresh_process(**env: str) -> str:
    """Return the CSP header the settings build in a new interpreter with these variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CHARTJS_"))}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from csp.utils import build_policy; print(build_policy())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "scorecard.settings", "DJANGO_SECRET_KEY": "x" * 50},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_sends_the_strict_content_security_policy_with_the_cdn_file_allowed(client, db):
    response = client.get("/accounts/login/")
    assert directives(response["Content-Security-Policy"]) == {
        "default-src": ["'self'"],
        "script-src": ["'self'", assets.CHARTJS_CDN_URL],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


def test_the_policy_allows_only_the_pinned_chartjs_file_not_the_whole_cdn():
    script_src = directives(policy_in_fresh_process(CHARTJS_SELF_HOSTED_ONLY="0"))["script-src"]
    assert script_src == ["'self'", "https://cdn.jsdelivr.net/npm/chart.js@4.6.1/dist/chart.umd.min.js"]


def test_the_policy_allows_no_other_host_when_chartjs_is_self_hosted_only():
    policy = directives(policy_in_fresh_process(CHARTJS_SELF_HOSTED_ONLY="1"))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/no-such-page/"])
def test_every_response_forbids_sniffing_framing_and_cross_site_referrers(client, db, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


def test_https_responses_carry_hsts_for_a_year_with_subdomains(client, db):
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.parametrize("path", ["/", "/no-such-page/"])
def test_pages_served_to_a_signed_in_user_are_never_stored(client, leader, path):
    client.force_login(leader)
    response = client.get(path)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private"} <= cache_control


def test_the_sign_in_page_is_not_stored_either(client, db):
    # Django's LoginView marks itself so; the form carries a one-off token.
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]


def test_the_no_store_rule_follows_the_user_not_the_page(client, leader):
    # The same 404 page: stored by nobody once signed in, left to caching rules before.
    assert "no-store" not in client.get("/no-such-page/").get("Cache-Control", "")
    client.force_login(leader)
    assert "no-store" in client.get("/no-such-page/")["Cache-Control"]
