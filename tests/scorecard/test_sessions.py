"""Sessions: a new id at sign-in, sign-out by POST, idle and absolute limits, disabled users."""

import datetime as dt
import time

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from scorecard.middleware import LAST_SEEN_AT, STARTED_AT
from tests.conftest import PASSWORD

SIGNED_IN_AT = dt.datetime(2017, 12, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    """Stop the clock at SIGNED_IN_AT; tests move it on with clock.shift(seconds), never by waiting."""
    with time_machine.travel(SIGNED_IN_AT, tick=False) as traveller:
        yield traveller


def sign_in(client, username="leader"):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def age_session(client, **seconds_ago: int) -> None:
    """Move the session's clocks back: started=..., last_seen=... seconds ago."""
    session = client.session
    now = int(time.time())
    if "started" in seconds_ago:
        session[STARTED_AT] = now - seconds_ago["started"]
    if "last_seen" in seconds_ago:
        session[LAST_SEEN_AT] = now - seconds_ago["last_seen"]
    session.save()


def test_signing_in_gives_a_new_session_id(client, leader):
    session = client.session
    session["before"] = "sign-in"
    session.save()
    before = client.cookies["sessionid"].value
    sign_in(client)
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_signing_out_needs_a_post(client, leader):
    sign_in(client)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200  # still signed in


def test_signing_out_by_post_ends_the_session(client, leader):
    sign_in(client)
    key = client.cookies["sessionid"].value
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_the_idle_limit_defaults_to_thirty_minutes(settings):
    assert settings.SESSION_IDLE_MINUTES == 30


def test_sign_in_starts_both_session_clocks(client, leader, clock):
    sign_in(client)
    session = client.session
    assert session[STARTED_AT] == session[LAST_SEEN_AT] == int(SIGNED_IN_AT.timestamp())


def test_a_session_idle_for_less_than_the_limit_carries_on(client, leader, clock):
    sign_in(client)
    clock.shift(29 * 60)
    assert client.get("/").status_code == 200


def test_a_session_idle_beyond_the_limit_is_signed_out_with_a_message(client, leader, clock):
    sign_in(client)
    key = client.cookies["sessionid"].value
    clock.shift(31 * 60)
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert not Session.objects.filter(session_key=key).exists()


def test_the_idle_limit_follows_the_setting(client, leader, settings, clock):
    settings.SESSION_IDLE_MINUTES = 5
    sign_in(client)
    clock.shift(4 * 60)
    assert client.get("/").status_code == 200
    clock.shift(6 * 60)
    assert client.get("/").status_code == 302


def test_activity_moves_the_idle_clock_on(client, leader, clock):
    sign_in(client)
    clock.shift(20 * 60)
    assert client.get("/").status_code == 200
    assert client.session[LAST_SEEN_AT] == int(SIGNED_IN_AT.timestamp()) + 20 * 60
    # Forty minutes after signing in, but only twenty since that request: still signed in.
    clock.shift(20 * 60)
    assert client.get("/").status_code == 200


def test_a_session_older_than_the_absolute_limit_ends_however_active(client, leader, settings, clock):
    sign_in(client)
    age_session(client, started=settings.SESSION_MAX_AGE_SECONDS + 1, last_seen=0)
    assert client.get("/").status_code == 302
    assert SESSION_KEY not in client.session


def test_a_disabled_users_session_ends_on_their_next_request(client, leader):
    sign_in(client)
    key = client.cookies["sessionid"].value
    leader.is_active = False
    leader.save()
    assert client.get("/").status_code == 302
    # Deleted, not merely ignored: re-enabling the account does not bring it back.
    assert not Session.objects.filter(session_key=key).exists()
    leader.is_active = True
    leader.save()
    assert client.get("/").status_code == 302


def test_a_password_change_elsewhere_ends_other_sessions(client, leader):
    sign_in(client)
    leader.set_password("another-long-passphrase-42")
    leader.save()
    assert client.get("/").status_code == 302


def test_session_cookies_are_http_only_secure_and_end_with_the_browser(client, leader):
    response = sign_in(client)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["expires"] == ""  # a browser-session cookie
