"""The performance team's month end in a real browser: bulk approval, then the publish preview and publishing.

December 2017 of the demo is made live again: three returns reopened and
submitted again by their teams, so the month is unpublished and waits on them.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from playwright.sync_api import expect

from lib.months import Month
from returns import services
from returns.models import ReportingMonth, Return
from scorecard import snapshots
from tests.conftest import PASSWORD
from tests.demo_copy import demo_council

DEC = dt.date(2017, 12, 1)
RESUBMITTED = ("EAST-ASM", "EAST-SG", "SOUTH-SG")


@pytest.fixture
def three_submitted(_catalogue_and_roles):
    with time_machine.travel("2018-01-10 10:00:00+00:00", tick=True):
        demo_council(password=PASSWORD)
        performance = User.objects.get(username="performance")
        for code in RESUBMITTED:
            ret = Return.objects.get(month=DEC, team__code=code)
            services.return_reopen(ret=ret, actor=performance, reason="Checking the extract")
            entry = User.objects.get(username="entry.east" if code.startswith("EAST") else "entry.south")
            services.return_submit(ret=ret, actor=entry, comment="Checked again")
        # Reopening leaves a published month published (its snapshot is final): withdraw it to make it live again.
        snapshots.month_unpublish(month=Month(2017, 12), actor=performance, reason="Checking the extract")
        yield


def test_bulk_approval_then_the_preview_and_publishing(
    page, live_url, login, three_submitted, axe_violations, screenshot, browser_log
):
    # Four eyes: the demo's figures were entered by `performance`, so its second member approves them.
    login(page, "performance2", PASSWORD)
    page.goto(live_url + "/returns/2017-12/")
    approvals = page.get_by_role("region", name="Approve submitted returns (3)")
    for code in RESUBMITTED:
        expect(approvals.get_by_label(code, exact=False)).to_be_checked()
    expect(page.get_by_role("link", name="Preview and publish December 2017")).to_have_count(0)
    violations = axe_violations(page)
    assert not violations, violations.describe()
    screenshot(page, "month-bulk-approval")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve the ticked returns").click()
    expect(page.locator(".messages")).to_contain_text("Approved 3 returns: EAST-ASM, EAST-SG, SOUTH-SG.")
    assert set(Return.objects.filter(month=DEC).values_list("state", flat=True)) == {"approved"}

    with page.expect_navigation():
        page.get_by_role("link", name="Preview and publish December 2017").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview: what senior leaders will see for December 2017")
    expect(page.get_by_role("heading", name="Rated red or amber", exact=False)).to_be_visible()
    violations = axe_violations(page)
    assert not violations, violations.describe()
    screenshot(page, "publish-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish December 2017").click()
    expect(page.locator(".messages")).to_contain_text("December 2017 is published")
    assert ReportingMonth.objects.get(month=DEC).is_published
    assert browser_log.problems() == []
