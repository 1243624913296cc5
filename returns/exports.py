"""Export returns data in long form (CSV or XLSX) for a range of months, limited to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import tablib
from django.db.models import F
from import_export.formats import base_formats

from lib.months import Month
from returns import policy
from returns.models import ReturnValue
from returns.resources import ReturnValueExportResource
from teams.models import Council

if TYPE_CHECKING:
    from teams.http import AnyUser

FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    file_name: str
    rows: int


def returns_dataset(*, user: AnyUser, first: Month, last: Month) -> tablib.Dataset:
    """Return the stored values of first..last the user may see, one row per value (two queries).

    Blank values (no row, or "not available") are left out: the file is the
    long form the import reads, where a value is a count.
    """
    rows = (
        ReturnValue.objects.filter(ret__month__gte=first.first_day, ret__month__lte=last.first_day, value__isnull=False)
        .select_related("ret__team", "measure")
        # Teams by code, then the council's own return (no team) last, on every database.
        .order_by("ret__month", F("ret__team__code").asc(nulls_last=True), "measure__order", "measure__code")
    )
    visible = policy.visible_team_ids(user)
    if visible is not None:
        # A data entry user sees their own teams' returns, and never the council's own.
        rows = rows.filter(ret__team_id__in=visible)
    council = Council.objects.order_by("pk").values_list("code", flat=True).first() or ""
    return ReturnValueExportResource(council_code=council).export(rows)


def returns_export(*, user: AnyUser, first: Month, last: Month, fmt: str) -> Export:
    """Return the file for the months and format ("csv" or "xlsx")."""
    dataset = returns_dataset(user=user, first=first, last=last)
    file_format = FORMATS[fmt]()
    content = file_format.export_data(dataset)
    if isinstance(content, str):
        content = content.encode("utf-8")
    name = f"returns-{first}-to-{last}.{fmt}" if first != last else f"returns-{first}.{fmt}"
    return Export(content, file_format.get_content_type(), name, len(dataset))
