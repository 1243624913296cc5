"""scripts/system_packages.sh, run with --check only: it says what a fresh machine lacks and how to install it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system_packages.sh"
PACKAGES = [
    "chromium",
    "fonts-liberation",
    "fonts-liberation2",
    "fonts-dejavu-core",
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "postgresql-client",
]

pytestmark = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian-like system")


def check(*args: str, assume_missing: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "SYSTEM_PACKAGES_ASSUME_MISSING": assume_missing}
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60)


def test_a_fresh_machine_is_told_the_one_command_that_installs_everything():
    result = check("--check", assume_missing=" ".join(PACKAGES))
    assert result.returncode == 1
    output = result.stdout + result.stderr
    install = "apt-get install -y -qq --no-install-recommends " + " ".join(PACKAGES)
    if os.geteuid() == 0:
        assert f"would run: apt-get update -qq && {install}" in output
    else:
        assert f"sudo apt-get update && sudo {install}" in output


def installed(package: str) -> bool:
    status = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Status}", package], capture_output=True, text=True)
    return status.stdout == "installed"


def test_only_the_missing_packages_are_named_in_order():
    result = check("--check", assume_missing="fonts-liberation2 chromium")
    missing = [p for p in PACKAGES if p in ("chromium", "fonts-liberation2") or not installed(p)]
    assert result.returncode == 1
    assert f"missing {' '.join(missing)}" in result.stdout + result.stderr


def test_a_complete_machine_is_left_alone():
    if not all(installed(p) for p in PACKAGES):
        pytest.skip("this machine lacks some of the packages")
    result = check("--check")
    assert result.returncode == 0 and result.stdout.startswith("system_packages: all present")


def test_an_unknown_option_changes_nothing_and_says_how_to_call_it():
    result = check("--install-everything")
    assert result.returncode == 2 and "usage:" in result.stderr
