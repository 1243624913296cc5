"""PostgreSQL going away mid-run: clean error pages, recovery without a restart, no half-written return.

The real PostgreSQL server is shared with other test runs, so it is never
restarted here. Instead the app reaches it through a TCP proxy on a free
loopback port that the test cuts and restores: cutting closes every open
connection and refuses new ones, which is what the app sees of a restart.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from lib.months import Month
from returns import services
from returns.models import Return, ReturnValue, ValueChange
from scorecard import roles
from tests.conftest import make_user
from tests.returns.factories import draft_return, make_team

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set DATABASE_URL=postgres://..."),
    # The app under test runs in other processes and connections: the data must be committed.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _standard_data(transactional_db):
    """Put back what migrations install, which an earlier transactional test's flush may have removed."""
    from django.apps import apps
    from django.core.management.sql import emit_post_migrate_signal

    from indicators import catalogue
    from returns import standard_rules

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # permissions and role groups
    catalogue.install(apps)
    standard_rules.install(apps)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CuttableProxy:
    """A loopback TCP proxy to PostgreSQL that can be cut and restored, or cut at the next COMMIT."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self.cut_at_commit = False
        self.commits_cut = 0
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self._listening.set()
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def cut(self) -> None:
        """Refuse new connections and drop every open one, as a stopped server would."""
        self._listening.clear()
        self._thread.join(timeout=5)
        with self._lock:
            pairs, self._pairs = self._pairs, set()
        for pair in pairs:
            self._drop(pair)

    restore = start

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while self._listening.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                upstream = socket.create_connection(self.target)
                pair = (client, upstream)
                with self._lock:
                    self._pairs.add(pair)
                threading.Thread(target=self._pump, args=(client, upstream, pair, True), daemon=True).start()
                threading.Thread(target=self._pump, args=(upstream, client, pair, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, pair, from_app: bool) -> None:
        try:
            while data := source.recv(65536):
                # psycopg sends COMMIT as a simple query; dropping the line just before it
                # reaches the server is the worst moment for an outage to strike a save.
                if from_app and self.cut_at_commit and b"COMMIT" in data:
                    self.commits_cut += 1
                    break
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._pairs.discard(pair)
        self._drop(pair)

    @staticmethod
    def _drop(pair) -> None:
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the other pump thread's recv()
            sock.close()


@pytest.fixture
def proxy():
    settings = connection.settings_dict
    running = CuttableProxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    running.start()
    yield running
    running.cut()


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """The production static files (manifest included), collected once for this module."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DJANGO_STATIC_ROOT": str(root), "DJANGO_SECRET_KEY": "x" * 50}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return root


@pytest.fixture
def app_server(proxy, collected_static, settings, tmp_path):
    """gunicorn running the production settings, reaching the test database only through the proxy."""
    db = connection.settings_dict
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "scorecard.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # so the sessions this test makes are valid there
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(collected_static),
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@127.0.0.1:{proxy.port}/{db['NAME']}",
        # Persistent connections, as `make serve` runs: the broken one must be noticed and replaced.
        "DATABASE_CONN_MAX_AGE": "60",
    }
    log = tmp_path / "gunicorn.log"  # a file, not a pipe: the outage's error logs must never block the server
    process = subprocess.Popen(
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
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def browser_for(client, user):
    """A urllib opener carrying `user`'s session cookie (made by the test client in the shared database)."""
    client.force_login(user)
    opener = urllib.request.build_opener(NoRedirect())
    opener.addheaders = [("Cookie", f"sessionid={client.cookies['sessionid'].value}")]
    return opener


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(opener, url: str, data: dict | None = None, cookie: str | None = None) -> tuple[int, str]:
    """GET (or POST `data` to) `url`; return the status and the page, whatever the status."""
    status, page, _ = fetch_with_headers(opener, url, data, cookie)
    return status, page


def fetch_with_headers(opener, url, data=None, cookie=None):
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode() if data else None)
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def test_requests_during_an_outage_get_a_clean_503_and_the_app_recovers_by_itself(app_server, proxy, client):
    balancer = urllib.request.build_opener(NoRedirect())  # no cookies, as a load balancer probes
    browser = browser_for(client, make_user("leader"))
    assert fetch(balancer, app_server + "/healthz") == (200, "ok\n")
    status, page = fetch(browser, app_server + "/")
    assert status == 200 and "leader" in page  # signed in, over a now-open persistent connection

    proxy.cut()
    assert fetch(balancer, app_server + "/healthz") == (503, "unavailable\n")
    status, page = fetch(browser, app_server + "/")
    assert status == 503
    assert "unavailable for a moment" in page
    assert "Traceback" not in page and "OperationalError" not in page and str(proxy.port) not in page

    proxy.restore()
    # No restart, no operator: the next requests open a fresh connection.
    assert fetch(balancer, app_server + "/healthz") == (200, "ok\n")
    status, page = fetch(browser, app_server + "/")
    assert status == 200 and "leader" in page  # and the session survived, being in the database

    # A restart while the app is idle leaves its kept connection dead without any request
    # noticing; the check before reuse (CONN_HEALTH_CHECKS) spares the next user an error.
    proxy.cut()
    proxy.restore()
    status, page = fetch(browser, app_server + "/")
    assert status == 200 and "leader" in page


