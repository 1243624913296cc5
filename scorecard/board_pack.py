"""The board pack's files: the formats a month's scorecard downloads as, and how each is made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

from scorecard import exports
from scorecard.pdf import render_pdf
from scorecard.services import CACHE_SECONDS, PUBLISHED, Scorecard
from scorecard.xlsx import render_xlsx

# Part of the cache key: bump it when a file's layout changes, so old copies are not served.
FILE_VERSION = 1


def _csv(scorecard: Scorecard) -> bytes:
    return exports.scorecard_csv(scorecard).encode("utf-8")


@dataclass(frozen=True)
class FileFormat:
    content_type: str
    render: Callable[[Scorecard], bytes]
    binary: bool


FILE_FORMATS = {
    "csv": FileFormat("text/csv; charset=utf-8", _csv, binary=False),
    "xlsx": FileFormat("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", render_xlsx, binary=True),
    "pdf": FileFormat("application/pdf", render_pdf, binary=True),
}


def filename(scorecard: Scorecard, fmt: str) -> str:
    """Return the download's file name, e.g. scorecard-2017-12.pdf; a provisional view or a restated version says so."""
    if scorecard.status != PUBLISHED:
        return f"scorecard-{scorecard.month}-provisional.{fmt}"
    version = f"-v{scorecard.version}" if scorecard.version > 1 else ""
    return f"scorecard-{scorecard.month}{version}.{fmt}"


def render_file(scorecard: Scorecard, fmt: str) -> bytes:
    """Return the file; a published version's is kept in the cache, as its snapshot never changes."""
    file_format = FILE_FORMATS[fmt]
    if scorecard.status != PUBLISHED or not scorecard.stamp:
        return file_format.render(scorecard)
    # The stamp names the snapshot: a restatement is a new snapshot, so no copy goes stale.
    key = f"scorecard-file:v{FILE_VERSION}:{scorecard.month}:{fmt}:{scorecard.stamp}"
    content = cache.get(key)
    if content is None:
        content = file_format.render(scorecard)
        cache.set(key, content, CACHE_SECONDS)
    return content
