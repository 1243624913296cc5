"""Import pages: upload -> preview -> confirm, for returns and reference data; and the returns export.

The upload is checked and dry-run (nothing is written) and the preview shows
what the file would do. The file waits in a PendingImport row (the database,
so any app process may take the confirm; no local files) under a random
name, tied to the user; confirming runs the import again for real, re-checking
the user's access and every return's lock, and refuses if what it would do
differs from the preview. Every refusal lists each problem and changes
nothing.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Length
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from returns import policy, signals
from returns.exports import returns_export
from returns.import_forms import ConfirmForm, ExportForm, UploadForm
from returns.import_jobs import job_progress, job_start, problems_from_json, result_from_json
from returns.imports import returns_import
from returns.models import ImportJob, PendingImport, Return
from returns.reference_import import KINDS, Kind, reference_import
from returns.spreadsheets import ImportRefused, Problem, check_size, open_sheet, sniff_kind
from teams.http import AuthenticatedHttpRequest

# A preview shows at most this many individual value changes, and returns; the counts always cover the whole file.
PREVIEW_CHANGES = 500
PREVIEW_RETURNS = 500
# How long an uploaded file waits for its confirm.
STORAGE_SECONDS = 60 * 60


# --------------------------------------------------------------------------- uploads
# Uploads are held in memory and cut off past IMPORT_MAX_BYTES by scorecard.uploads (FILE_UPLOAD_HANDLERS).


def _read_upload(request, form: UploadForm) -> tuple[bytes, str]:
    """Return the uploaded bytes and file name, refusing an oversized or mislabelled file."""
    upload = form.cleaned_data["import_file"]
    check_size(upload.size, upload.name)
    data = upload.read()
    kind = sniff_kind(data, upload.name)
    chosen = form.chosen_kind()
    if chosen and chosen != kind:
        raise ImportRefused(f"You chose {chosen.upper()}, but {upload.name} is {kind.upper()}.")
    return data, upload.name


def _too_large(request) -> list[Problem] | None:
    size = getattr(request, "upload_too_large", None)
    if size is None:
        return None
    limit = settings.IMPORT_MAX_BYTES / (1024 * 1024)
    return [
        Problem(
            f"The file is larger than {limit:,.1f} MB, the largest an import accepts. "
            "Split it into smaller files (for example one per year)."
        )
    ]


def _store(request, data: bytes, name: str, kind: str) -> str:
    """Keep the upload in the database until it is confirmed; return the token that names it."""
    return _store_pending(request, data, name, kind).token


def _store_pending(request, data: bytes, name: str, kind: str) -> PendingImport:
    PendingImport.objects.filter(created_at__lt=timezone.now() - timedelta(seconds=STORAGE_SECONDS)).delete()
    ImportJob.objects.filter(created_at__lt=timezone.now() - timedelta(seconds=STORAGE_SECONDS)).delete()
    return PendingImport.objects.create(
        token=secrets.token_hex(16),
        user=request.user,
        kind=kind,
        file_name=name,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _in_background(data: bytes) -> bool:
    """Return True when a returns file is large enough to be checked and imported in the background."""
    return len(data) > settings.IMPORT_BACKGROUND_BYTES


def _stored(request, confirm: ConfirmForm, kind: str) -> tuple[bytes, str]:
    """Return the upload a confirm names, refusing one that expired, is another user's or another file."""
    stored = _stored_pending(request, confirm, kind)
    return stored.read_data().getvalue(), stored.file_name


def _stored_pending(request, confirm: ConfirmForm, kind: str) -> PendingImport:
    """Return the stored upload (its data not read) a confirm names, refusing one that is not the previewed file."""
    stored = (
        PendingImport.objects.filter(
            token=confirm.cleaned_data["import_file_name"],
            user=request.user,
            kind=kind,
            created_at__gte=timezone.now() - timedelta(seconds=STORAGE_SECONDS),
        )
        .defer("data")
        .first()
    )
    if stored is None:
        raise ImportRefused("This upload has expired or is not yours; upload the file again.")
    if stored.sha256 != confirm.cleaned_data["sha256"]:
        raise ImportRefused("This is not the file that was previewed; upload the file again.")
    return stored


def _stored_size(stored: PendingImport) -> int:
    return PendingImport.objects.filter(pk=stored.pk).annotate(size=Length("data")).values_list("size", flat=True)[0]


def _forget(confirm: ConfirmForm) -> None:
    PendingImport.objects.filter(token=confirm.cleaned_data["import_file_name"]).delete()


# --------------------------------------------------------------------------- pages


