"""Repeated failed sign-ins lock out, and the lockout never tells whether a username exists."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
GENERIC_FAILURE = "Please enter a correct username and password."


def sign_in(client, username, password, address="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_locked(client, username, settings, address="192.0.2.10"):
    """Send as many wrong passwords as the limit allows; return the answer to the last."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, username, "wrong-password", address)
    return response


def test_the_limit_is_five_failures_and_the_pause_fifteen_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_failures_below_the_limit_get_the_ordinary_message(client, leader, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "leader", "wrong-password")
        assert response.status_code == 200
        assert GENERIC_FAILURE in response.content.decode()


def test_the_failure_that_reaches_the_limit_locks_out_with_a_clear_message(client, leader, settings):
    response = fail_until_locked(client, "leader", settings)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Sign-in paused" in body
    assert "too many unsuccessful attempts" in body
    assert "15 minutes" in body


def test_a_locked_out_user_cannot_sign_in_even_with_the_right_password(client, leader, settings):
    fail_until_locked(client, "leader", settings)
    response = sign_in(client, "leader", PASSWORD)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_reads_the_same_for_a_real_and_a_made_up_username(client, leader, settings):
    real = fail_until_locked(client, "leader", settings)
    made_up = fail_until_locked(client, "leader-does-not-exist", settings)
    assert real.status_code == made_up.status_code == 429
    assert real.content == made_up.content
    # And before the limit, too: the same words for both.
    assert (
        sign_in(client, "someone", "x").content.decode().count(GENERIC_FAILURE)
        == sign_in(client, "performance", "x").content.decode().count(GENERIC_FAILURE)
        == 1
    )


def test_the_lockout_holds_one_username_from_one_address_only(client, leader, entry_user, settings):
    fail_until_locked(client, "leader", settings, address="192.0.2.10")
    # The same person from another office, and a colleague from the same office, still get in.
    assert sign_in(client, "leader", PASSWORD, address="198.51.100.20").status_code == 302
    client.logout()
    assert sign_in(client, "entry.east", PASSWORD, address="192.0.2.10").status_code == 302


def test_the_lockout_lifts_after_the_pause(client, leader, settings):
    fail_until_locked(client, "leader", settings)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    response = sign_in(client, "leader", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(leader.pk)


def test_a_successful_sign_in_clears_earlier_failures(client, leader, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "leader", "wrong-password")
    assert sign_in(client, "leader", PASSWORD).status_code == 302
    client.logout()
    # Were the failures still counted, this one would reach the limit.
    response = sign_in(client, "leader", "wrong-password")
    assert response.status_code == 200


@pytest.mark.parametrize("limit", [2, 3])
def test_the_limit_follows_the_setting(client, leader, settings, limit):
    settings.AXES_FAILURE_LIMIT = limit
    for _ in range(limit - 1):
        assert sign_in(client, "leader", "wrong-password").status_code == 200
    assert sign_in(client, "leader", "wrong-password").status_code == 429


def test_signing_in_outside_a_web_request_is_not_throttled(leader):
    # A shell or management command has no request; the lockout backend steps aside.
    from django.contrib.auth import authenticate

    assert authenticate(username="leader", password=PASSWORD) == leader
