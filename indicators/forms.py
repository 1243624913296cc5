"""Forms of the indicators app: commentary on an indicator for a month."""

from __future__ import annotations

from django import forms

COMMENTARY_MAX = 5000


class CommentaryForm(forms.Form):
    """The commentary text, and the version of it the writer started from."""

    text = forms.CharField(
        label="Commentary",
        max_length=COMMENTARY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the figure shows this month and why; what is being done about it. "
        f"Up to {COMMENTARY_MAX:,} characters.",
        error_messages={"required": "Write the commentary before saving: it cannot be empty."},
    )
    version = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "This page is out of date: reload it and write your changes again.",
            "min_value": "This page is out of date: reload it and write your changes again.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["aria-describedby"] = "text-hint"

    def full_clean(self):
        super().full_clean()
        if "text" in self.errors:
            self.fields["text"].widget.attrs["aria-describedby"] = "text-hint text-error"
            self.fields["text"].widget.attrs["aria-invalid"] = "true"