def imports_index(request: HttpRequest) -> HttpResponse:
    """List the imports and the export the user may use."""
    user = request.user
    if not policy.has_view_imports_permission(user):
        raise PermissionDenied
    return render(
        request,
        "imports/index.html",
        {
            "kinds": [kind for name, kind in KINDS.items() if policy.has_import_reference_permission(user, name)],
            "can_import_returns": policy.has_import_returns_permission(user),
            "can_export": policy.has_export_returns_permission(user),
            "can_import_annex_a": policy.has_import_annex_a_permission(user),
            "max_mb": settings.IMPORT_MAX_BYTES / (1024 * 1024),
        },
    )


@require_http_methods(["GET", "POST"])
def returns_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a returns file and preview what importing it would do."""
    if not policy.has_import_returns_permission(request.user):
        raise PermissionDenied
    context = {"title": "Import returns", "kind": None}
    form = UploadForm(data=request.POST or None, files=request.FILES or None)
    problems = _too_large(request) if request.method == "POST" else None
    if request.method == "POST" and problems is None and form.is_valid():
        try:
            data, name = _read_upload(request, form)
            if _in_background(data):
                open_sheet(io.BytesIO(data), name)  # what is cheap to check is checked now: kind, zip, encoding, header
                job = job_start(
                    user=request.user,
                    pending=_store_pending(request, data, name, "returns"),
                    step=ImportJob.Step.PREVIEW,
                )
                return redirect("imports:job", token=job.token)
            result = returns_import(data=data, file_name=name, actor=request.user, dry_run=True)
        except ImportRefused as refused:
            problems = refused.problems
        else:
            confirm = ConfirmForm(
                initial={
                    "import_file_name": _store(request, data, name, "returns"),
                    "original_file_name": name,
                    "sha256": result.sha256,
                    "fingerprint": result.fingerprint,
                }
            )
            return render(request, "imports/returns_preview.html", _returns_preview(result, confirm))
    return render(
        request, "imports/upload.html", {**context, "form": form, "problems": problems}, status=400 if problems else 200
    )


@require_POST
def returns_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Import the previewed returns file for real, re-checking access and locks."""
    if not policy.has_import_returns_permission(request.user):
        raise PermissionDenied
    confirm = ConfirmForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, "The confirmation was incomplete; upload the file again.")
        return redirect("imports:returns")
    try:
        pending = _stored_pending(request, confirm, "returns")
        if _stored_size(pending) > settings.IMPORT_BACKGROUND_BYTES:
            job = job_start(
                user=request.user,
                pending=pending,
                step=ImportJob.Step.CONFIRM,
                fingerprint=confirm.cleaned_data["fingerprint"],
            )
            return redirect("imports:job", token=job.token)
        data, name = pending.read_data().getvalue(), pending.file_name
        result = returns_import(
            data=data, file_name=name, actor=request.user, expected_fingerprint=confirm.cleaned_data["fingerprint"]
        )
    except ImportRefused as refused:
        return _refused(request, kind=None, problems=refused.problems, at_confirm=True, status=409)
    return _imported(
        request,
        confirm,
        event="returns_imported",
        fields={
            "file_name": name,
            "sha256": result.sha256,
            "new": result.new,
            "changed": result.changed,
            "returns": result.returns,
        },
        message=f"Imported {name}: {result.new} new, {result.changed} changed and "
        f"{result.unchanged} unchanged values in {result.returns} returns.",
    )


@require_http_methods(["GET", "POST"])
def reference_upload(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Upload a reference file and preview what importing it would do."""
    spec = _kind_or_404(request, kind)
    context = {"title": f"Import {spec.label.lower()}", "kind": spec}
    form = UploadForm(data=request.POST or None, files=request.FILES or None)
    problems = _too_large(request) if request.method == "POST" else None
    if request.method == "POST" and problems is None and form.is_valid():
        try:
            data, name = _read_upload(request, form)
            result = reference_import(kind=kind, data=data, file_name=name, actor=request.user, dry_run=True)
        except ImportRefused as refused:
            problems = refused.problems
        else:
            confirm = ConfirmForm(
                initial={
                    "import_file_name": _store(request, data, name, kind),
                    "original_file_name": name,
                    "sha256": result.sha256,
                    "fingerprint": result.fingerprint,
                }
            )
            return render(
                request, "imports/reference_preview.html", {"result": result, "spec": spec, "confirm": confirm}
            )
    return render(
        request, "imports/upload.html", {**context, "form": form, "problems": problems}, status=400 if problems else 200
    )


@require_POST
def reference_confirm(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Import the previewed reference file for real."""
    spec = _kind_or_404(request, kind)
    confirm = ConfirmForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, "The confirmation was incomplete; upload the file again.")
        return redirect("imports:reference", kind=kind)
    try:
        data, name = _stored(request, confirm, kind)
        result = reference_import(
            kind=kind,
            data=data,
            file_name=name,
            actor=request.user,
            expected_fingerprint=confirm.cleaned_data["fingerprint"],
        )
    except ImportRefused as refused:
        return _refused(request, kind=spec, problems=refused.problems, at_confirm=True, status=409)
    return _imported(
        request,
        confirm,
        event="reference_imported",
        fields={"kind": kind, "file_name": name, "sha256": result.sha256, "new": result.new, "updated": result.updated},
        message=f"Imported {name}: {result.new} new, {result.updated} updated, {result.unchanged} unchanged.",
    )


