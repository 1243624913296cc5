"""A month end in a real browser: a return entered by keyboard, checked, rejected, approved; the month published.

The demo council has every return up to December 2017. For January 2018 the
other teams and the council are already approved (set up directly), so the
month hangs on East Safeguarding, which entry.east fills in here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from indicators.models import Commentary, Indicator
from lib.months import Month
from returns.models import ReportingMonth, Return, ReturnValue
from scorecard.services import indicators_needing_commentary
from tests.conftest import PASSWORD
from tests.demo_copy import demo_council

JAN = Month(2018, 1)
FORM = "/returns/2018-01/EAST-SG/"
MONTH_PAGE = "/returns/2018-01/"


@pytest.fixture
def january(_catalogue_and_roles):
    """The demo, with every January 2018 return but East Safeguarding's approved as December's figures."""
    demo_council(password=PASSWORD)
    december = Return.objects.filter(month=dt.date(2017, 12, 1)).select_related("team")
    for ret in december:
        if ret.team and ret.team.code == "EAST-SG":
            continue
        copy = Return.objects.create(team=ret.team, month=JAN.first_day, state=Return.State.APPROVED, version=2)
        ReturnValue.objects.bulk_create(
            [ReturnValue(ret=copy, measure_id=v.measure_id, value=v.value) for v in ret.values.all()]
        )
    values = ReturnValue.objects.filter(ret__team__code="EAST-SG", ret__month=dt.date(2017, 12, 1))
    return {v.measure.code: v.value for v in values.select_related("measure").order_by("measure__order")}


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with this id has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def tab_to_button(page, text: str, limit: int = 80) -> None:
    for _ in range(limit):
        if (
            page.evaluate(
                "() => document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.trim()"
            )
            == text
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached the {text} button")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def test_a_month_end_from_keyboard_entry_to_the_published_scorecard(
    page, live_url, login, january, axe_violations, screenshot, browser_log
):
    values = dict(january)
    values["cpp_visits_made"] = values["cpp_visits_due"] + 10  # an error: more visits made than due
    values["open_cases"] = values["open_cases"] * 3  # a warning: far from the last 12 months

    # entry.east fills the return with the keyboard alone.
    login(page, "entry.east", PASSWORD)
    page.goto(live_url + FORM)
    violations = axe_violations(page)
    assert not violations, violations.describe()
    page.locator("body").focus()
    tab_to(page, "id_open_cases")
    for code, value in values.items():
        assert page.evaluate("() => document.activeElement.id") == f"id_{code}"
        page.keyboard.type(f"{value:,}")
        page.keyboard.press("Tab")  # to the next figure (its "not available because" box opens only on "n/a")
    tab_to_button(page, "Submit")
    press_enter_and_wait(page)

    # The error is refused with the values named; the warning is shown too. Nothing was saved.
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Child protection visits made cannot be more than visits due.")
    expect(summary).to_contain_text(f"= {values['cpp_visits_made']:,} is more than")
    expect(page.locator(".check-summary")).to_contain_text("Open cases (open_cases)")
    assert not Return.objects.filter(team__code="EAST-SG", month=JAN.first_day).exists()
    screenshot(page, "return-with-an-error-and-a-warning")
    violations = axe_violations(page)
    assert not violations, violations.describe()

    # The summary's link takes the keyboard to the field; the figure is put right.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#id_cpp_visits_made")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(january["cpp_visits_made"]))
    tab_to_button(page, "Submit")
    press_enter_and_wait(page)
    expect(page.locator(".messages")).to_contain_text("explain each warning")

    # The warning needs a comment.
    tab_to(page, "id_comment")
    page.keyboard.type("A large family group moved into the area; figures checked with the team manager.")
    tab_to_button(page, "Submit")
    press_enter_and_wait(page)
    expect(page.locator(".messages")).to_contain_text("is submitted")
    expect(page.get_by_role("heading", level=1)).to_have_text("Return submitted")
    violations = axe_violations(page)
    assert not violations, violations.describe()
    screenshot(page, "return-submitted")
    sign_out(page)

    # The performance team sends it back with a reason...
    login(page, "performance", PASSWORD)
    page.goto(live_url + FORM)
    page.get_by_label("Reason for sending it back").fill("Open cases look tripled: please check the extract.")
    with page.expect_navigation():
        page.get_by_role("button", name="Reject").click()
    expect(page.locator(".summary-list")).to_contain_text("Returned")
    expect(page.locator(".history-table")).to_contain_text("Open cases look tripled: please check the extract.")
    sign_out(page)

    # ...entry.east corrects the figure and submits again...
    login(page, "entry.east", PASSWORD)
    page.goto(live_url + FORM)
    page.get_by_label("Open cases", exact=True).fill(str(january["open_cases"]))
    with page.expect_navigation():
        page.get_by_role("button", name="Submit").click()
    expect(page.locator(".messages")).to_contain_text("is submitted")
    sign_out(page)

    # ...and the performance team approves it.
    login(page, "performance", PASSWORD)
    page.goto(live_url + FORM)
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    expect(page.locator(".summary-list")).to_contain_text("Approved")
    expect(page.get_by_label("Open cases", exact=True)).to_have_count(0)  # locked: figures are text now
    violations = axe_violations(page)
    assert not violations, violations.describe()

    # Publishing waits for commentary on every red or amber indicator. All but one are written already.
    needing = indicators_needing_commentary(JAN)
    assert needing, "January 2018 should have red or amber indicators"
    first, *others = needing
    for title in others:
        number = int(title.split(".")[0])
        Commentary.objects.create(
            indicator=Indicator.objects.get(number=number), month=JAN.first_day, text="Written before the test."
        )
    page.goto(live_url + MONTH_PAGE)
    expect(page.locator(".counts")).to_contain_text("14")
    violations = axe_violations(page)
    assert not violations, violations.describe()
    # Not ready: publishing is not offered, and the one thing missing is listed.
    expect(page.get_by_role("button", name="Publish January 2018")).to_have_count(0)
    expect(page.locator(".not-ready")).to_contain_text(f"commentary on {first}")
    assert not ReportingMonth.objects.filter(month=JAN.first_day, published_at__isnull=False).exists()

    short_title = first.split(". ", 1)[1]
    with page.expect_navigation():
        page.get_by_role("link", name=f"Write commentary on {short_title}").click()
    page.get_by_label("Commentary", exact=True).fill("One case waited over seven days; it has been allocated since.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save commentary").click()
    assert page.url == live_url + MONTH_PAGE
    with page.expect_navigation():
        page.get_by_role("link", name="Preview and publish January 2018").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish January 2018").click()
    expect(page.locator(".messages")).to_contain_text("January 2018 is published")
    screenshot(page, "month-published")
    sign_out(page)

    # A senior leader now sees January 2018.
    login(page, "leader", PASSWORD)
    page.goto(live_url + "/scorecard/2018-01/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance scorecard – January 2018")
    expect(page.get_by_text("One case waited over seven days; it has been allocated since.")).to_be_visible()
    assert browser_log.problems() == []
