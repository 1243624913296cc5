#!/usr/bin/env python3
"""Copy the self-hosted Chart.js from node_modules into static/vendor/, checksum first.

Standard library only, so it runs straight after `npm ci`, before or without
Django. The copy is refused, and nothing is written, when the package's
version or the file's SHA-384 differs from what scorecard/assets.py records:
the self-hosted copy must be byte for byte the file the CDN serves under
Subresource Integrity.

Usage: python scripts/vendor_static.py [--node-modules DIR] [--static DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scorecard import assets  # noqa: E402  (needs the repo root on the path first)


class VendorError(Exception):
    """A copy that must not happen, with the reason a person can act on."""


def chartjs_files(node_modules: Path, static: Path) -> list[tuple[Path, Path]]:
    """Return (source, destination) pairs: the script, its source map and the licence."""
    package = node_modules / "chart.js"
    target = static / Path(assets.CHARTJS_STATIC_PATH).parent
    return [
        (package / "dist" / assets.CHARTJS_FILE, target / assets.CHARTJS_FILE),
        # The script names its map; the production static storage refuses a missing reference.
        (package / "dist" / f"{assets.CHARTJS_FILE}.map", target / f"{assets.CHARTJS_FILE}.map"),
        (package / "LICENSE.md", target / "LICENSE.md"),
    ]


def check_chartjs(node_modules: Path) -> None:
    """Raise VendorError unless node_modules holds the pinned Chart.js with the recorded checksum."""
    package = node_modules / "chart.js"
    manifest = package / "package.json"
    if not manifest.is_file():
        raise VendorError(f"{manifest} is missing: run `npm ci` first (or `make setup`).")
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    if version != assets.CHARTJS_VERSION:
        raise VendorError(
            f"node_modules holds chart.js {version}, but scorecard/assets.py pins {assets.CHARTJS_VERSION}: "
            "run `npm ci`, or update package.json, package-lock.json and scorecard/assets.py together."
        )
    script = package / "dist" / assets.CHARTJS_FILE
    if not script.is_file():
        raise VendorError(f"{script} is missing from the chart.js {version} package.")
    actual = assets.sri_sha384(script.read_bytes())
    if actual != assets.CHARTJS_SRI:
        raise VendorError(
            f"Refusing to copy {script}: its checksum is {actual}, but scorecard/assets.py records "
            f"{assets.CHARTJS_SRI} for chart.js {assets.CHARTJS_VERSION}. The file differs from the one "
            "the CDN serves; reinstall with `npm ci` and check the package before changing the record."
        )


def copy_atomically(source: Path, destination: Path) -> bool:
    """Copy `source` over `destination` unless they already match; return True when it wrote."""
    content = source.read_bytes()
    if destination.is_file() and destination.read_bytes() == content:
        return False
    destination.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a page never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def vendor_chartjs(node_modules: Path, static: Path) -> list[Path]:
    """Check the pinned Chart.js, then copy it under `static`; return the files written."""
    check_chartjs(node_modules)
    pairs = chartjs_files(node_modules, static)
    missing = [str(source) for source, _ in pairs if not source.is_file()]
    if missing:
        raise VendorError(f"The chart.js package lacks {', '.join(missing)}: reinstall with `npm ci`.")
    return [destination for source, destination in pairs if copy_atomically(source, destination)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--node-modules",
        type=Path,
        default=ROOT / "node_modules",
        help="the npm install to copy from (default: node_modules)",
    )
    parser.add_argument(
        "--static", type=Path, default=ROOT / "static", help="the static folder to copy into (default: static)"
    )
    args = parser.parse_args(argv)
    try:
        written = vendor_chartjs(args.node_modules, args.static)
    except VendorError as error:
        print(f"vendor_static: {error}", file=sys.stderr)
        return 1
    state = f"{len(written)} file(s) written" if written else "already up to date"
    print(
        f"vendor_static: Chart.js {assets.CHARTJS_VERSION} checksum verified; "
        f"{args.static / assets.CHARTJS_STATIC_PATH}: {state}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
