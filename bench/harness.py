"""What the benchmarks that need Django's test database share: a throwaway database for one run.

Import it after `django.setup()`; the database is of the kind DATABASE_URL names (SQLite by default).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.test.utils import setup_databases, setup_test_environment, teardown_databases


@contextmanager
def throwaway_database() -> Iterator[None]:
    """Create the test database (migrated, with the catalogue), serve static files without the build's
    manifest, and drop the database afterwards, whatever happens."""
    setup_test_environment()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)
