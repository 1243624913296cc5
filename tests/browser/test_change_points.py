"""The performance team accepts a suggested change point in a real browser; restated, the limits start afresh there."""

import pytest
from playwright.sync_api import expect

from indicators.models import ChangePoint
from tests.conftest import PASSWORD
from tests.demo_copy import demo_council


@pytest.fixture
def demo(_catalogue_and_roles):
    demo_council(password=PASSWORD)


def test_a_suggested_change_point_is_accepted_end_to_end(
    page, live_url, login, demo, axe_violations, screenshot, browser_log
):
    login(page, "performance", PASSWORD)
    page.goto(f"{live_url}/indicators/unallocated_cases/")
    page.wait_for_function("() => document.documentElement.dataset.chartsDrawn === 'true'")
    suggestion = page.locator("#suggested-change-point")
    expect(suggestion.get_by_role("heading", level=3)).to_have_text("Suggested change point: February 2017")
    expect(page.locator("#baseline-flag")).to_be_visible()
    screenshot(page, "indicator-suggested-change-point")
    violations = axe_violations(page)
    assert not violations, violations.describe()

    # Accepting needs a reason: the browser will not send the form without one.
    suggestion.get_by_role("button", name="Accept the change point").click()
    assert not ChangePoint.objects.filter(indicator__code="unallocated_cases", month="2017-02-01").exists()
    suggestion.get_by_label("What changed in February 2017").fill("Duty and assessment merged into one front door")
    suggestion.get_by_role("button", name="Accept the change point").click()

    page.wait_for_url(f"{live_url}/indicators/unallocated_cases/")
    expect(page.get_by_text("Change point recorded from February 2017")).to_be_visible()
    expect(page.locator("#suggested-change-point")).to_have_count(0)
    expect(page.get_by_text("Duty and assessment merged into one front door")).to_be_visible()
    # December 2017 is published: its frozen reading stands, and the page says the change point waits for a
    # restatement.
    expect(page.locator(".change-points")).to_contain_text("recorded after this version was published")
    change_point = ChangePoint.objects.get(indicator__code="unallocated_cases", month="2017-02-01")
    assert change_point.created_by.username == "performance"

    # Restating the month publishes the reading with the new limits.
    page.goto(f"{live_url}/scorecard/2017-12/")
    page.get_by_label("Reason for restating December 2017").fill("Change point recorded for unallocated cases")
    with page.expect_navigation():
        page.get_by_role("button", name="Restate December 2017").click()
    # Eleven months since February 2017 are fewer than fifteen: the chart reads as a run chart, nothing guessed.
    expect(page.locator("#indicator-1 .spc-sentence")).to_contain_text("11 months since Feb-17")
    page.goto(f"{live_url}/indicators/unallocated_cases/")
    expect(page.locator(".spc-sentence")).to_contain_text("Not enough data for limits: 11 months since Feb-17")
    assert browser_log.problems() == []
