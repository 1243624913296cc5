"""Chart.js: pinned once, self-hosted copy checked against the CDN's checksum, snippet per setting."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from scorecard import assets

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "static" / assets.CHARTJS_STATIC_PATH
NODE_MODULES = ROOT / "node_modules"


def need(path: Path) -> None:
    """Skip without the npm install (`make setup` needs npm); CI requires it, so fail there."""
    if path.exists():
        return
    reason = f"{path.relative_to(ROOT)} is missing: run `make setup` (needs npm)"
    if os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def read_setting(name: str, **env: str) -> subprocess.CompletedProcess:
    """Print one setting from a fresh interpreter that sees exactly these project variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CHARTJS_"))}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print(settings.{name})",
        ],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "scorecard.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def render_snippet() -> str:
    return render_to_string("includes/chartjs.html", request=RequestFactory().get("/"))


def run_vendor_script(node_modules: Path, static: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "vendor_static.py"),
            "--node-modules",
            str(node_modules),
            "--static",
            str(static),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def fake_chartjs(node_modules: Path, *, version: str, script: bytes) -> None:
    """Lay out a chart.js package with this version and script, as npm would."""
    dist = node_modules / "chart.js" / "dist"
    dist.mkdir(parents=True)
    (node_modules / "chart.js" / "package.json").write_text(json.dumps({"name": "chart.js", "version": version}))
    (node_modules / "chart.js" / "LICENSE.md").write_text("MIT")
    (dist / assets.CHARTJS_FILE).write_bytes(script)
    (dist / f"{assets.CHARTJS_FILE}.map").write_text("{}")


def test_the_vendored_copy_has_the_recorded_checksum():
    need(VENDORED)

    assert assets.sri_sha384(VENDORED.read_bytes()) == assets.CHARTJS_SRI


def test_package_json_pins_the_recorded_chartjs_version_exactly():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())

    assert package["private"] is True
    assert package["dependencies"]["chart.js"] == assets.CHARTJS_VERSION
    assert lock["packages"]["node_modules/chart.js"]["version"] == assets.CHARTJS_VERSION
    cdn = f"https://cdn.jsdelivr.net/npm/chart.js@{assets.CHARTJS_VERSION}/dist/{assets.CHARTJS_FILE}"
    assert cdn == assets.CHARTJS_CDN_URL


def test_the_vendor_script_copies_the_installed_package(tmp_path):
    need(NODE_MODULES / "chart.js")
    static = tmp_path / "static"

    result = run_vendor_script(NODE_MODULES, static)

    assert result.returncode == 0, result.stderr
    copied = static / assets.CHARTJS_STATIC_PATH
    assert assets.sri_sha384(copied.read_bytes()) == assets.CHARTJS_SRI
    assert (copied.parent / f"{assets.CHARTJS_FILE}.map").is_file()


def test_the_vendor_script_refuses_a_file_whose_checksum_differs(tmp_path):
    fake_chartjs(tmp_path / "node_modules", version=assets.CHARTJS_VERSION, script=b"window.Chart = 'tampered';")
    static = tmp_path / "static"

    result = run_vendor_script(tmp_path / "node_modules", static)

    assert result.returncode == 1
    assert "Refusing to copy" in result.stderr
    assert assets.CHARTJS_SRI in result.stderr
    assert not static.exists()


def test_the_vendor_script_leaves_a_good_copy_alone_when_the_new_one_is_bad(tmp_path):
    need(NODE_MODULES / "chart.js")
    static = tmp_path / "static"
    assert run_vendor_script(NODE_MODULES, static).returncode == 0
    tampered = tmp_path / "tampered"
    shutil.copytree(NODE_MODULES / "chart.js", tampered / "chart.js")
    (tampered / "chart.js" / "dist" / assets.CHARTJS_FILE).write_bytes(b"window.Chart = 'tampered';")

    result = run_vendor_script(tampered, static)

    assert result.returncode == 1
    assert assets.sri_sha384((static / assets.CHARTJS_STATIC_PATH).read_bytes()) == assets.CHARTJS_SRI


def test_the_vendor_script_refuses_another_version(tmp_path):
    fake_chartjs(tmp_path / "node_modules", version="3.9.1", script=b"")

    result = run_vendor_script(tmp_path / "node_modules", tmp_path / "static")

    assert result.returncode == 1
    assert f"holds chart.js 3.9.1, but scorecard/assets.py pins {assets.CHARTJS_VERSION}" in result.stderr


def test_the_vendor_script_says_to_run_npm_when_nothing_is_installed(tmp_path):
    result = run_vendor_script(tmp_path / "node_modules", tmp_path / "static")

    assert result.returncode == 1
    assert "run `npm ci` first" in result.stderr


def test_the_snippet_loads_the_cdn_with_integrity_then_the_fallback_by_default(settings):
    settings.CHARTJS_SELF_HOSTED_ONLY = False

    html = render_snippet()

    assert (f'<script src="{assets.CHARTJS_CDN_URL}" integrity="{assets.CHARTJS_SRI}" crossorigin="anonymous"') in html
    assert (
        f'<script src="/static/js/chartjs-fallback.js" data-local-src="/static/{assets.CHARTJS_STATIC_PATH}" '
        'data-primary="cdn"></script>'
    ) in html
    assert html.index(assets.CHARTJS_CDN_URL) < html.index("chartjs-fallback.js")


def test_the_snippet_loads_only_the_self_hosted_copy_when_the_switch_is_on(settings):
    settings.CHARTJS_SELF_HOSTED_ONLY = True

    html = render_snippet()

    assert "cdn.jsdelivr.net" not in html
    assert "integrity=" not in html
    assert f'<script src="/static/{assets.CHARTJS_STATIC_PATH}"></script>' in html
    # The fallback file still announces "chartjs:ready"; with Chart already there it loads nothing.
    assert 'data-primary="local"' in html


def test_the_snippet_has_no_inline_script(settings):
    for self_hosted_only in (False, True):
        settings.CHARTJS_SELF_HOSTED_ONLY = self_hosted_only

        html = render_snippet()

        assert html.count("<script") == html.count("<script src=") == 2


@pytest.mark.parametrize(("value", "expected"), [(None, "False"), ("1", "True"), ("off", "False")])
def test_the_self_hosted_only_switch_is_read_from_the_environment_and_off_by_default(value, expected):
    env = {"DJANGO_SECRET_KEY": "x" * 50, **({"CHARTJS_SELF_HOSTED_ONLY": value} if value is not None else {})}

    result = read_setting("CHARTJS_SELF_HOSTED_ONLY", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_an_unclear_self_hosted_only_switch_stops_the_start_with_its_name():
    result = read_setting("CHARTJS_SELF_HOSTED_ONLY", DJANGO_SECRET_KEY="x" * 50, CHARTJS_SELF_HOSTED_ONLY="maybe")

    assert result.returncode != 0
    assert "CHARTJS_SELF_HOSTED_ONLY='maybe' is not a boolean" in result.stderr


def test_a_page_still_renders_when_the_self_hosted_copy_was_never_collected(settings, tmp_path, caplog):
    # Production storage with an empty manifest: collectstatic ran where npm was absent.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    (tmp_path / "staticfiles.json").write_text(
        json.dumps(
            {"version": "1.1", "paths": {"js/chartjs-fallback.js": "js/chartjs-fallback.abc123.js"}, "hash": "x"}
        )
    )

    html = render_snippet()

    assert f'data-local-src="/static/{assets.CHARTJS_STATIC_PATH}"' in html
    assert 'src="/static/js/chartjs-fallback.abc123.js"' in html
    assert "Chart.js has no self-hosted fallback" in caplog.text