def test_a_form_save_cut_off_at_commit_answers_503_and_leaves_the_return_as_it_was(app_server, proxy, client):
    user = make_user("entry.east", roles.DATA_ENTRY)
    ret = draft_return(make_team("EAST-SG", members=[user]), Month(2017, 12), values={"open_cases": 400})
    browser = browser_for(client, user)
    form = f"{app_server}/returns/2017-12/EAST-SG/"
    status, page, headers = fetch_with_headers(browser, form)
    assert status == 200
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf_cookie}"
    data = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1),
        "version": "1",
        "action": "save",
        "comment": "",
        "open_cases": "410",
        "cpp_children": "90",
    }

    proxy.cut_at_commit = True
    status, page = fetch(browser, form, data, cookie)
    proxy.cut_at_commit = False
    assert proxy.commits_cut == 1
    assert status == 503
    assert "your change was not saved" in page and "Traceback" not in page
    ret.refresh_from_db()
    assert ret.version == 1
    assert dict(ReturnValue.objects.filter(ret=ret).values_list("measure__code", "value")) == {"open_cases": 400}
    assert not ValueChange.objects.filter(ret=ret).exists()

    # Sent again once the line is back, the same form saves whole.
    status, _ = fetch(browser, form, data, cookie)
    assert status == 302
    assert dict(ReturnValue.objects.filter(ret=ret).values_list("measure__code", "value")) == {
        "open_cases": 410,
        "cpp_children": 90,
    }


def test_an_outage_at_the_moment_of_commit_leaves_no_half_written_return(proxy, entry_user):
    ret = draft_return(make_team("EAST-SG"), Month(2017, 12), values={"open_cases": 400})
    direct = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(proxy.port))
    try:
        proxy.cut_at_commit = True
        with pytest.raises(OperationalError):
            services.return_save_values(
                ret=ret,
                values={"open_cases": 410, "cpp_children": 90, "cic_children": 120},
                actor=entry_user,
                expected_version=1,
            )
        assert proxy.commits_cut == 1
    finally:
        connection.close()
        connection.settings_dict.update(HOST=direct["HOST"], PORT=direct["PORT"])

    # Read back over a direct connection: the server rolled the whole save back.
    stored = Return.objects.get(pk=ret.pk)
    assert stored.version == 1
    assert dict(ReturnValue.objects.filter(ret=ret).values_list("measure__code", "value")) == {"open_cases": 400}
    assert not ValueChange.objects.filter(ret=ret).exists()
    # And the same save, made again once the database is back, goes through whole.
    result = services.return_save_values(
        ret=stored,
        values={"open_cases": 410, "cpp_children": 90, "cic_children": 120},
        actor=entry_user,
        expected_version=1,
    )
    assert result.version == 2
    assert ReturnValue.objects.filter(ret=ret).count() == 3