def _kind_or_404(request: AuthenticatedHttpRequest, kind: str) -> Kind:
    """Return the kind of reference data the URL names, or raise 404 (no such kind) or 403 (not the user's)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404("No such kind of reference data.")
    if not policy.has_import_reference_permission(request.user, kind):
        raise PermissionDenied
    return spec


def _refused(request: HttpRequest, *, kind: Kind | None, problems, at_confirm: bool, status: int) -> HttpResponse:
    """Show the upload page again with why the file was refused (at confirm: the file or the data changed since)."""
    title = f"Import {kind.label.lower()}" if kind is not None else "Import returns"
    context = {"title": title, "kind": kind, "form": UploadForm(), "problems": problems}
    return render(request, "imports/upload.html", {**context, "refused_at_confirm": at_confirm}, status=status)


def _imported(request: HttpRequest, confirm: ConfirmForm, *, event: str, fields: dict, message: str) -> HttpResponse:
    """Finish a confirmed import: drop the stored file, put it on the security record, say what it did."""
    _forget(confirm)
    signals.workflow_event.send(sender=Return, request=request, event=event, fields=fields)
    messages.success(request, message)
    return redirect("imports:index")


@require_http_methods(["GET"])
def import_job(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """A background import's page: progress while it runs (refreshing itself), then its preview or outcome."""
    job = ImportJob.objects.filter(token=token, user=request.user).first()
    if job is None or not policy.has_import_returns_permission(request.user):
        raise Http404("No such import.")
    if not job.finished:
        return render(request, "imports/job.html", {"job": job, "rows": job_progress(job)})
    if job.state != ImportJob.State.DONE:
        return _refused(
            request,
            kind=None,
            problems=problems_from_json(job.problems),
            at_confirm=job.step == ImportJob.Step.CONFIRM,
            status=400 if job.state == ImportJob.State.REFUSED else 500,
        )
    result = result_from_json(job.result or {})
    if job.step == ImportJob.Step.PREVIEW:
        confirm = ConfirmForm(
            initial={
                "import_file_name": job.pending.token if job.pending else "",
                "original_file_name": job.file_name,
                "sha256": result.sha256,
                "fingerprint": result.fingerprint,
            }
        )
        return render(request, "imports/returns_preview.html", _returns_preview(result, confirm))
    return render(request, "imports/job_done.html", {"job": job, "result": result})


@require_http_methods(["GET"])
def returns_export_view(request: HttpRequest) -> HttpResponse:
    """Download the returns data of a range of months the user may see, as CSV or XLSX."""
    if not policy.has_export_returns_permission(request.user):
        raise PermissionDenied
    form = ExportForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return render(request, "imports/export.html", {"form": form}, status=400 if form.is_bound else 200)
    data = form.cleaned_data
    export = returns_export(user=request.user, first=data["first"], last=data["last"], fmt=data["format"])
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


def _returns_preview(result, confirm: ConfirmForm) -> dict:
    """Return the preview's context: the file's effect per month and unit, and the first changes in detail."""
    details, shown = [], 0
    for unit in result.units:
        if not unit.changes or shown >= PREVIEW_CHANGES:
            continue
        changes = unit.changes[: PREVIEW_CHANGES - shown]
        shown += len(changes)
        details.append((unit, changes))
    total_changes = result.new + result.changed
    return {
        "result": result,
        "confirm": confirm,
        "details": details,
        "units": result.units[:PREVIEW_RETURNS],
        "units_cut": result.returns - min(len(result.units), PREVIEW_RETURNS),
        "details_cut": total_changes - shown if total_changes > shown else 0,
        "nothing_to_do": total_changes == 0,
    }
