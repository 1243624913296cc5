"""Signing in, in a real browser: accessible, keyboard-only, and clear about a wrong password."""

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def test_the_login_page_has_no_wcag_violations(page, live_url, axe_violations, screenshot, browser_log):
    page.goto(f"{live_url}/accounts/login/")
    screenshot(page, "login")

    violations = axe_violations(page)

    assert not violations, violations.describe()
    assert browser_log.problems() == []


def test_a_leader_signs_in_with_the_keyboard_alone_and_lands_on_the_home_page(
    page, live_url, leader, browser_log, screenshot
):
    page.goto(f"{live_url}/accounts/login/")
    # Tab from the top of the page (skip link, site name) until the username field has focus.
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "username":
            break
    assert page.evaluate("() => document.activeElement.name") == "username", "Tab never reached the username field"

    page.keyboard.type("leader")
    screenshot(page, "login-keyboard-focus")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == f"{live_url}/"
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, leader"
    assert browser_log.problems() == []


def test_a_wrong_password_shows_the_error_and_signs_no_one_in(page, live_url, leader, axe_violations, screenshot):
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("Username").fill("leader")
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    screenshot(page, "login-wrong-password")

    assert page.url.startswith(f"{live_url}/accounts/login/")
    alert = page.get_by_role("alert")
    assert "There is a problem" in alert.inner_text()
    assert "Please enter a correct username and password" in alert.inner_text()
    violations = axe_violations(page)
    assert not violations, violations.describe()
    # Still signed out: the home page sends the browser back to sign in.
    page.goto(f"{live_url}/")
    assert page.url.startswith(f"{live_url}/accounts/login/")


def test_an_empty_form_names_each_missing_field_accessibly(page, live_url, axe_violations, screenshot):
    page.goto(f"{live_url}/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    screenshot(page, "login-empty")

    assert page.title().startswith("Error: ")
    for label in ("Username", "Password"):
        field = page.get_by_label(label)
        assert field.get_attribute("aria-invalid") == "true"
        # What a screen reader announces with the field: its error.
        expect(field).to_have_accessible_description("Error: This field is required.")
    violations = axe_violations(page)
    assert not violations, violations.describe()
