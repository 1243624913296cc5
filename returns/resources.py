"""django-import-export Resources: the reference data a council sets up from files, and the returns export.

Each reference Resource names its columns exactly as DESIGN.md does, finds
existing rows by their natural key (`import_id_fields`), looks related rows
up by code and never creates them, and validates every instance with
`full_clean` before saving. Widgets are strict: a cell either means exactly
one thing or the row is refused with the reason.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from indicators.models import Comparator, Indicator, Target
from lib.cells import guard_formula
from lib.text import shorten
from returns.models import ReturnValue
from returns.spreadsheets import cell_text, is_blank, parse_count, parse_month
from teams.models import Area, Council, Population, Team, TeamType

# --------------------------------------------------------------------------- widgets and fields


class ColumnError(ValueError):
    """A cell that cannot be read, with the column it is in."""

    def __init__(self, column: str, message: str):
        self.column = column
        self.message = message
        super().__init__(message)


class Column(fields.Field):
    """A field whose cell errors remember their column, even when raised while finding the row."""

    def clean(self, row, **kwargs):
        try:
            return super().clean(row, **kwargs)
        except ColumnError:
            raise
        except ValueError as exc:
            raise ColumnError(self.column_name, str(exc)) from None


class TextWidget(widgets.Widget):
    """Stripped text; a whole-number spreadsheet cell is read without its trailing .0."""

    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


class CodeWidget(widgets.ForeignKeyWidget):
    """A related row named by its code; an unknown code is an error, never a new row."""

    def __init__(self, model, label: str):
        super().__init__(model, field="code")
        self.label = label

    def clean(self, value, row=None, **kwargs):
        code = cell_text(value)
        if not code:
            raise ValueError(f"blank; give the {self.label} code")
        try:
            return self.get_queryset(value, row, **kwargs).get(code=code)
        except self.model.DoesNotExist:
            raise ValueError(f"no {self.label} has the code “{shorten(code, 40)}”") from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.code


class ChoiceWidget(widgets.Widget):
    """One of a fixed set of words."""

    def __init__(self, choices):
        super().__init__()
        self.values = [value for value, _ in choices]

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text not in self.values:
            shown = f"“{shorten(text, 40)}”" if text else "blank"
            raise ValueError(f"{shown} is not one of: {', '.join(self.values)}")
        return text


class WholeNumberWidget(widgets.Widget):
    """A whole number within bounds, read as strictly as a return's counts."""

    def __init__(self, minimum: int = 0, maximum: int | None = None):
        super().__init__()
        self.minimum, self.maximum = minimum, maximum

    def clean(self, value, row=None, **kwargs):
        number = parse_count(value)
        if number is None:
            raise ValueError("blank; give a whole number")
        if number < self.minimum or (self.maximum is not None and number > self.maximum):
            top = f" to {self.maximum}" if self.maximum is not None else " or more"
            raise ValueError(f"{number} is out of range ({self.minimum}{top})")
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class StrictDecimalWidget(widgets.Widget):
    """A plain decimal number (digits, an optional point and sign); blank gives `blank` or is an error."""

    def __init__(self, blank: Decimal | None = None, minimum: Decimal | None = None):
        super().__init__()
        self.blank, self.minimum = blank, minimum

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            if self.blank is None:
                raise ValueError("blank; give a number")
            return self.blank
        if isinstance(value, bool):
            raise ValueError("TRUE/FALSE is not a number")
        if isinstance(value, (int, float)):
            text = repr(value) if isinstance(value, float) else str(value)
        else:
            text = str(value).strip()
        if not _DECIMAL.fullmatch(text):
            raise ValueError(f"“{shorten(text, 40)}” is not a plain number (digits and a decimal point only)")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already admits only decimals
            raise ValueError(f"“{shorten(text, 40)}” is not a number") from None
        if abs(number) >= Decimal(10) ** 8:
            raise ValueError(f"{text} is too large")
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"{text} is below {self.minimum}")
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
        return text


class MonthWidget(widgets.Widget):
    """A month written YYYY-MM, stored as its first day."""

    def clean(self, value, row=None, **kwargs):
        return parse_month(value).first_day

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:%Y-%m}"


# --------------------------------------------------------------------------- resources


