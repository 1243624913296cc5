"""Importing a spreadsheet in a real browser: upload, preview, confirm; problems listed accessibly."""

from __future__ import annotations

from playwright.sync_api import expect

from returns.models import ReturnValue
from returns.reference_import import reference_import
from tests.conftest import PASSWORD


def set_up_council() -> None:
    for kind, text in (
        ("council", "code,name\nCITY,Demo City\n"),
        ("areas", "code,name,kind\nEAST,East,locality\n"),
        ("teams", "code,name,area,team_type\nEAST-SG,East Safeguarding,EAST,safeguarding\n"),
    ):
        reference_import(kind=kind, data=text.encode(), file_name=f"{kind}.csv")


def test_the_performance_team_imports_a_file_through_preview_and_confirm(
    page, live_url, login, performance, axe_violations, screenshot, browser_log, tmp_path
):
    set_up_council()
    bad = tmp_path / "bad.csv"
    bad.write_text("month,team,measure,value\n2017-12,EAST-SG,open_cases,3.5\n2017-12,WEST,open_cases,1\n")
    good = tmp_path / "december.csv"
    good.write_text("month,team,measure,value\n2017-12,EAST-SG,open_cases,120\n2017-12,EAST-SG,unallocated_cases,4\n")
    login(page, "performance", PASSWORD)

    page.goto(f"{live_url}/imports/")
    violations = axe_violations(page)
    assert not violations, violations.describe()
    with page.expect_navigation():
        page.get_by_role("link", name="Import returns").click()
    violations = axe_violations(page)
    assert not violations, violations.describe()

    page.get_by_label("File", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The file cannot be imported")
    expect(alert).to_contain_text("has a decimal point")
    expect(alert).to_contain_text("No team has the code “WEST”")
    screenshot(page, "import-problems")
    violations = axe_violations(page)
    assert not violations, violations.describe()

    page.get_by_label("File", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview: december.csv")
    screenshot(page, "import-preview")
    violations = axe_violations(page)
    assert not violations, violations.describe()
    assert ReturnValue.objects.count() == 0

    page.get_by_role("button", name="Import these values").click()
    expect(page.get_by_role("status")).to_contain_text("Imported december.csv: 2 new")
    assert sorted(ReturnValue.objects.values_list("value", flat=True)) == [4, 120]
    # The refused file is answered 400 on purpose, which the browser logs; nothing else may be.
    assert [p for p in browser_log.problems() if "status of 400" not in p] == []
