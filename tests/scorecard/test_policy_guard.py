"""Permissions are asked in one place per app: views, templates and the admin go through its policy module."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("indicators", "returns", "scorecard", "teams", "lib")
# The policy modules ask Django for permissions; roles.py says which permissions each role holds.
ALLOWED = {"indicators/policy.py", "returns/policy.py", "scorecard/policy.py", "scorecard/roles.py"}
PERMISSION_CALL = re.compile(r"\.has_perms?\(")
TEMPLATE_PERMS = re.compile(r"\bperms\.")


def permission_calls(root: Path) -> list[str]:
    """Return 'file:line' for each permission question asked outside the policy modules, in code and templates."""
    found = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if name in ALLOWED or "/migrations/" in name:
                continue
            found += [
                f"{name}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1) if PERMISSION_CALL.search(line)
            ]
    for path in sorted((root / "templates").rglob("*.html")):
        name = path.relative_to(root).as_posix()
        found += [
            f"{name}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1) if TEMPLATE_PERMS.search(line)
        ]
    return found


def test_permissions_are_asked_only_in_the_policy_modules():
    assert permission_calls(ROOT) == []


def test_the_guard_sees_a_permission_asked_in_a_view(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("{% if perms.returns.view_return %}x{% endif %}\n")
    (tmp_path / "scorecard").mkdir()
    (tmp_path / "scorecard" / "policy.py").write_text("user.has_perm('a.b')\n")
    (tmp_path / "scorecard" / "views.py").write_text("ok = True\nif request.user.has_perm('a.b'):\n")
    assert permission_calls(tmp_path) == ["scorecard/views.py:2", "templates/page.html:1"]
