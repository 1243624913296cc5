"""The pinned third-party browser assets: versions, CDN addresses and checksums.

Django-free on purpose: `scripts/vendor_static.py` reads it with the standard
library alone before any Django is installed. Upgrading Chart.js means changing
package.json, package-lock.json and the three values below together; the vendor
script refuses a copy whose checksum differs from CHARTJS_SRI, and the tests
check that package.json pins the same version.
"""

from __future__ import annotations

import base64
import hashlib

CHARTJS_VERSION = "4.6.1"
# The UMD build defines window.Chart without a module loader, so a plain <script> tag works.
CHARTJS_FILE = "chart.umd.min.js"
# Subresource Integrity of the file exactly as the npm package ships it (the CDN serves it unchanged).
CHARTJS_SRI = "sha384-Emf5ZVIUiarAdhkgtqK+5/Z5qIvM6QoVrS+qAVtfyZVuD5lIHrac0me485+Antp0"
CHARTJS_CDN_URL = f"https://cdn.jsdelivr.net/npm/chart.js@{CHARTJS_VERSION}/dist/{CHARTJS_FILE}"
# Where the self-hosted copy lives under the static files (static/vendor/ is built, never committed).
CHARTJS_STATIC_PATH = f"vendor/chart.js/{CHARTJS_FILE}"


def sri_sha384(content: bytes) -> str:
    """Return the Subresource Integrity value ("sha384-<base64>") of `content`."""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode("ascii")
