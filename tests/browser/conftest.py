"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live server.

Nothing is downloaded: the browser is /usr/bin/chromium and axe-core comes from
node_modules (`make setup`). Without them the tests skip, or fail when
REQUIRE_BROWSER=1 (CI sets it, so a missing install cannot pass silently).
The browser reaches only the live server: every other request is aborted, so a
CDN load fails at once, as it does on a machine without internet.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread, which makes Django's
# async-safety check refuse ORM calls made by the test itself. Nothing here
# shares a connection between threads, so the documented switch is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "screenshots"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
HERE = Path(__file__).resolve().parent
# Debian's two Liberation packages draw "Arial" with different metrics; pages must pass under each.
# scripts/system_packages.sh installs both (Chromium brings the first, the suite's screenshots use the second).
LIBERATION_FONTS = {
    "fonts-liberation": Path("/usr/share/fonts/truetype/liberation"),
    "fonts-liberation2": Path("/usr/share/fonts/truetype/liberation2"),
}
DEJAVU_FONTS = Path("/usr/share/fonts/truetype/dejavu")


def unavailable(reason: str) -> None:
    """Skip the test for a missing tool, or fail it when CI requires the browser tests to run."""
    if os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}:
        pytest.fail(f"{reason} (REQUIRE_BROWSER is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    # A conftest hook sees the whole session's items, so mark only this folder's.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _playwright():
    """One Playwright for the session (its sync API allows only one at a time), driving Debian's Chromium."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: run scripts/system_packages.sh (or apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed: pip install -r requirements.txt")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    chromium = _playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()


def fontconfig_with_only(package: str, folder: Path) -> Path:
    """Write a fontconfig file offering one Liberation package (and DejaVu for what it lacks); return its path."""
    fonts = LIBERATION_FONTS[package]
    if not (fonts / "LiberationSans-Regular.ttf").is_file():
        unavailable(f"{package} is not installed: run scripts/system_packages.sh (or apt-get install {package})")
    config = folder / f"{package}.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{fonts}</dir>\n  <dir>{DEJAVU_FONTS}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n"
        # The system's rules, among them the one mapping Arial to Liberation Sans.
        '  <include ignore_missing="yes">/etc/fonts/conf.d</include>\n</fontconfig>\n',
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module", params=sorted(LIBERATION_FONTS))
def browser_with_fonts(request, _playwright, tmp_path_factory):
    """Yield (package, browser): a Chromium that sees only that Liberation package's fonts."""
    config = fontconfig_with_only(request.param, tmp_path_factory.mktemp("fontconfig"))
    chromium = _playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
    )
    yield request.param, chromium
    chromium.close()


@pytest.fixture(autouse=True)
def _catalogue_and_roles(_seed_data_after_flush):
    """Live-server tests flush the database after each test; tests/conftest.py puts the seed data back."""


@pytest.fixture
def live_url(live_server) -> str:
    """Return the live server's base URL, without a trailing slash."""
    return live_server.url.rstrip("/")


@dataclass
class BrowserLog:
    """What the page said on its console and which outside requests were stopped."""

    console: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, source URL)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Return uncaught exceptions and console errors, less the load failures of blocked requests."""
        errors = [
            f"console {kind}: {text} ({url})"
            for kind, text, url in self.console
            if kind == "error" and url not in self.blocked
        ]
        return [f"page error: {message}" for message in self.page_errors] + errors


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(browser, live_url, browser_log):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London")
    # Clicks wait for the page load they start, and a load waits on the server: the scorecard page drawn
    # afresh after a restatement took over 10 s on a busy machine (every published month is checked again).
    context.set_default_timeout(30_000)

    def only_the_live_server(route):
        url = route.request.url
        if url == live_url or url.startswith(live_url + "/"):
            route.continue_()
        else:
            browser_log.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", only_the_live_server)
    page = context.new_page()
    page.on(
        "console",
        lambda message: browser_log.console.append((message.type, message.text, message.location.get("url", ""))),
    )
    page.on("pageerror", lambda error: browser_log.page_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def vendored_chartjs() -> Path:
    """Return the self-hosted Chart.js that `make setup` copies into static/vendor/."""
    from scorecard import assets

    path = ROOT / "static" / assets.CHARTJS_STATIC_PATH
    if not path.is_file():
        unavailable(f"static/{assets.CHARTJS_STATIC_PATH} is missing: run `make setup` (needs npm)")
    return path


@pytest.fixture
def login(live_url):
    """Return a helper that signs `username` in through the login form, as a person would with a mouse."""

    def sign_in(page, username: str, password: str) -> None:
        page.goto(f"{live_url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()

    return sign_in


class Violations(list):
    """axe-core's violations, with a description a person can act on for assertion messages."""

    def describe(self) -> str:
        lines = []
        for violation in self:
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
            lines += [
                f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}" for node in violation["nodes"]
            ]
        return "\n".join(lines)


@pytest.fixture(scope="session")
def _axe_source() -> str:
    if not AXE.is_file():
        unavailable(f"{AXE.relative_to(ROOT)} is missing: run `make setup` (needs npm) to install axe-core")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe_violations(_axe_source):
    """Return a helper running axe-core on the page and returning its violations for WCAG 2.2 A/AA."""

    def run(page, tags=WCAG_TAGS) -> Violations:
        # Styles decide target sizes and contrast: check the page as drawn, once its stylesheets have loaded.
        page.wait_for_load_state("load")
        # Evaluated through the DevTools protocol, not a <script> tag, so a strict
        # Content-Security-Policy on the page cannot block it.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(_axe_source)
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            list(tags),
        )
        return Violations(results["violations"])

    return run


@pytest.fixture
def screenshot():
    """Return a helper saving a full-page PNG to screenshots/<name>.png (git-ignored) and returning its path."""

    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return save
