"""Phones and zoom: every page fits 390 px (a phone) and 320 px (1280 px at 400% zoom) without sideways scrolling.

Tables may scroll inside their own box; the page itself may not. Screenshots of
the phone-width return form and scorecard are saved.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User

from returns import services
from returns.models import Return
from tests.conftest import PASSWORD
from tests.demo_copy import demo_council

DEC = dt.date(2017, 12, 1)
PAGES = {
    "entry.east": [
        "/",
        "/returns/2017-12/",
        "/returns/2017-12/EAST-ASM/",
        "/returns/2017-12/EAST-SG/",
        "/scorecard/2017-11/",
        "/imports/",
    ],
    "performance": [
        "/",
        "/returns/2017-12/",
        "/returns/2017-12/SOUTH-SG/",
        "/returns/2017-12/publish/preview",
        "/indicators/unallocated_cases/commentary/2017-12/",
        "/indicators/unallocated_cases/?month=2017-11",
        "/scorecard/2017-12/",
    ],
    "leader": ["/", "/scorecard/2017-11/", "/indicators/children_in_care/?month=2017-11"],
}


@pytest.fixture
def live_december(_catalogue_and_roles):
    with time_machine.travel("2018-01-10 10:00:00+00:00", tick=True):
        demo_council(password=PASSWORD)
        performance = User.objects.get(username="performance")
        east = Return.objects.get(month=DEC, team__code="EAST-ASM")
        services.return_reopen(ret=east, actor=performance, reason="Assessments out of timescale look too low")
        south = Return.objects.get(month=DEC, team__code="SOUTH-SG")
        services.return_reopen(ret=south, actor=performance, reason="Checking")
        services.return_submit(ret=south, actor=User.objects.get(username="entry.south"), comment="Checked")
        yield


def overflow(page) -> int:
    """Return how many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def widest(page) -> str:
    """Return the outermost elements reaching past the window's right edge, to say what to fix."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth, found = [];
        for (const e of document.querySelectorAll("body *")) {
            if (e.getBoundingClientRect().right > width + 0.5 && !found.some(f => f.contains(e))
                    ) {
                found.push(e);
            }
        }
        const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
            + (typeof e.className === "string" && e.className ? "." + e.className.split(" ").join(".") : "");
        return found.slice(0, 3).map(name).join(", ");
    }""")


@pytest.mark.parametrize("width", [390, 320])
def test_no_page_scrolls_sideways_on_a_phone_or_at_400_percent_zoom(
    page, live_url, login, live_december, width, screenshot, browser_log
):
    page.set_viewport_size({"width": width, "height": 800})
    too_wide = []
    page.goto(live_url + "/accounts/login/")
    if (extra := overflow(page)) > 0:
        too_wide.append(f"/accounts/login/: {extra} px too wide: {widest(page)}")
    for username, paths in PAGES.items():
        login(page, username, PASSWORD)
        for path in paths:
            page.goto(live_url + path)
            if (extra := overflow(page)) > 0:
                too_wide.append(f"{username} {path}: {extra} px too wide: {widest(page)}")
            if (
                width == 390
                and path in ("/returns/2017-12/EAST-ASM/", "/scorecard/2017-11/")
                and username == "entry.east"
            ):
                screenshot(page, f"phone-{path.strip('/').replace('/', '-')}")
        page.get_by_role("button", name="Sign out").click()
    assert too_wide == [], "\n".join(too_wide)
    assert browser_log.problems() == []


def test_the_return_forms_inputs_are_whole_on_a_phone(page, live_url, login, live_december, axe_violations):
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, "entry.east", PASSWORD)
    page.goto(live_url + "/returns/2017-12/EAST-ASM/")
    for box in page.locator("input.count-input").all():
        left, right = box.evaluate("e => [e.getBoundingClientRect().left, e.getBoundingClientRect().right]")
        assert left >= 0 and right <= 390, (left, right)
    violations = axe_violations(page)
    assert not violations, violations.describe()
