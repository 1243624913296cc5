"""The completeness table: every expected return of a month, its state, who touched it and when."""

from __future__ import annotations

import django_tables2 as tables
from django.template.defaultfilters import date as format_date
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from returns.selectors import NOT_STARTED


class CompletenessTable(tables.Table):
    """Rows are returns.selectors.CompletenessRow objects."""

    unit = tables.Column(verbose_name="Return", accessor="unit__code", order_by=("unit__code",))
    area = tables.Column(verbose_name="Area", accessor="area_name")
    state = tables.Column(verbose_name="State", accessor="state_label")
    updated_by = tables.Column(verbose_name="Last changed by", empty_values=())
    updated_at = tables.Column(verbose_name="Last changed", empty_values=())
    due = tables.DateColumn(verbose_name="Due", format="j M Y")
    overdue = tables.Column(verbose_name="Overdue", empty_values=())

    class Meta:
        fields = ("unit", "area", "state", "updated_by", "updated_at", "due", "overdue")
        orderable = False
        attrs = {"class": "completeness-table"}

    def __init__(self, *args, month, **kwargs):
        super().__init__(*args, **kwargs)
        self.month = month

    def render_unit(self, record):
        url = reverse("returns:form", kwargs={"month": str(self.month), "unit": record.unit.code})
        return format_html('<a href="{}">{}</a> <span class="hint">{}</span>', url, record.unit.code, record.unit.name)

    def render_state(self, record):
        return format_html('<span class="state state-{}">{}</span>', record.state, record.state_label)

    def render_updated_by(self, record):
        return record.updated_by or "—"

    def render_updated_at(self, record, value):
        if record.state == NOT_STARTED or value is None:
            return "—"
        return format_date(timezone.localtime(value), "j M Y H:i")

    def render_overdue(self, record):
        if record.overdue:
            return mark_safe('<strong class="overdue">Overdue</strong>')
        return "No"
