"""With debug off, errors get the site's own pages: plain words, no traceback, no settings."""

import types

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.test import Client
from django.urls import path

import scorecard.urls

SECRET_DETAIL = "secret-detail-in-the-exception-7f3a"


def raise_fault(request):
    raise RuntimeError(SECRET_DETAIL)


def raise_database_down(request):
    raise OperationalError(f"connection to server at 127.0.0.1 failed: {SECRET_DETAIL}")


def raise_forbidden(request):
    raise PermissionDenied(SECRET_DETAIL)


def raise_suspicious(request):
    raise SuspiciousOperation(SECRET_DETAIL)


@pytest.fixture
def failing_urls(settings):
    """The project's URLs plus views that fail in each way, under the project's handlers."""
    urlconf = types.ModuleType("failing_urls")
    urlconf.urlpatterns = [
        path("boom/", raise_fault),
        path("database-down/", raise_database_down),
        path("forbidden/", raise_forbidden),
        path("suspicious/", raise_suspicious),
        *scorecard.urls.urlpatterns,
    ]
    urlconf.handler500 = scorecard.urls.handler500
    settings.ROOT_URLCONF = urlconf
    return urlconf


@pytest.fixture
def browser(leader):
    """A signed-in client that gets error pages back instead of exceptions, as a browser would."""
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    return client


def assert_reveals_nothing(body: str, settings) -> None:
    assert "Traceback" not in body
    assert SECRET_DETAIL not in body
    assert settings.SECRET_KEY not in body
    assert "DATABASES" not in body and "settings.py" not in body


def test_debug_is_off_in_the_tests_as_in_production(settings):
    assert settings.DEBUG is False


def test_a_fault_gets_the_500_page(browser, failing_urls, settings):
    response = browser.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "something went wrong on our side" in body
    assert_reveals_nothing(body, settings)


def test_a_database_outage_gets_a_503_page_that_asks_to_retry(browser, failing_urls, settings):
    response = browser.get("/database-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "unavailable for a moment" in body
    assert "127.0.0.1" not in body
    assert_reveals_nothing(body, settings)


def test_the_500_page_falls_back_to_plain_words_if_its_template_fails(browser, failing_urls, settings, monkeypatch):
    from scorecard import errors

    def broken_template(name):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(errors.loader, "get_template", broken_template)
    response = browser.get("/boom/")
    assert response.status_code == 500
    assert response.content.decode() == "Something went wrong on our side. Please try again later."


def test_permission_denied_gets_the_403_page(browser, failing_urls, settings):
    response = browser.get("/forbidden/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You do not have permission to do that" in body
    assert_reveals_nothing(body, settings)


def test_a_permission_refusal_is_logged_as_a_security_event(browser, failing_urls, caplog):
    browser.get("/forbidden/", REMOTE_ADDR="203.0.113.9")
    [line] = [r.getMessage() for r in caplog.records if r.name == "scorecard.security"]
    assert line.startswith("security event=permission_denied user=leader ip=203.0.113.9 at=")
    assert line.endswith("method=GET path=/forbidden/")


def test_a_suspicious_request_gets_the_400_page(browser, failing_urls, settings):
    response = browser.get("/suspicious/")
    assert response.status_code == 400
    body = response.content.decode()
    assert "could not be understood" in body
    assert_reveals_nothing(body, settings)


def test_a_request_for_an_unknown_host_gets_the_400_page(client, db, settings):
    response = client.get("/accounts/login/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


def test_an_unknown_address_gets_the_404_page(browser, settings):
    response = browser.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "no-such-page" not in body  # Django's debug page would list the URL patterns
    assert_reveals_nothing(body, settings)


def test_a_post_without_the_csrf_token_is_refused_with_403(leader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "sent without its security token" in response.content.decode()
    assert client.get("/").status_code == 200  # still signed in: nothing happened


def test_the_same_post_with_the_token_goes_through(leader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    client.get("/")  # the page with the sign-out form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_the_sign_in_form_is_protected_too(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "leader", "password": "x"})
    assert response.status_code == 403
