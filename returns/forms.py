"""Forms for returns: one strict count field per measure, and the small workflow forms.

Counts are typed as text, not `<input type=number>`: browsers quietly accept
"1e3" and drop what they cannot read in number inputs, and a person should
see exactly what they typed refused with a reason. Accepted: whole numbers
0 to 1,000,000,000 in the digits 0-9, commas allowed between thousands
("1,234"); blank means not yet known, never 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from django import forms

from indicators.models import Measure
from returns.validation import CountError, parse_count

UNAVAILABLE_SUFFIX = "-unavailable"
REASON_MAX = 500
COMMENT_MAX = 2000


def unavailable_name(code: str) -> str:
    """Return the name of the field holding why a measure's value is not available."""
    return f"{code}{UNAVAILABLE_SUFFIX}"


EXPLAIN_PREFIX = "explain-"


def explain_name(code: str) -> str:
    """Return the name of the box explaining a measure's warning."""
    return f"{EXPLAIN_PREFIX}{code}"


def explanations_from(data: Mapping, codes: Iterable[str]) -> dict[str, str]:
    """Return the warnings' explanations posted for these measures (trimmed, at most REASON_MAX characters)."""
    found = {}
    for code in codes:
        text = str(data.get(explain_name(code)) or "").strip()[:REASON_MAX]
        if text:
            found[code] = text
    return found


# Typed in a figure's box, these mean "not available": the reason box opens (one tab stop per row otherwise).
NOT_AVAILABLE_WORDS = frozenset({"n/a", "na", "not available"})


class NotAvailable:
    """What a count box holds when "n/a" was typed in it: blank, with a reason needed."""

    def __str__(self) -> str:
        return "n/a"


NOT_AVAILABLE = NotAvailable()


class CountField(forms.Field):
    """A count typed by a person: see the module docstring for what is accepted, and "n/a"."""

    widget = forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", "class": "count-input"}
    )

    def to_python(self, value):
        if isinstance(value, str) and value.strip().lower() in NOT_AVAILABLE_WORDS:
            return NOT_AVAILABLE
        try:
            return parse_count(value)
        except CountError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None

    def prepare_value(self, value):
        return f"{value:,}" if isinstance(value, int) else value


class ReturnForm(forms.Form):
    """One return's values, a not-available reason per value, the comment and the version seen."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "required": "This page is out of date: reload it and enter your changes again.",
            "invalid": "This page is out of date: reload it and enter your changes again.",
        },
    )
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment",
        help_text="Anything else the performance team should know. Explain each warning in the box beside it.",
    )
    action = forms.ChoiceField(choices=[("save", "Save draft"), ("submit", "Submit")], required=False)

    def __init__(self, *args, measures: Iterable[Measure], **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = list(measures)
        for measure in self.measures:
            self.fields[measure.code] = CountField(required=False, label=measure.name, help_text=measure.description)
            self.fields[unavailable_name(measure.code)] = forms.CharField(
                required=False,
                max_length=REASON_MAX,
                label=f"Why {measure.name.lower()} is not available",
            )
        for name in self.fields:
            self._describe(name)

    def note_findings(self, codes) -> None:
        """Point the named measures' inputs at the checks shown beside them."""
        for code in codes:
            if code in self.fields:
                widget = self.fields[code].widget
                ids = widget.attrs.get("aria-describedby", "").split()
                widget.attrs["aria-describedby"] = " ".join([*ids, f"{code}-findings"])

    def _describe(self, name: str, *, with_error: bool = False) -> None:
        """Point the field at its hint, its last-month context and its error, those that exist."""
        if name in ("version", "action"):
            return
        field = self.fields[name]
        ids = []
        if field.help_text:
            ids.append(f"{name}-hint")
        if name in self.measure_codes:
            ids.append(f"{name}-context")
        if with_error:
            ids.append(f"{name}-error")
        if ids:
            field.widget.attrs["aria-describedby"] = " ".join(ids)

    @property
    def measure_codes(self) -> list[str]:
        return [m.code for m in self.measures]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        for code in self.measure_codes:
            reason = (cleaned.get(unavailable_name(code)) or "").strip()
            if cleaned.get(code) is NOT_AVAILABLE:
                cleaned[code] = None
                if not reason:
                    self.add_error(unavailable_name(code), "Say why this figure is not available.")
                continue
            if reason and cleaned.get(code) is not None:
                self.add_error(unavailable_name(code), "Give either a value or a reason it is not available, not both.")
        if not cleaned.get("action"):
            cleaned["action"] = "save"
        return cleaned

    def full_clean(self):
        super().full_clean()
        # Point each field with an error at its message, for screen readers.
        for name in self.errors:
            if name in self.fields and name not in ("version", "action"):
                self._describe(name, with_error=True)
                self.fields[name].widget.attrs["aria-invalid"] = "true"

    def values(self) -> dict[str, int | None]:
        """Return the typed values by measure code (None for blank)."""
        return {code: self.cleaned_data.get(code) for code in self.measure_codes}

    def unavailable(self) -> dict[str, str]:
        """Return the not-available reasons given, by measure code."""
        return {
            code: reason
            for code in self.measure_codes
            if (reason := (self.cleaned_data.get(unavailable_name(code)) or "").strip())
        }

    @staticmethod
    def initial_from(stored: Mapping, version: int, comment: str) -> dict:
        """Return the form's initial data from stored ReturnValue rows by code."""
        initial = {"version": version, "comment": comment}
        for code, row in stored.items():
            initial[code] = row.value
            if row.value is None:
                initial[unavailable_name(code)] = row.unavailable_reason
        return initial


class TransitionForm(forms.Form):
    """What the submit, approve, reject and reopen buttons post."""

    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=2000, strip=True)
    comment = forms.CharField(required=False, max_length=COMMENT_MAX, strip=True)


class CompletenessFilterForm(forms.Form):
    """Filters of the completeness page; unknown values are reported, not guessed."""

    area = forms.ChoiceField(required=False, label="Area")
    state = forms.ChoiceField(required=False, label="State")

    def __init__(self, *args, areas: Iterable[tuple[str, str]], states: Iterable[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [("", "All areas"), *areas]
        cast(forms.ChoiceField, self.fields["state"]).choices = [("", "All states"), ("overdue", "Overdue"), *states]