class ReferenceResource(resources.ModelResource):
    """Shared behaviour: strict validation, unchanged rows skipped and reported, history attributed."""

    def __init__(self, *, actor=None, reason: str = "", **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.reason = reason

    def before_save_instance(self, instance, row, **kwargs):
        # django-simple-history reads these to record who changed the row and why.
        instance._history_user = self.actor
        instance._change_reason = self.reason[:100]

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        store_instance = True
        skip_html_diff = True
        use_transactions = True


class CouncilResource(ReferenceResource):
    code = Column(attribute="code", column_name="code", widget=TextWidget())
    name = Column(attribute="name", column_name="name", widget=TextWidget())

    class Meta:
        model = Council
        fields = ("code", "name")
        import_id_fields = ("code",)


class AreaResource(ReferenceResource):
    code = Column(attribute="code", column_name="code", widget=TextWidget())
    name = Column(attribute="name", column_name="name", widget=TextWidget())
    kind = Column(attribute="kind", column_name="kind", widget=ChoiceWidget(Area.Kind.choices))
    # Not a column of the file: the file's row order becomes the scorecard's column order.
    order = Column(attribute="order", column_name="order", widget=WholeNumberWidget())

    def before_import_row(self, row, **kwargs):
        row["order"] = kwargs["row_number"]

    class Meta:
        model = Area
        fields = ("code", "name", "kind", "order")
        import_id_fields = ("code",)


class TeamResource(ReferenceResource):
    code = Column(attribute="code", column_name="code", widget=TextWidget())
    name = Column(attribute="name", column_name="name", widget=TextWidget())
    area = Column(attribute="area", column_name="area", widget=CodeWidget(Area, "area"))
    team_type = Column(attribute="team_type", column_name="team_type", widget=CodeWidget(TeamType, "team type"))

    class Meta:
        model = Team
        fields = ("code", "name", "area", "team_type")
        import_id_fields = ("code",)


class PopulationResource(ReferenceResource):
    area = Column(attribute="area", column_name="area", widget=CodeWidget(Area, "area"))
    year = Column(attribute="year", column_name="year", widget=WholeNumberWidget(1900, 2200))
    population_0_17 = Column(
        attribute="population_0_17", column_name="population_0_17", widget=WholeNumberWidget(1, 100_000_000)
    )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if "area" not in errors and instance.area_id and instance.area.kind != Area.Kind.LOCALITY:
            # Only localities have a child population; a citywide service's rate has no denominator.
            errors["area"] = [
                ValidationError(
                    f"{instance.area.code} is a citywide service, not a locality, so it has no child population"
                )
            ]
        super().validate_instance(instance, errors, validate_unique)

    class Meta:
        model = Population
        fields = ("area", "year", "population_0_17")
        import_id_fields = ("area", "year")


class TargetResource(ReferenceResource):
    indicator = Column(attribute="indicator", column_name="indicator", widget=CodeWidget(Indicator, "indicator"))
    effective_from = Column(attribute="effective_from", column_name="effective_from", widget=MonthWidget())
    value = Column(attribute="value", column_name="value", widget=StrictDecimalWidget())
    tolerance = Column(
        attribute="tolerance", column_name="tolerance", widget=StrictDecimalWidget(blank=Decimal(0), minimum=Decimal(0))
    )

    class Meta:
        model = Target
        fields = ("indicator", "effective_from", "value", "tolerance")
        import_id_fields = ("indicator", "effective_from")


class ComparatorResource(ReferenceResource):
    indicator = Column(attribute="indicator", column_name="indicator", widget=CodeWidget(Indicator, "indicator"))
    kind = Column(attribute="kind", column_name="kind", widget=ChoiceWidget(Comparator.Kind.choices))
    period = Column(attribute="period", column_name="period", widget=TextWidget())
    value = Column(attribute="value", column_name="value", widget=StrictDecimalWidget())
    source = Column(attribute="source", column_name="source", widget=TextWidget())
    # Optional: the supporting line a figure compares with (e.g. "rate"); blank (or no column) for the headline.
    line = Column(attribute="line", column_name="line", widget=TextWidget())

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if (
            "line" not in errors
            and instance.line
            and instance.indicator_id
            and not instance.indicator.lines.filter(code=instance.line).exists()
        ):
            errors["line"] = [
                ValidationError(f"the indicator {instance.indicator.code} has no line with the code “{instance.line}”")
            ]
        super().validate_instance(instance, errors, validate_unique)

    class Meta:
        model = Comparator
        fields = ("indicator", "kind", "period", "value", "source", "line")
        import_id_fields = ("indicator", "kind", "period", "line")


# --------------------------------------------------------------------------- export


class ReturnValueExportResource(resources.ModelResource):
    """Returns data in the long form the import reads back: month, team, measure, value."""

    month = fields.Field(column_name="month")
    team = fields.Field(column_name="team")
    measure = fields.Field(attribute="measure__code", column_name="measure")
    value = fields.Field(attribute="value", column_name="value", widget=widgets.IntegerWidget(coerce_to_string=False))

    def __init__(self, *, council_code: str = "", **kwargs):
        super().__init__(**kwargs)
        self.council_code = council_code

    def dehydrate_month(self, row: ReturnValue) -> str:
        return f"{row.ret.month:%Y-%m}"

    def dehydrate_team(self, row: ReturnValue) -> str:
        return row.ret.team.code if row.ret.team is not None else self.council_code

    def export_field(self, field, instance, **kwargs):
        # Every text cell passes the guard, so a code or name can never run as a formula in Excel.
        return guard_formula(super().export_field(field, instance, **kwargs))

    class Meta:
        model = ReturnValue
        fields = ("month", "team", "measure", "value")
        export_order = ("month", "team", "measure", "value")
