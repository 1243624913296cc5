"""Forms of the import pages: django-import-export's upload and confirm forms, held to CSV and XLSX."""

from __future__ import annotations

from django import forms
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm

from lib.months import Month
from returns.resources import ReturnValueExportResource

# The only formats an import accepts (django-import-export would offer JSON, YAML, ODS, ...).
IMPORT_FORMATS = [base_formats.CSV, base_formats.XLSX]
FORMAT_KINDS = {"0": "csv", "1": "xlsx"}


class UploadForm(ImportForm):
    """Choose a file; the format is read from the file itself unless the person names one."""

    def __init__(self, *args, **kwargs):
        super().__init__(IMPORT_FORMATS, [ReturnValueExportResource], *args, **kwargs)
        fmt = self.fields["format"]
        fmt.required = False
        fmt.choices = [("", "Work it out from the file"), ("0", "CSV"), ("1", "Excel workbook (.xlsx)")]
        fmt.label = "Format"
        fmt.widget.attrs.pop("class", None)
        upload = self.fields["import_file"]
        upload.label = "File"
        upload.help_text = "A .csv or .xlsx file."
        upload.widget.attrs.pop("class", None)  # the admin's format-guessing hook
        upload.widget.attrs["accept"] = ".csv,.xlsx"

    @property
    def media(self):
        return forms.Media()  # the admin's format-guessing script is not needed: the server sniffs the file

    def chosen_kind(self) -> str:
        return FORMAT_KINDS.get(self.cleaned_data.get("format") or "", "")


class ConfirmForm(ConfirmImportForm):
    """What a preview hands to its confirm: the stored upload, and digests of the file and the plan."""

    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput())
    fingerprint = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput())
    format = forms.CharField(widget=forms.HiddenInput(), required=False)

    def clean_import_file_name(self):
        name = super().clean_import_file_name()
        if not name.isalnum():
            raise forms.ValidationError("Unknown upload.")
        return name


class ExportForm(forms.Form):
    """A range of months and a format."""

    first = forms.CharField(label="From month", help_text="As YYYY-MM, e.g. 2017-01.", max_length=7)
    last = forms.CharField(label="To month", help_text="As YYYY-MM, e.g. 2017-12.", max_length=7)
    format = forms.ChoiceField(label="Format", choices=[("csv", "CSV"), ("xlsx", "Excel workbook (.xlsx)")])

    MAX_MONTHS = 240

    def _month(self, name: str) -> Month:
        try:
            return Month.parse(self.cleaned_data[name])
        except ValueError:
            raise forms.ValidationError("Give a month as YYYY-MM, e.g. 2017-12.") from None

    def clean_first(self) -> Month:
        return self._month("first")

    def clean_last(self) -> Month:
        return self._month("last")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        first, last = data.get("first"), data.get("last")
        if isinstance(first, Month) and isinstance(last, Month):
            if last < first:
                self.add_error("last", "The last month is before the first.")
            elif last - first >= self.MAX_MONTHS:
                self.add_error("last", f"Export at most {self.MAX_MONTHS} months at a time.")
        return data
