"""Importing Annex A in a real browser: upload, map a team name, confirm; accessible at every step."""

from __future__ import annotations

from playwright.sync_api import expect

from returns.models import ReturnValue
from tests.browser.test_imports import set_up_council
from tests.conftest import PASSWORD
from tests.returns.annex_a_books import book, d


def test_the_performance_team_imports_annex_a_mapping_a_team_name(
    page, live_url, login, performance, axe_violations, screenshot, browser_log, tmp_path
):
    set_up_council()
    workbook = tmp_path / "annex-a-december.xlsx"
    workbook.write_bytes(
        book(
            {
                "List 7": [
                    ["CHILD-1", d(2017, 6, 1), d(2017, 12, 4), None, "CP Team East", "SW"],
                    ["CHILD-2", d(2017, 6, 1), d(2017, 11, 4), None, "CP Team East", "SW"],
                    ["CHILD-3", None, None, None, "CP Team East", "SW"],
                ],
                "List 3": [["CHILD-4", "a) Male", None, d(2017, 12, 4), "Police", 1, "CP Team East", "SW"]],
            }
        )
    )
    login(page, "performance", PASSWORD)
    page.goto(f"{live_url}/imports/")
    page.get_by_role("link", name="Import Annex A").click()
    violations = axe_violations(page)
    assert not violations, violations.describe()

    page.get_by_label("Month").fill("Dec 2017")
    page.get_by_label("Annex A workbook").set_input_files(str(workbook))
    page.get_by_role("button", name="Check the workbook").click()
    expect(page.get_by_text("Give the month as YYYY-MM")).to_be_visible()
    page.get_by_label("Month").fill("2017-12")
    page.get_by_label("Annex A workbook").set_input_files(str(workbook))
    page.get_by_role("button", name="Check the workbook").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview: annex-a-december.xlsx")
    expect(page.get_by_role("heading", name="Map the team names")).to_be_visible()
    expect(page.get_by_role("button", name="Import these values")).to_have_count(0)
    expect(page.get_by_role("table", name="Rows and cells not used")).to_contain_text("No plan start date")
    expect(page.locator("body")).not_to_contain_text("CHILD-")
    screenshot(page, "annex-a-mapping")
    violations = axe_violations(page)
    assert not violations, violations.describe()

    page.get_by_label("CP Team East").select_option("EAST-SG")
    page.get_by_role("button", name="Save the mappings").click()
    expect(page.get_by_role("heading", name="Map the team names")).to_have_count(0)
    expect(page.get_by_role("table", name="Team names")).to_contain_text("EAST-SG")
    screenshot(page, "annex-a-preview")
    violations = axe_violations(page)
    assert not violations, violations.describe()
    assert not ReturnValue.objects.exists()

    page.get_by_role("button", name="Import these values").click()
    expect(page.get_by_role("status")).to_contain_text("Imported annex-a-december.xlsx for December 2017")
    assert dict(ReturnValue.objects.filter(ret__team__code="EAST-SG").values_list("measure__code", "value")) == {
        "cpp_children": 2,
        "cpp_visits_due": 2,
        "cpp_visits_made": 1,
    }
    violations = axe_violations(page)
    assert not violations, violations.describe()
    # The refused month is answered 400 on purpose, which the browser logs; nothing else may be.
    assert [p for p in browser_log.problems() if "status of 400" not in p] == []
