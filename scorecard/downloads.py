"""The board pack's downloads: a month's scorecard as CSV, XLSX or PDF."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from lib.months import Month
from scorecard.board_pack import FILE_FORMATS, filename, render_file
from scorecard.services import get_scorecard
from scorecard.views import viewable_status


def scorecard_download(request: HttpRequest, month: Month, fmt: str) -> HttpResponse:
    """Return the month's scorecard as a file; 404 for an unknown format or month, or one the user may not see."""
    file_format = FILE_FORMATS.get(fmt)
    if file_format is None:
        raise Http404("No such format.")
    status = viewable_status(request, month)
    scorecard = get_scorecard(month, status)
    response = HttpResponse(render_file(scorecard, fmt), content_type=file_format.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename(scorecard, fmt)}"'
    return response
