"""The review's hostile requests (issue 16, rows 4, 5, 6 and 8): each a clear 4xx at a bounded cost.

Bodies are made up as the server reads them (tests.requests), so a test knows
how much of a body was read; memory is Python's peak inside the request.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt

from indicators.models import ChangePoint
from returns.models import ValidationRule
from tests.requests import MB, LazyBody, multipart, multipart_type, peak_memory, send

LOGIN = "/accounts/login/"
ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- row 4: bodies before sign-in


def test_row_4_a_large_body_before_sign_in_is_refused_before_a_byte_is_read(db):
    body = multipart({"username": "x", "password": "y"}, "attachment", "big.bin", 200 * MB)
    with peak_memory() as peak:
        response = send("POST", LOGIN, body, content_type=multipart_type())
    assert response.status_code == 413
    assert "larger than this page accepts before you sign in" in response.content.decode()
    assert body.position == 0
    assert peak() < 5 * MB


def test_a_file_sent_before_sign_in_is_refused_and_never_kept(db, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = multipart({"username": "x", "password": "y"}, "attachment", "small.bin", 8 * 1024)
    response = send("POST", LOGIN, body, content_type=multipart_type())
    assert response.status_code == 400
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/no/such/page/", "/imports/returns/"])
def test_every_url_refuses_an_oversized_body_before_sign_in(db, path):
    body = LazyBody(1 * MB)
    response = send("POST", path, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and body.position == 0


def test_a_signed_in_user_may_send_more_than_a_signed_out_one(client, entry_user):
    client.force_login(entry_user)
    body = LazyBody(1 * MB, head=b"a=", fill=b"b")
    response = send("POST", "/no/such/page/", body, content_type="application/x-www-form-urlencoded", client=client)
    assert response.status_code == 404


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children")
    for _ in range(100):
        if children.exists() and children.read_text().split():
            return int(children.read_text().split()[0])
        time.sleep(0.1)
    raise AssertionError("gunicorn started no worker")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads worker memory from /proc")
def test_row_4_under_gunicorn_the_connection_is_closed_with_the_body_unread_and_nothing_on_disk(tmp_path):
    """Production's server (debug on only so static files need no collectstatic): a 200 MB body declared
    before sign-in is answered 413 and the connection closed."""
    port, scratch = _free_port(), tmp_path / "tmp"
    scratch.mkdir()
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "test-only",
        "DJANGO_DEBUG": "1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "TMPDIR": str(scratch),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "scorecard.wsgi:application",
            "--no-control-socket",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-tmp-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        worker = _worker_pid(server.pid)
        for _ in range(100):
            try:
                # The app loaded, a page drawn.
                with socket.create_connection(("127.0.0.1", port), timeout=10) as warm_up:
                    warm_up.sendall(f"GET {LOGIN} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
                    while warm_up.recv(65536):
                        pass
                break
            except OSError:
                time.sleep(0.1)
        before = _rss(worker)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(
                f"POST {LOGIN} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                f"Content-Length: {200 * MB}\r\n\r\n".encode()
            )
            sent = 0
            try:
                for _ in range(16):  # 1 MB of the body, then see what the server does with the rest
                    connection.sendall(b" " * 65536)
                    sent += 65536
            except OSError:
                pass  # the server may close before we finish: that is the point
            answer = b""
            try:
                while chunk := connection.recv(65536):
                    answer += chunk
            except OSError:
                pass  # a reset after the answer also means closed
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"Connection: close" in answer.split(b"\r\n\r\n")[0]
        assert _rss(worker) - before < 20 * MB
        assert list(scratch.iterdir()) == []
    finally:
        server.terminate()
        server.wait(10)


# --------------------------------------------------------------------------- row 5: sign-in fields


def test_row_5_a_hundred_thousand_character_username_is_refused_by_the_body_limit_before_sign_in(client, db):
    response = client.post(LOGIN, {"username": "u" * 100_000, "password": "whatever-it-is"})
    assert response.status_code == 413
    assert not AccessAttempt.objects.exists()


def test_row_5_a_username_too_long_for_the_form_is_refused_with_400_before_authenticating(client, db):
    response = client.post(LOGIN, {"username": "u" * 10_000, "password": "whatever-it-is"})
    assert response.status_code == 400
    assert "Ensure this value has at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()  # django-axes never saw it


def test_an_overlong_password_is_refused_with_400(client, leader):
    response = client.post(LOGIN, {"username": "leader", "password": "p" * 1025})
    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()


def test_a_wrong_password_still_answers_200_with_the_usual_words(client, leader):
    response = client.post(LOGIN, {"username": "leader", "password": "wrong-password"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


# --------------------------------------------------------------------------- row 6 and NULs anywhere


def test_row_6_a_change_point_reason_with_a_nul_is_refused_with_400_and_nothing_stored(client, performance):
    client.force_login(performance)
    response = client.post("/indicators/re_referrals/change-points/", {"month": "2016-12", "reason": "New\x00door"})
    assert response.status_code == 400
    assert not ChangePoint.objects.filter(indicator__code="re_referrals").exists()


def test_the_change_point_service_refuses_a_nul_itself(performance):
    from django.core.exceptions import ValidationError

    from indicators import services
    from indicators.models import Indicator
    from lib.months import Month

    with pytest.raises(ValidationError, match="not text"):
        services.change_point_add(
            indicator=Indicator.objects.get(code="re_referrals"),
            month=Month(2016, 12),
            reason="New\x00door",
            actor=performance,
        )
    assert not ChangePoint.objects.filter(indicator__code="re_referrals").exists()


@pytest.mark.parametrize("where", ["query", "path", "cookie", "form"])
def test_a_nul_anywhere_in_a_request_is_refused_with_400(client, performance, where):
    client.force_login(performance)
    if where == "query":
        response = client.get("/admin/returns/validationrule/", {"q": "a\x00b"})
    elif where == "path":
        response = client.get("/indicators/re\x00referrals/")
    elif where == "cookie":
        client.cookies["sessionid"] = "abc\x00def"
        response = client.get("/")
    else:
        response = client.post("/returns/2017-12/", {"comment": "a\x00b"})
    assert response.status_code == 400


# --------------------------------------------------------------------------- row 8: expressions


@pytest.mark.parametrize("right", ["1e999", "-1e999", "nan", "10000000000000000", "1" * 600, "(" * 60 + "1" + ")" * 60])
def test_row_8_a_rule_with_a_numeric_edge_is_refused_in_the_admin_with_a_message(client, performance, right):
    client.force_login(performance)
    response = client.post(
        "/admin/returns/validationrule/add/",
        {
            "code": "edge",
            "left": "cpp_visits_due",
            "operator": "<=",
            "right": right,
            "severity": "warning",
            "message": "x",
            "active": "on",
        },
    )
    assert response.status_code == 200  # the admin's own way of saying "put this right"
    assert "errornote" in response.content.decode()
    assert not ValidationRule.objects.filter(code="edge").exists()
