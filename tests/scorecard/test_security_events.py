"""Security events reach the log with who, when, from where and what."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from scorecard.security import client_address, log_security_event
from tests.conftest import PASSWORD

ADDRESS = "203.0.113.9"
AT = r"at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="scorecard.security")

    def lines(event: str) -> list[str]:
        return [
            r.getMessage()
            for r in caplog.records
            if r.name == "scorecard.security" and f"event={event} " in r.getMessage()
        ]

    return lines


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ADDRESS)


def test_a_successful_sign_in_is_logged_with_user_time_and_address(client, leader, security_log):
    sign_in(client, "leader", PASSWORD)
    [line] = security_log("login_succeeded")
    assert "user=leader" in line
    assert f"ip={ADDRESS}" in line
    assert re.search(AT, line)


def test_a_failed_sign_in_is_logged_with_the_username_tried_never_the_password(client, leader, security_log, caplog):
    sign_in(client, "leader", "my-wrong-secret")
    [line] = security_log("login_failed")
    assert "user=leader" in line and f"ip={ADDRESS}" in line and re.search(AT, line)
    assert "my-wrong-secret" not in caplog.text
    assert [r.levelname for r in caplog.records if "login_failed" in r.getMessage()] == ["WARNING"]


def test_a_lockout_is_logged(client, leader, security_log, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "leader", "wrong")
    [line] = security_log("login_locked_out")
    assert "user=leader" in line and f"ip={ADDRESS}" in line


def test_a_sign_out_is_logged(client, leader, security_log):
    client.force_login(leader)
    client.post("/accounts/logout/", REMOTE_ADDR=ADDRESS)
    [line] = security_log("logout_succeeded")
    assert "user=leader" in line


def test_a_csrf_refusal_is_logged_once_as_such(leader, security_log):
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    client.post("/accounts/logout/", REMOTE_ADDR=ADDRESS)
    [line] = security_log("csrf_failed")
    assert "user=leader" in line and "path=/accounts/logout/" in line and f"ip={ADDRESS}" in line
    assert security_log("permission_denied") == []


def test_a_view_that_refuses_is_logged_as_permission_denied(rf, leader, security_log):
    from django.http import HttpResponseForbidden

    from scorecard.middleware import PermissionDeniedLogMiddleware

    request = rf.get("/returns/2017-12/EAST1/", REMOTE_ADDR=ADDRESS)
    request.user = leader
    PermissionDeniedLogMiddleware(lambda r: HttpResponseForbidden())(request)
    [line] = security_log("permission_denied")
    assert "user=leader" in line and "path=/returns/2017-12/EAST1/" in line and f"ip={ADDRESS}" in line


def test_other_apps_log_their_events_in_the_same_shape(rf, performance, security_log):
    request = rf.post("/returns/2017-12/EAST1/reopen", REMOTE_ADDR=ADDRESS)
    request.user = performance
    log_security_event(request, "return_reopened", return_id=7, reason="Late correction from EAST")
    [line] = security_log("return_reopened")
    assert line.startswith("security event=return_reopened user=performance ip=203.0.113.9 at=")
    assert line.endswith(
        'method=POST path=/returns/2017-12/EAST1/reopen return_id=7 reason="Late correction from EAST"'
    )


def test_a_crafted_username_cannot_forge_a_log_line(client, db, security_log):
    sign_in(client, "mallory\nsecurity event=login_succeeded user=admin", "x")
    [line] = security_log("login_failed")
    assert "\n" not in line
    assert 'user="mallory\\nsecurity event=login_succeeded user=admin"' in line


def test_without_a_request_user_and_address_are_dashes(security_log):
    log_security_event(None, "roles_synced", count=4)
    [line] = security_log("roles_synced")
    assert "user=- ip=-" in line and line.endswith("count=4")


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "198.51.100.7", "198.51.100.7"),  # one proxy appended the client
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a forged entry to the left is skipped
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.1"),  # too short to have come from two proxies
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_is_read_through_the_trusted_proxies(rf, settings, proxies, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_address(request) == expected


def test_throttling_counts_failures_by_the_address_behind_the_proxy(client, leader, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "leader", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.10",
        )
    # Someone else behind the same proxy is not locked out with them.
    response = client.post(
        "/accounts/login/",
        {"username": "leader", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302


def test_workflow_events_reach_the_log_once_the_apps_are_ready_without_the_urls():
    # A worker or a management command loads no URLconf: the receiver must not depend on one being imported.
    code = (
        "import sys, django; django.setup(); from returns import signals; "
        "print(signals.workflow_event.has_listeners(), 'scorecard.urls' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "scorecard.settings", "DJANGO_DEBUG": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]
