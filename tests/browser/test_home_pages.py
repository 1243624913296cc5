"""Each role's home page as a task list, in a real browser: what it shows, axe clean, a screenshot each.

The clock is frozen in January 2018 (ticking), so December 2017's returns are
being collected: the demo's December is reopened to stand for a live month.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from lib.months import Month
from returns import services
from returns.models import ReportingMonth, Return
from scorecard import snapshots
from tests.conftest import PASSWORD
from tests.demo_copy import demo_council

DEC = dt.date(2017, 12, 1)


@pytest.fixture
def january_2018():
    with time_machine.travel("2018-01-10 10:00:00+00:00", tick=True):
        yield


@pytest.fixture
def live_december(_catalogue_and_roles, january_2018):
    """The demo, with December 2017 withdrawn: one East return reopened, one South return submitted."""
    demo_council(password=PASSWORD)
    from django.contrib.auth.models import User

    performance = User.objects.get(username="performance")
    east = Return.objects.get(month=DEC, team__code="EAST-ASM")
    services.return_reopen(ret=east, actor=performance, reason="Assessments out of timescale look too low")
    south = Return.objects.get(month=DEC, team__code="SOUTH-SG")
    services.return_reopen(ret=south, actor=performance, reason="Checking")
    services.return_submit(ret=south, actor=User.objects.get(username="entry.south"), comment="Checked")
    # Reopening leaves a published month published (its snapshot is final): withdraw it to make it live again.
    snapshots.month_unpublish(month=Month(2017, 12), actor=performance, reason="Collecting December again")
    assert not ReportingMonth.objects.get(month=DEC).is_published


def check_page(page, axe_violations, screenshot, name: str) -> None:
    violations = axe_violations(page)
    assert not violations, violations.describe()
    screenshot(page, name)


def test_data_entry_home_lists_its_returns_with_what_needs_doing(
    page, live_url, login, live_december, axe_violations, screenshot, browser_log
):
    login(page, "entry.east", PASSWORD)
    expect(page.get_by_role("heading", name="Your returns")).to_be_visible()
    december = page.get_by_role("table", name="December 2017")
    expect(december).to_contain_text("Returned")
    expect(december).to_contain_text("Correct and submit again: Assessments out of timescale look too low")
    expect(page.get_by_role("heading", name="December 2017: 1 returned")).to_be_visible()
    check_page(page, axe_violations, screenshot, "home-data-entry")
    with page.expect_navigation():
        december.get_by_role("link", name="East Assessment").click()
    assert page.url.endswith("/returns/2017-12/EAST-ASM/")
    assert browser_log.problems() == []


def test_performance_home_shows_approvals_commentary_and_readiness(
    page, live_url, login, live_december, axe_violations, screenshot, browser_log
):
    login(page, "performance", PASSWORD)
    card = page.get_by_role("region", name="December 2017: Not ready to publish")
    expect(card).to_contain_text("1 awaiting your approval: SOUTH-SG")
    expect(card).to_contain_text("1 returned to their teams")
    check_page(page, axe_violations, screenshot, "home-performance")
    with page.expect_navigation():
        card.get_by_role("link", name="SOUTH-SG").click()
    assert page.url.endswith("/returns/2017-12/SOUTH-SG/")
    assert browser_log.problems() == []


def test_leader_home_shows_the_latest_published_month_and_every_indicator(
    page, live_url, login, live_december, axe_violations, screenshot, browser_log
):
    login(page, "leader", PASSWORD)
    expect(page.get_by_role("heading", name="Latest published scorecard: November 2017")).to_be_visible()
    expect(page.get_by_role("heading", name="Rated red or amber", exact=False)).to_be_visible()
    links = page.locator(".all-indicators a")
    expect(links).to_have_count(14)
    check_page(page, axe_violations, screenshot, "home-leader")
    with page.expect_navigation():
        links.first.click()
    assert "/indicators/unallocated_cases/?month=2017-11" in page.url
    assert browser_log.problems() == []


def test_a_returned_return_seen_by_its_team(
    page, live_url, login, live_december, axe_violations, screenshot, browser_log
):
    login(page, "entry.east", PASSWORD)
    page.goto(live_url + "/returns/2017-12/EAST-ASM/")
    banner = page.get_by_role("region", name="This return was sent back")
    expect(banner).to_contain_text(
        "Reopened by performance on 10 January 2018: Assessments out of timescale look too low"
    )
    expect(page.locator(".summary-list")).to_contain_text("Returned")
    check_page(page, axe_violations, screenshot, "returned-return")
    page.goto(live_url + "/returns/2017-12/")
    expect(page.locator(".completeness-table")).to_contain_text("Returned")
    assert browser_log.problems() == []
