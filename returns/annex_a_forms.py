"""Forms of the Annex A import pages: the upload, the team names to map, and the confirm."""

from __future__ import annotations

from django import forms

from lib.months import Month
from teams.models import Team

AUTHORITY = "authority"  # the choice "count at authority level only"


class AnnexAUploadForm(forms.Form):
    """The month to derive and the workbook."""

    month = forms.CharField(
        label="Month", max_length=20, help_text="The month the figures are for, as YYYY-MM, e.g. 2017-12."
    )
    import_file = forms.FileField(
        label="Annex A workbook",
        help_text="The .xlsx workbook with sheets “List 1” to “List 11” (any order; some may be missing).",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["import_file"].widget.attrs["accept"] = ".xlsx"

    def clean_month(self) -> Month:
        try:
            return Month.parse(self.cleaned_data["month"])
        except ValueError:
            raise forms.ValidationError("Give the month as YYYY-MM, e.g. 2017-12.") from None


class _StoredUploadForm(forms.Form):
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput())
    month = forms.RegexField(regex=r"^\d{4}-\d{2}$", widget=forms.HiddenInput())

    def clean_month(self) -> Month:
        try:
            return Month.parse(self.cleaned_data["month"])
        except ValueError:
            raise forms.ValidationError("Unknown month.") from None


class AnnexAConfirmForm(_StoredUploadForm):
    """What the preview hands to its confirm: the stored upload and digests of the file and the plan."""

    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput())
    fingerprint = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput())


class TeamNamesForm(_StoredUploadForm):
    """One choice per unmapped name: a team, or authority level only."""

    def __init__(self, *args, names: list[str], teams: list[Team], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.names = names
        choices = [("", "Choose…"), (AUTHORITY, "Count at authority level only")]
        choices += [(team.code, f"{team.code}: {team.name}") for team in teams]
        self.teams = {team.code: team for team in teams}
        for index, name in enumerate(names):
            self.fields[f"name_{index}"] = forms.CharField(widget=forms.HiddenInput(), initial=name)
            self.fields[f"choice_{index}"] = forms.ChoiceField(label=name, choices=choices, required=False)

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(name, self[f"name_{i}"], self[f"choice_{i}"]) for i, name in enumerate(self.names)]

    def choices(self) -> dict[str, Team | None]:
        """Return the names given a choice, with their team (None: authority level only)."""
        chosen: dict[str, Team | None] = {}
        for index, name in enumerate(self.names):
            choice = self.cleaned_data.get(f"choice_{index}")
            if self.cleaned_data.get(f"name_{index}") != name or not choice:
                continue
            chosen[name] = None if choice == AUTHORITY else self.teams[choice]
        return chosen
