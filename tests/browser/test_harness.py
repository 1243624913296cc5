"""The browser-test harness itself: outside hosts blocked, axe really checks, screenshots land."""

import pytest
from playwright.sync_api import Error as PlaywrightError


def serve(page, url: str, html: str) -> None:
    """Answer `url` with this HTML from the browser's router and open it."""
    page.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(url)


def test_the_browser_reaches_no_host_but_the_live_server(page, browser_log):
    with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):
        page.goto("https://www.example.org/")

    assert browser_log.blocked == ["https://www.example.org/"]


def test_axe_reports_a_known_violation(page, live_url, axe_violations):
    serve(
        page,
        f"{live_url}/harness/bad.html",
        "<!doctype html><html lang='en'><head><title>Bad</title></head>"
        "<body><main><img src='/static/none.png'><input type='text'></main></body></html>",
    )

    violations = axe_violations(page)

    assert {violation["id"] for violation in violations} >= {"image-alt", "label"}
    assert "image-alt" in violations.describe()


def test_axe_runs_under_a_strict_content_security_policy(page, live_url, axe_violations):
    # No 'unsafe-inline', no 'unsafe-eval': a <script> injection would be refused here.
    page.route(
        f"{live_url}/harness/csp.html",
        lambda route: route.fulfill(
            body="<!doctype html><html lang='en'><head><title>CSP</title></head>"
            "<body><main><h1>Fine</h1></main></body></html>",
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'; script-src 'self'"},
        ),
    )
    page.goto(f"{live_url}/harness/csp.html")

    assert axe_violations(page) == []


def test_page_errors_are_collected(page, live_url, browser_log):
    page.route(
        f"{live_url}/harness/broken.js",
        lambda route: route.fulfill(body="undefinedFunction();", content_type="text/javascript"),
    )
    serve(
        page,
        f"{live_url}/harness/broken.html",
        "<!doctype html><html lang='en'><head><title>Broken</title>"
        "<script src='/harness/broken.js'></script></head><body></body></html>",
    )

    assert any("undefinedFunction" in problem for problem in browser_log.problems())


def test_a_screenshot_is_saved_as_a_png(page, live_url, screenshot):
    page.goto(f"{live_url}/accounts/login/")

    path = screenshot(page, "harness login/page")

    assert path.name == "harness-login-page.png"
    assert path.read_bytes().startswith(b"\x89PNG")
