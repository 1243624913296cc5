"""Settings fail at start, with a clear message, on values they cannot use."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start_django(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly these variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; settings.DATABASES"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "scorecard.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_starts_with_debug_on_and_no_secret_key():
    assert start_django(DJANGO_DEBUG="1").returncode == 0


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = start_django(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "only sqlite:/// and postgres:// databases are supported"),
        ("not a url", "DATABASE_URL='not a url'"),
        ("postgres://postgres@127.0.0.1:5432/", "names no database"),
    ],
)
def test_it_refuses_a_database_url_it_cannot_use(url, message):
    result = start_django(DJANGO_DEBUG="1", DATABASE_URL=url)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_it_refuses_an_unclear_debug_switch(value):
    result = start_django(DJANGO_DEBUG=value, DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert f"DJANGO_DEBUG={value!r} is not a boolean" in result.stderr


def test_it_reads_allowed_hosts_from_a_comma_separated_list():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.ALLOWED_HOSTS)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "scorecard.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "scorecard.example.gov.uk, localhost",
        },
    )
    assert result.stdout.strip() == "['scorecard.example.gov.uk', 'localhost']"


@pytest.mark.parametrize("name", ["SPC_SHIFT_LENGTH", "SPC_TREND_LENGTH"])
@pytest.mark.parametrize("value", ["5", "9", "seven"])
def test_it_refuses_an_spc_run_length_outside_6_to_8(name, value):
    result = start_django(DJANGO_DEBUG="1", **{name: value})
    assert result.returncode != 0
    assert name in result.stderr
