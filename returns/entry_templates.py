"""A return's figures as a file to fill in: the long form the returns import reads, one row per measure.

The unit's stored figures are filled in; blanks stay blank (the import reads a
blank as "not given", never 0), so a team can type into the file and upload it.
"""

from __future__ import annotations

import tablib
from import_export.formats import base_formats

from lib.months import Month
from returns import selectors
from returns.exports import FORMATS, Export

HEADERS = ("month", "team", "measure", "value")


def template_dataset(unit: selectors.Unit, month: Month) -> tablib.Dataset:
    """Return the unit's measures for the month with any stored values (three queries)."""
    stored = selectors.stored_values(selectors.return_for(unit, month))
    dataset = tablib.Dataset(headers=list(HEADERS))
    for measure in selectors.measures_for(unit):
        row = stored.get(measure.code)
        dataset.append([str(month), unit.code, measure.code, "" if row is None or row.value is None else row.value])
    return dataset


def return_template(unit: selectors.Unit, month: Month, fmt: str) -> Export:
    """Return the template file in the format asked for ("csv" or "xlsx")."""
    dataset = template_dataset(unit, month)
    file_format: base_formats.Format = FORMATS[fmt]()
    content = file_format.export_data(dataset)
    if isinstance(content, str):
        content = content.encode("utf-8")
    return Export(content, file_format.get_content_type(), f"return-{unit.code}-{month}.{fmt}", len(dataset))
