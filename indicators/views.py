"""Pages of the indicators app."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from indicators import policy, services
from indicators.forms import CommentaryForm
from indicators.models import Commentary, Indicator, check_commentary_month
from lib.months import Month
from teams.http import AuthenticatedHttpRequest


def _commentary_month_or_404(text: str) -> Month:
    try:
        month = Month.parse(text)
    except ValueError:
        raise Http404("There is no such month.") from None
    try:
        check_commentary_month(month, today=timezone.localdate())
    except ValidationError:
        raise Http404("Commentary cannot be written for that month.") from None
    return month


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_http_methods(["GET", "POST"])
def commentary_edit(
    request: AuthenticatedHttpRequest, code: str, month: str, *, context: dict | None = None
) -> HttpResponse:
    """Write or edit an indicator's commentary for a month; every version is kept.

    `context` adds what the writer should see beside the box (the figure, rating, trend and SPC reading:
    scorecard/review.py computes them). `?copy=previous` starts the box from last month's commentary.
    """
    if not policy.has_edit_commentary_permission(request.user):
        raise PermissionDenied
    month = _commentary_month_or_404(month)
    indicator = get_object_or_404(Indicator, code=code, active=True)
    existing = Commentary.objects.filter(indicator=indicator, month=month.first_day).first()
    previous = Commentary.objects.filter(indicator=indicator, month=(month - 1).first_day).first()
    current_version = services.latest_history_id(existing)
    status, conflict = 200, None
    if request.method == "POST":
        form = CommentaryForm(request.POST)
        if form.is_valid():
            try:
                _, changed = services.commentary_save(
                    indicator=indicator,
                    month=month,
                    text=form.cleaned_data["text"],
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except services.CommentaryConflict as exc:
                conflict, status = exc.current, 409
                messages.error(request, str(exc))
                data = request.POST.copy()
                data["version"] = "" if current_version is None else str(current_version)
                form = CommentaryForm(data)
                form.is_valid()
            except services.CommentaryEmpty as exc:
                form.add_error("text", str(exc))
            else:
                if changed:
                    messages.success(request, f"Commentary on “{indicator.short_title}” for {month.long_label} saved.")
                else:
                    messages.info(request, "The commentary had not changed, so nothing was saved.")
                here = reverse("commentary-edit", kwargs={"code": indicator.code, "month": str(month)})
                return redirect(_safe_next(request) or here)
    else:
        text = existing.text if existing else ""
        if request.GET.get("copy") == "previous" and previous is not None:
            text = previous.text
            messages.info(
                request, f"Last month's commentary is in the box: update it for {month.long_label} before saving."
            )
        form = CommentaryForm(initial={"text": text, "version": current_version})
    history = existing.history.select_related("history_user").order_by("-history_id") if existing is not None else []
    return render(
        request,
        "indicators/commentary_form.html",
        {
            "indicator": indicator,
            "month": month,
            "form": form,
            "conflict": conflict,
            "history": history,
            "next": _safe_next(request) or "",
            "previous": previous,
            "previous_month": month - 1,
            **(context or {}),
        },
        status=status,
    )
