"""What both import commands share: reading the file named on the command line, and reporting refusals."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from returns.spreadsheets import ImportRefused, check_size


def read_file(path: str, limit: int | None = None) -> tuple[bytes, str]:
    """Return the file's bytes and name, refusing a missing or oversized file before reading it."""
    file = check_file(path, limit)
    try:
        return file.read_bytes(), file.name
    except ImportRefused as refused:
        raise refused_error(refused) from None
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None


def check_file(path: str, limit: int | None = None) -> Path:
    """Return the path of a readable file no larger than `limit` (IMPORT_MAX_BYTES by default), or refuse it."""
    file = Path(path)
    try:
        size = file.stat().st_size
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    if not file.is_file():
        raise CommandError(f"{path} is not a file.")
    try:
        check_size(size, file.name, limit)
    except ImportRefused as refused:
        raise refused_error(refused) from None
    return file


def find_user(username: str | None):
    """Return the user named by --user (to attribute the audit rows), or None."""
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"There is no user called {username!r}.") from None


def refused_error(refused: ImportRefused) -> CommandError:
    """Return a CommandError listing every problem (the command exits non-zero, nothing changed)."""
    count = len(refused.problems)
    lines = [f"Nothing was imported: {count} problem{'s' if count != 1 else ''} to put right."]
    lines += [f"  {problem}" for problem in refused.problems]
    return CommandError("\n".join(lines))
