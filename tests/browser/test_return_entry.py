"""Less typing on the return form, in a real browser: one tab stop per row, copy last month, paste a column.

January 2018 is entered for East Safeguarding, whose December 2017 figures are
the demo's; the clock is frozen in February 2018 (ticking).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from returns.models import ReturnValue
from tests.conftest import PASSWORD
from tests.demo_copy import demo_council

FORM = "/returns/2018-01/EAST-SG/"


@pytest.fixture
def december(_catalogue_and_roles):
    with time_machine.travel("2018-02-02 10:00:00+00:00", tick=True):
        demo_council(password=PASSWORD)
        values = ReturnValue.objects.filter(ret__team__code="EAST-SG", ret__month=dt.date(2017, 12, 1))
        yield {v.measure.code: v.value for v in values.select_related("measure").order_by("measure__order")}


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def test_one_tab_stop_per_row_and_n_a_opens_the_reason(
    page, live_url, login, december, axe_violations, screenshot, browser_log
):
    login(page, "entry.east", PASSWORD)
    page.goto(live_url + FORM)
    codes = list(december)
    page.locator("body").focus()
    to_first = 0
    while focused_id(page) != f"id_{codes[0]}":
        page.keyboard.press("Tab")
        to_first += 1
        assert to_first < 20, "the first figure is more than 20 tab stops in"
    # Skip link, site name, Home, Returns, Sign out, back link, copy last month, then the first figure.
    assert to_first == 8
    stops = 0
    for code in codes[1:]:
        page.keyboard.press("Tab")
        stops += 1
        assert focused_id(page) == f"id_{code}"
    assert stops == len(codes) - 1  # one stop per row: the reason boxes are out of the way
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_comment"

    # "n/a" opens the row's reason box, which is then the next tab stop.
    page.locator("#id_supervisions").fill("")
    page.locator("#id_supervisions").type("n/a")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_supervisions-unavailable"
    violations = axe_violations(page)
    assert not violations, violations.describe()
    assert browser_log.problems() == []


def test_copy_last_month_fills_only_the_blank_boxes(page, live_url, login, december, axe_violations, browser_log):
    login(page, "entry.east", PASSWORD)
    page.goto(live_url + FORM)
    page.locator("#id_open_cases").fill("5")
    page.get_by_role("button", name="Copy last month's figures into the blank boxes").click()
    expect(page.locator("#entry-status")).to_contain_text(f"into {len(december) - 1} blank boxes")
    assert page.locator("#id_open_cases").input_value() == "5"
    for code, value in list(december.items())[1:]:
        assert page.locator(f"#id_{code}").input_value() == str(value)
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    saved = dict(
        ReturnValue.objects.filter(ret__team__code="EAST-SG", ret__month=dt.date(2018, 1, 1)).values_list(
            "measure__code", "value"
        )
    )
    assert saved == {**december, "open_cases": 5}
    assert browser_log.problems() == []


def test_pasting_a_column_fills_the_boxes_down(page, live_url, login, december, browser_log):
    login(page, "entry.east", PASSWORD)
    page.goto(live_url + FORM)
    codes = list(december)
    page.locator(f"#id_{codes[2]}").evaluate(
        """(input) => {
            const data = new DataTransfer();
            data.setData("text/plain", "11\\r\\n12\\t99\\r\\n1,300\\r\\n\\r\\n");
            input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
    )
    assert [page.locator(f"#id_{code}").input_value() for code in codes[1:6]] == ["", "11", "12", "1,300", ""]
    expect(page.locator("#entry-status")).to_contain_text("Pasted 3 figures")
    assert browser_log.problems() == []
