"""Restatement and provenance in a real browser.

A December 2017 count is corrected and re-approved (set up through the
services); the performance team sees that published December now differs
from approved data and restates it with a reason; a leader reads the
restatement, finds where the figure came from, and opens the first version.
"""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from lib.months import Month
from returns import services
from returns.imports import returns_import
from returns.models import Return
from tests.conftest import PASSWORD
from tests.demo_copy import demo_council

# The team's corrected sheet, imported.
CORRECTION = b"month,team,measure,value\r\n2017-12,EAST-SG,unallocated_cases,3\r\n"

DECEMBER = Month(2017, 12)


@pytest.fixture
def corrected(_catalogue_and_roles):
    """The demo, with East Safeguarding's December unallocated cases corrected from 0 to 3 and re-approved."""
    demo_council(password=PASSWORD)
    performance, performance2 = User.objects.get(username="performance"), User.objects.get(username="performance2")
    ret = services.return_reopen(
        ret=Return.objects.get(team__code="EAST-SG", month=DECEMBER.first_day), actor=performance, reason="Recount"
    )
    returns_import(data=CORRECTION, file_name="east-sg-december.csv", actor=performance)
    services.return_submit(ret=ret, actor=performance, comment="Three cases were unallocated")
    services.return_approve(ret=ret, actor=performance2)


def test_the_performance_team_restates_and_a_leader_reads_why_and_where_from(
    page, live_url, login, corrected, axe_violations, screenshot, browser_log
):
    login(page, "performance", PASSWORD)
    page.goto(f"{live_url}/scorecard/2017-12/")
    corrections = page.locator("section.corrections")
    expect(corrections).to_contain_text("December 2017 (version 1)")
    expect(corrections).to_contain_text("1. Unallocated cases (open > 7 days) changed from 1 to 4")
    page.get_by_label("Reason for restating December 2017").fill("East Safeguarding recount")
    with page.expect_navigation():
        page.get_by_role("button", name="Restate December 2017").click()
    expect(page.locator("body")).to_contain_text("restated as version 2")
    expect(page.locator("section.corrections")).to_contain_text("Every published month still matches approved data")
    violations = axe_violations(page)
    assert not violations, violations.describe()

    page.context.clear_cookies()
    login(page, "leader", PASSWORD)
    page.goto(f"{live_url}/scorecard/2017-12/")
    expect(page.locator("section.restatements")).to_contain_text(
        "1. Unallocated cases (open > 7 days) changed from 1 to 4 (East Safeguarding recount)"
    )
    expect(page.locator("section.restatements")).to_contain_text("Restated on")
    screenshot(page, "restated-december-2017")
    violations = axe_violations(page)
    assert not violations, violations.describe()

    panel = page.locator("#indicator-1")
    panel.locator("summary", has_text="Definition").click()
    with page.expect_navigation():
        panel.get_by_role("link", name="Where these figures come from").click()
    row = page.locator("tr", has=page.locator("th", has_text="EAST-SG")).filter(has_text="2017-12")
    expect(row).to_contain_text("performance2")
    expect(row).to_contain_text("east-sg-december.csv")
    expect(row).to_contain_text(hashlib.sha256(CORRECTION).hexdigest())
    screenshot(page, "provenance-unallocated-cases")
    violations = axe_violations(page)
    assert not violations, violations.describe()

    page.goto(f"{live_url}/scorecard/2017-12/")
    with page.expect_navigation():
        page.get_by_role("link", name="Version 1").click()
    expect(page.locator("body")).to_contain_text("Earlier version")
    expect(page.locator("#indicator-1 table").first).to_contain_text("1")
    assert not browser_log.problems(), browser_log.problems()
