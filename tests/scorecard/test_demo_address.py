"""`make demo HOST=...`: the demo prints the address it is actually served on."""

import io
import socket

import pytest
from django.core.management import CommandError, call_command

from scorecard.management.commands.demo import served_url
from teams.models import Council

PASSWORD = "correct-horse-battery-staple"


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("8001", "http://127.0.0.1:8001"),
        ("localhost:9000", "http://localhost:9000"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("0.0.0.0:8080", f"http://{socket.gethostname()}:8080"),
    ],
)
def test_the_address_served_is_the_one_printed(address, url):
    assert served_url(address) == url


@pytest.mark.parametrize("address", ["", "x y:80", "127.0.0.1:99999", "http://127.0.0.1:8000", "127.0.0.1:"])
def test_a_bad_address_is_refused_saying_what_is_accepted(address):
    with pytest.raises(ValueError, match="PORT, HOST:PORT or"):
        served_url(address)


def test_the_demo_prints_the_address_given(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo", password=PASSWORD, address="127.0.0.1:8123", stdout=out)
    assert "Sign in at http://127.0.0.1:8123/accounts/login/ as one of:" in out.getvalue()


def test_a_bad_address_changes_nothing(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="is not an address to serve on"):
        call_command("demo", password=PASSWORD, address="nonsense:port")
    assert not Council.objects.exists()
