"""Role users made once per test, named after the people of DESIGN.md."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from scorecard import roles

PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, *groups: str, **extra) -> User:
    """Create a user in the named role groups."""
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


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


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Serve static files without the collectstatic manifest production uses."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash test passwords cheaply: PBKDF2's deliberate slowness is for real users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
