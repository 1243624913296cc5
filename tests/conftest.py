"""Role users made once per test, named after the people of DESIGN.md."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import django.apps
import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import transaction
from django.test import override_settings

from indicators import catalogue, expressions
from returns import standard_rules
from scorecard import roles
from teams.models import Team
from tests.demo_copy import demo_council
from tests.returns.factories import make_council, make_team

PASSWORD = "correct-horse-battery-staple"
# Test passwords are hashed cheaply: PBKDF2's deliberate slowness is for real users.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# While December 2017's returns are being collected (due Monday 8 January 2018: the 1st was a bank holiday).
JANUARY_2018 = "2018-01-10 10:00:00+00:00"


def make_user(username: str, *groups: str, **extra) -> User:
    """Create a user in the named role groups."""
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def performance2(db) -> User:
    """A second member of the performance team: four eyes need two."""
    return make_user("performance2", roles.PERFORMANCE, is_staff=True)


@pytest.fixture
def leader(db) -> User:
    return make_user("leader", roles.LEADERS)


@pytest.fixture
def performance(db) -> User:
    return make_user("performance", roles.PERFORMANCE, is_staff=True)


@pytest.fixture
def administrator(db) -> User:
    return make_user("admin", roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def entry_user(db) -> User:
    return make_user("entry.east", roles.DATA_ENTRY)


@pytest.fixture
def east(db, entry_user) -> Team:
    """The council and its EAST-SG team, with the data entry user a member."""
    make_council()
    return make_team("EAST-SG", area="EAST", members=[entry_user])


@pytest.fixture
def january_2018():
    """Stop the clock on 10 January 2018 (JANUARY_2018)."""
    with time_machine.travel(JANUARY_2018, tick=False):
        yield


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Serve static files without the collectstatic manifest production uses."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _empty_caches() -> None:
    # Compiled expressions are memoised per process: a test must compile its own, not reuse another's.
    expressions.compile_expression.cache_clear()
    expressions.names_in.cache_clear()
    for cache in caches.all():
        if hasattr(cache, "delete_pattern"):
            cache.delete_pattern("*")  # django-redis: only this site's prefix, never a shared server's other keys
        else:
            cache.clear()


@pytest.fixture(autouse=True)
def _cache_cleared_around_each_test():
    """Start and end every test with an empty cache: no test may read another's entries."""
    _empty_caches()
    yield
    _empty_caches()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@contextmanager
def demo_for_the_module(django_db_blocker, *, password: str = PASSWORD) -> Iterator[None]:
    """Load the demo council for a module's tests, and roll it back after them.

    A module-scoped fixture yields inside this: each test still runs in its own
    savepoint (pytest-django), so its changes roll back, and the module leaves
    the database as it found it (loaded per test, the demo costs seconds a test).
    Passwords are hashed as each test's settings check them, so a test may sign in.
    """
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        demo_council(password=password)
        yield
        transaction.set_rollback(True)
    ContentType.objects.clear_cache()  # the demo's content types went with the rollback


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _seed_data_after_flush(request):
    """Put back what migrations install: transactional tests flush the database when they end.

    Ordinary tests roll back and keep the migrated catalogue, rules and roles;
    the tests that must commit (live server, races, faults) start from an
    empty database once any other such test has run.
    """
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    catalogue.install(django.apps.apps)
    standard_rules.install(django.apps.apps)
    roles.sync_roles()
