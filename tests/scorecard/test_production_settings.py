"""The production configuration: a clean deployment check, and the switches a deploy uses."""

import json
import os
import secrets
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "scorecard.example.gov.uk",
}
REDIS = ("127.0.0.1", 6379)


def clean_environment(**env: str) -> dict:
    """This process's environment without the app's own variables, plus `env`."""
    ours = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CACHE_", "SESSION_", "LOGIN_", "CHARTJS_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return {**clean, **env, "DJANGO_SETTINGS_MODULE": "scorecard.settings"}


def setting_values(*names: str, **env: str) -> dict:
    """Return the named settings as a fresh interpreter computes them from `env`."""
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env=clean_environment(**env)
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_deployment_check_reports_no_issues_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_environment(**PRODUCTION),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deployment_check_notices_when_https_is_switched_off():
    # The check is live: turning a safeguard off makes it speak.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_environment(**PRODUCTION, DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_COOKIES="0"),
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W012" in result.stderr


def test_production_defaults_turn_on_https_hsts_and_secure_cookies():
    values = setting_values(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        **PRODUCTION,
    )
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_development_defaults_stay_on_plain_http():
    values = setting_values("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", DJANGO_DEBUG="1")
    assert values == {"SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0, "SESSION_COOKIE_SECURE": False}


def test_behind_a_tls_terminating_proxy_the_forwarded_scheme_is_trusted_when_switched_on():
    values = setting_values(
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        **PRODUCTION,
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    assert values == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"], "SECURE_SSL_REDIRECT": False}


def test_the_forwarded_scheme_counts_as_https(client, db, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_database_connections_are_checked_before_reuse():
    values = setting_values(
        "DATABASES", **PRODUCTION, DATABASE_URL="postgres://u@db.example:5432/scorecard", DATABASE_CONN_MAX_AGE="60"
    )
    assert values["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True
    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 60


def test_the_session_and_lockout_limits_come_from_the_environment():
    values = setting_values(
        "SESSION_IDLE_MINUTES",
        "SESSION_MAX_AGE_SECONDS",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        "TRUSTED_PROXY_COUNT",
        **PRODUCTION,
        SESSION_IDLE_MINUTES="15",
        SESSION_MAX_HOURS="8",
        LOGIN_FAILURE_LIMIT="10",
        LOGIN_LOCKOUT_MINUTES="60",
        DJANGO_TRUSTED_PROXY_COUNT="1",
    )
    assert values == {
        "SESSION_IDLE_MINUTES": 15,
        "SESSION_MAX_AGE_SECONDS": 8 * 3600,
        "AXES_FAILURE_LIMIT": 10,
        "AXES_COOLOFF_TIME": "1:00:00",
        "TRUSTED_PROXY_COUNT": 1,
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SESSION_IDLE_MINUTES", "0", "must be at least 1"),
        ("LOGIN_FAILURE_LIMIT", "many", "is not a whole number"),
        ("REDIS_URL", "http://127.0.0.1:6379", "must start with redis://"),
        ("DJANGO_SECURE_PROXY_SSL_HEADER", "perhaps", "is not a boolean"),
    ],
)
def test_it_refuses_a_value_it_cannot_use(name, value, message):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_environment(**PRODUCTION, **{name: value}),
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_the_cache_is_local_memory_by_default():
    caches = setting_values("CACHES", **PRODUCTION)["CACHES"]
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_the_cache_is_redis_when_redis_url_is_set():
    caches = setting_values("CACHES", **PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/1")["CACHES"]
    assert caches["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert caches["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"


def redis_is_listening() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


def cache_round_trip(redis_url: str) -> subprocess.CompletedProcess:
    """Set and read one key through Django's cache in a process configured with `redis_url`."""
    key = f"test-{uuid.uuid4().hex}"
    code = (
        "import django; django.setup(); from django.core.cache import cache; "
        f"cache.set({key!r}, {{'figure': 42}}, 30); print(cache.get({key!r})); cache.delete({key!r})"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_environment(**PRODUCTION, REDIS_URL=redis_url),
    )


def test_a_redis_cache_is_shared_through_the_server():
    if not redis_is_listening():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("Redis is not listening on 127.0.0.1:6379 and REQUIRE_REDIS is set")
        pytest.skip("Redis is not listening on 127.0.0.1:6379")
    result = cache_round_trip("redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'figure': 42}"


def test_an_unreachable_redis_is_a_cache_miss_not_an_error():
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cache_round_trip(f"redis://127.0.0.1:{port}/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("qwertyuiop", "This password is too common."),
        ("short-pw", "This password is too short. It must contain at least 10 characters."),
        ("8675309123456", "This password is entirely numeric."),
    ],
)
def test_weak_passwords_are_refused(password, says):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert says in refused.value.messages


def test_a_long_uncommon_passphrase_is_accepted():
    from django.contrib.auth.password_validation import validate_password

    assert validate_password("violet-harbour-lantern-42") is None
