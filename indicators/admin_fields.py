"""Admin fields as the performance team thinks of them: months as YYYY-MM, numbers as they were typed.

Months are stored as their first day; in the admin they are typed and shown
as `2017-12`, never picked from a day-level calendar. Decimals are shown
without the database's trailing zeros (5, not 5.0000).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.db import models
from django.http import HttpRequest

from lib.months import Month

# Date fields that hold a month (the first day of it), by name, across the apps.
MONTH_FIELD_NAMES = frozenset({"month", "effective_from", "baseline_month", "spc_baseline_from", "spc_baseline_to"})


def shown_month(day: dt.date | None) -> str:
    """Return a stored month as YYYY-MM ("" for none)."""
    return "" if day is None else str(Month.of(day))


def shown_decimal(value: Decimal | None) -> str:
    """Return a decimal as typed: no trailing zeros, never an exponent ("" for none)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


class MonthInput(forms.TextInput):
    """A text box for YYYY-MM."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(
            attrs={"placeholder": "YYYY-MM", "inputmode": "numeric", "size": 8, "autocomplete": "off", **(attrs or {})}
        )

    def format_value(self, value: object) -> str | None:
        if isinstance(value, dt.date):
            return shown_month(value)
        return super().format_value(value)


class MonthField(forms.Field):
    """A month typed as YYYY-MM, cleaned to its first day."""

    widget = MonthInput
    default_error_messages = {"invalid": "Enter a month as YYYY-MM, for example 2017-12."}

    def to_python(self, value: object) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        try:
            return Month.parse(str(value)).first_day
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class EnteredDecimalField(forms.DecimalField):
    """A decimal shown as it was typed (5, not 5.0000)."""

    def prepare_value(self, value: object) -> object:
        if isinstance(value, Decimal):
            return shown_decimal(value)
        return super().prepare_value(value)


class PlainFieldsMixin:
    """Admin (model or inline) forms with months as YYYY-MM and decimals without trailing zeros."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: object
    ) -> forms.Field | None:
        if (
            isinstance(db_field, models.DateField)
            and not isinstance(db_field, models.DateTimeField)
            and db_field.name in MONTH_FIELD_NAMES
        ):
            return MonthField(
                required=not db_field.blank,
                label=db_field.verbose_name.capitalize(),
                help_text="A month, as YYYY-MM (for example 2017-12).",
            )
        if isinstance(db_field, models.DecimalField):
            return db_field.formfield(form_class=EnteredDecimalField, **kwargs)  # type: ignore[arg-type]
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
