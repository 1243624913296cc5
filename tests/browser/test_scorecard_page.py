"""A senior leader reads December 2017 in a real browser: figures, charts, keyboard, accessibility."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.demo_copy import demo_council


@pytest.fixture
def demo(_catalogue_and_roles):
    demo_council(password=PASSWORD)


def open_december(page, live_url, login):
    """Sign in as the leader and open December 2017 once its charts are drawn (tests calling it need Chart.js)."""
    login(page, "leader", PASSWORD)
    page.goto(f"{live_url}/scorecard/")
    page.wait_for_url(f"{live_url}/scorecard/2017-12/")
    page.wait_for_function("() => document.documentElement.dataset.chartsDrawn === 'true'")


def test_a_leader_reads_december_2017_with_its_charts(
    page, live_url, login, demo, vendored_chartjs, axe_violations, screenshot, browser_log
):
    open_december(page, live_url, login)
    screenshot(page, "scorecard-2017-12")

    expect(page.get_by_role("heading", level=1)).to_have_text("Performance scorecard – December 2017")
    panel = page.locator("#indicator-12")
    for figure in ("419", "510", "82%", "77%", "89%", "85%", "58%", "80%"):
        expect(panel.get_by_role("cell", name=figure, exact=True).first).to_be_visible()
    expect(page.locator("#indicator-2").get_by_role("cell", name="1,596", exact=True)).to_be_visible()
    expect(page.locator("#indicator-7").get_by_role("cell", name="1,758", exact=True)).to_be_visible()
    # Chart.js came from this site: the CDN is unreachable here, so the fallback did its job.
    assert page.evaluate("() => document.documentElement.dataset.chartjs") == "local-fallback"
    sizes = page.evaluate("() => [...document.querySelectorAll('canvas[data-chart]')].map(c => c.width * c.height)")
    assert len(sizes) == 14 and all(size > 0 for size in sizes)
    violations = axe_violations(page)
    assert not violations, violations.describe()
    assert browser_log.problems() == []

    # On paper: the board-paper layout, two panels side by side even where the screen shows one column,
    # and no navigation or controls.
    first_two = (
        "() => [...document.querySelectorAll('.panel')].slice(0, 2).map(p => Math.round(p.getBoundingClientRect().top))"
    )
    page.set_viewport_size({"width": 800, "height": 900})
    on_screen = page.evaluate(first_two)
    page.emulate_media(media="print")
    on_paper = page.evaluate(first_two)
    assert on_screen[0] != on_screen[1] and on_paper[0] == on_paper[1]
    assert page.locator(".month-nav").is_hidden() and page.locator(".site-header").is_hidden()


def test_the_chart_data_table_opens_with_one_key_press(page, live_url, login, demo, vendored_chartjs):
    open_december(page, live_url, login)
    summary = page.locator("#indicator-9 .chart-data summary")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator("#indicator-9 .chart-data table")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="Dec-17 232 271")).to_be_visible()


def test_months_are_navigated_with_the_keyboard(page, live_url, login, demo, vendored_chartjs):
    open_december(page, live_url, login)
    page.get_by_role("link", name="← November 2017").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_url}/scorecard/2017-11/"

    picker = page.get_by_label("Choose a month")
    picker.focus()
    picker.select_option("2017-03")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_url}/scorecard/2017-03/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance scorecard – March 2017")


def test_the_indicator_page_has_no_wcag_violations(
    page, live_url, login, demo, vendored_chartjs, axe_violations, screenshot
):
    login(page, "leader", PASSWORD)
    page.goto(f"{live_url}/indicators/adoption_match_days/")
    page.wait_for_function("() => document.documentElement.dataset.chartsDrawn === 'true'")
    screenshot(page, "indicator-adoption-match-days")
    expect(page.get_by_role("heading", level=1)).to_contain_text("average days from court authority")
    violations = axe_violations(page)
    assert not violations, violations.describe()


# What sticks out past the right edge of a 320 px page, outside the boxes that scroll on their own.
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > document.documentElement.clientWidth)
  .map(e => `${e.tagName.toLowerCase()}.${e.className}: right edge ${e.getBoundingClientRect().right}`)
"""


def test_at_400_percent_zoom_the_panels_stack_in_one_column(browser_with_fonts, live_url, demo):
    package, browser = browser_with_fonts
    # 1280 CSS pixels at 400% zoom is a 320-pixel-wide viewport.
    context = browser.new_context(viewport={"width": 320, "height": 800})
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(live_url) else route.abort("blockedbyclient"),
    )
    page = context.new_page()
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("Username").fill("leader")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_url}/scorecard/2017-12/")
    lefts = page.evaluate("() => [...document.querySelectorAll('.panel')].map(p => p.getBoundingClientRect().left)")
    assert len(lefts) == 14 and len(set(lefts)) == 1
    # Nothing but the wide tables (which scroll inside their own box) may push the page sideways, whatever the font.
    assert page.evaluate(OVERFLOWING) == [], package
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, package
    context.close()
