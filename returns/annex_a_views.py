"""The Annex A import pages: upload -> preview (map the team names) -> confirm.

Unlike the other imports, the workbook itself is never kept: it holds
children's data. The upload is read in memory (never spooled to a temporary
file, whatever its size), counted, and only the counts (a Derivation: figures,
team names, row numbers and column names) wait in a PendingImport row for the
confirm, which refuses if the returns or the mappings have moved since the
preview. The preview shows counts, team names and problems by list, row and
column: never a child's data.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from returns import policy, signals
from returns.annex_a.importer import AnnexAImport, annex_a_apply, annex_a_import, team_names_map
from returns.annex_a.reader import derivation_from_json, derivation_to_json
from returns.annex_a_forms import AnnexAConfirmForm, AnnexAUploadForm, TeamNamesForm
from returns.import_views import STORAGE_SECONDS, _store, _too_large
from returns.models import PendingImport, Return
from returns.spreadsheets import ImportRefused, check_size
from teams.http import AuthenticatedHttpRequest
from teams.models import Team

KIND = "annex_a"
TITLE = "Import Annex A"


def _require(user) -> None:
    if not policy.has_import_annex_a_permission(user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def annex_a_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload an Annex A workbook for a month and preview what importing it would do."""
    _require(request.user)
    form = AnnexAUploadForm(data=request.POST or None, files=request.FILES or None)
    problems = _too_large(request) if request.method == "POST" else None
    if request.method == "POST" and problems is None and form.is_valid():
        upload, month = form.cleaned_data["import_file"], form.cleaned_data["month"]
        try:
            check_size(upload.size, upload.name)
            result = annex_a_import(
                data=upload.read(), file_name=upload.name, month=month, actor=request.user, dry_run=True
            )
        except ImportRefused as refused:
            problems = refused.problems
        else:
            # Only the counts are kept until the confirm; the workbook is dropped with this request.
            token = _store(request, derivation_to_json(result.derivation), upload.name, KIND)
            return _preview(request, result, token)
    refused = problems or (request.method == "POST" and form.errors)
    return render(
        request,
        "imports/annex_a_upload.html",
        {"title": TITLE, "form": form, "problems": problems},
        status=400 if refused else 200,
    )


@require_POST
def annex_a_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save what the previewed file's unmapped team names stand for, then preview it again."""
    _require(request.user)
    if not policy.has_map_team_names_permission(request.user):
        raise PermissionDenied
    stored = _stored_or_none(request)
    if stored is None:
        return _expired(request)
    try:
        result = _dry_run(request, stored)
        # The names to map are the file's unmapped ones now, whatever else the form was sent.
        form = TeamNamesForm(
            request.POST, names=[n.name for n in result.unmapped], teams=list(Team.objects.filter(active=True))
        )
        if form.is_valid() and form.choices():
            team_names_map(choices=form.choices())
            result = _dry_run(request, stored)
    except ImportRefused as refused:
        return _refused(request, refused, status=409)
    return _preview(request, result, stored.token)


def _dry_run(request: AuthenticatedHttpRequest, stored: PendingImport) -> AnnexAImport:
    return annex_a_apply(derivation=derivation_from_json(bytes(stored.data)), actor=request.user, dry_run=True)


@require_POST
def annex_a_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Import the previewed workbook for real."""
    _require(request.user)
    confirm = AnnexAConfirmForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, "The confirmation was incomplete; upload the file again.")
        return redirect("imports:annex-a")
    stored = _stored(request, confirm.cleaned_data["token"])
    if stored is None:
        return _expired(request)
    derivation = derivation_from_json(bytes(stored.data))
    month = derivation.month
    if confirm.cleaned_data["month"] != month or confirm.cleaned_data["sha256"] != derivation.sha256:
        return _expired(request)
    try:
        result = annex_a_apply(
            derivation=derivation, actor=request.user, expected_fingerprint=confirm.cleaned_data["fingerprint"]
        )
    except ImportRefused as refused:
        return _refused(request, refused, status=409, at_confirm=True)
    stored.delete()
    signals.workflow_event.send(
        sender=Return,
        request=request,
        event="annex_a_imported",
        fields={"file_name": stored.file_name, "sha256": result.sha256, "month": str(month), "changed": result.changed},
    )
    messages.success(
        request,
        f"Imported {stored.file_name} for {month.long_label}: {result.changed} value"
        f"{'s' if result.changed != 1 else ''} changed in the month's draft returns.",
    )
    return redirect("returns:month", month=str(month))


def _stored(request: AuthenticatedHttpRequest, token: str) -> PendingImport | None:
    """Return the user's upload the token names, unless it has expired (as the other imports' do)."""
    return PendingImport.objects.filter(
        token=token, user=request.user, kind=KIND, created_at__gte=timezone.now() - timedelta(seconds=STORAGE_SECONDS)
    ).first()


def _stored_or_none(request: AuthenticatedHttpRequest) -> PendingImport | None:
    form = AnnexAConfirmForm(request.POST)
    form.is_valid()  # only the token is needed here
    token = form.cleaned_data.get("token")
    return _stored(request, token) if token else None


def _expired(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _refused(
        request,
        ImportRefused("This upload has expired or is not yours; upload the file again."),
        status=409,
        at_confirm=True,
    )


def _refused(
    request: AuthenticatedHttpRequest, refused: ImportRefused, *, status: int, at_confirm: bool = False
) -> HttpResponse:
    return render(
        request,
        "imports/annex_a_upload.html",
        {
            "title": TITLE,
            "form": AnnexAUploadForm(),
            "problems": refused.problems,
            "refused_at_confirm": at_confirm,
        },
        status=status,
    )


def _preview(request: AuthenticatedHttpRequest, result: AnnexAImport, token: str) -> HttpResponse:
    month = str(result.derivation.month)
    unmapped = [n.name for n in result.unmapped]
    mapping = (
        TeamNamesForm(
            initial={"token": token, "month": month},
            names=unmapped,
            teams=list(Team.objects.filter(active=True).select_related("area")),
        )
        if unmapped
        else None
    )
    confirm = AnnexAConfirmForm(
        initial={"token": token, "month": month, "sha256": result.sha256, "fingerprint": result.fingerprint}
    )
    derivation = result.derivation
    return render(
        request,
        "imports/annex_a_preview.html",
        {
            "result": result,
            "derivation": derivation,
            "mapping": mapping,
            "confirm": confirm,
            "can_map": policy.has_map_team_names_permission(request.user),
            "lists": [(n, derivation.lists[n], derivation.rows_read.get(n)) for n in sorted(derivation.lists)],
            "changing": [u for u in result.units if u.changes and not u.locked],
            "nothing_to_do": result.changed == 0,
        },
    )
