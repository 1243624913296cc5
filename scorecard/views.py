"""The home page, the scorecard page, an indicator's page and the scorecard as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from indicators import policy as indicator_policy
from indicators import services as indicator_services
from indicators import spc
from indicators.models import ChangePoint, DismissedChangePoint, Indicator
from lib.months import Month
from lib.numbers import format_number
from lib.vocab import Rating, Side, SpcRule, Trend, movement, trend_label
from returns.policy import has_view_scorecard_permission
from scorecard import exports, policy, snapshots
from scorecard.charts import chart_axis, segment_lines, series_title
from scorecard.services import (
    CACHE_SECONDS,
    PUBLISHED,
    Panel,
    Restatement,
    Scorecard,
    get_scorecard,
    month_status,
    visible_months,
)
from scorecard.tables import HistoryTable, PanelTable
from teams.http import AuthenticatedHttpRequest


def viewable_status(request: HttpRequest, month: Month) -> str:
    """Return the month's status, or 404 where it has no scorecard or the user may not see it."""
    status = month_status(month)
    # One answer for "no such month" and "not yours to see", so a draft's existence is not given away.
    if status is None or not has_view_scorecard_permission(request.user, published=status == PUBLISHED):
        raise Http404("No scorecard for that month.")
    return status


def _viewable_scorecard(request: HttpRequest, month: Month, version: int | None = None) -> Scorecard:
    """Return the month's scorecard (a published version), or 404 where there is none or the user may not see it."""
    status = viewable_status(request, month)
    if version is not None and status != PUBLISHED:
        raise Http404("That month has no published versions.")
    try:
        return get_scorecard(month, status, version=version)
    except snapshots.ScorecardSnapshot.DoesNotExist:
        raise Http404("No such version of that month.") from None


def scorecard_latest(request: HttpRequest) -> HttpResponse:
    """Send the user to the month they asked for, or to the latest month they may see."""
    months = visible_months(request.user)
    wanted = request.GET.get("month")
    if wanted:
        try:
            month = Month.parse(wanted)
        except ValueError:
            raise Http404("That is not a month.") from None
        return redirect("scorecard-month", month=month)
    published = [m for m, status in months if status == PUBLISHED]
    if not published:
        return render(request, "scorecard/none.html", {"months": months})
    return redirect("scorecard-month", month=published[-1])


def scorecard_month(request: HttpRequest, month: Month, version: int | None = None) -> HttpResponse:
    """Show a month's scorecard (a published version, by default the latest): every panel, rating and commentary."""
    status = viewable_status(request, month)
    ref = None
    if status == PUBLISHED:
        ref = snapshots.snapshot_ref(month, version)
        if ref is None:
            raise Http404("No such version of that month.")
    elif version is not None:
        raise Http404("That month has no published versions.")
    can_edit_commentary = indicator_policy.has_edit_commentary_permission(request.user)
    page = _month_page(month, status, can_edit_commentary=can_edit_commentary, ref=ref)
    months = [m for m, _ in visible_months(request.user)]
    position = months.index(month) if month in months else None
    may_restate = status == PUBLISHED and policy.has_restate_permission(request.user)
    corrections = (
        snapshots.published_corrections(at_most=settings.CORRECTIONS_MONTHS_PER_VIEW)
        if may_restate
        else snapshots.Corrections([])
    )
    differences = corrections.differences
    return render(
        request,
        "scorecard/month.html",
        {
            "scorecard": page,
            "panels_html": mark_safe(page.panels_html),  # our own template's output, cached
            "summary": page.summary,
            "chart_data": page.chart_data,
            "months": months,
            "previous_month": months[position - 1] if position else None,
            "next_month": months[position + 1] if position is not None and position + 1 < len(months) else None,
            "downloads": _downloads(month, page.version if page.version != page.latest_version else None),
            "may_restate": may_restate,
            # The performance team sees which published months approved data would now change, and by how much.
            "differences": differences,
            "differing_months": {d.month for d in differences},  # the restate form says whether this one still matches
            "unchecked": corrections.unchecked,  # published months left for a later view
            "months_per_view": settings.CORRECTIONS_MONTHS_PER_VIEW,
            "versions": snapshots.versions(month) if may_restate or page.latest_version > 1 else [],
        },
    )


def _downloads(month: Month, version: int | None) -> list[tuple[str, str]]:
    if version is not None:
        return [("JSON", reverse("scorecard-version-json", kwargs={"month": month, "version": version}))]
    return [
        (fmt.upper(), reverse("scorecard-download", kwargs={"month": month, "fmt": fmt}))
        for fmt in ("pdf", "xlsx", "csv", "json")
    ]


@dataclass(frozen=True)
class MonthPage:
    """What the month's page shows, ready to render: the header, the summary, chart data and the panels' HTML."""

    month: Month
    status: str
    council: str
    comparator_periods: list[str]
    summary: dict
    chart_data: dict
    panels_html: str
    version: int = 0
    latest_version: int = 0
    restatements: tuple[Restatement, ...] = ()
    unapproved: tuple[str, ...] = ()


def _month_page(
    month: Month, status: str, *, can_edit_commentary: bool, ref: snapshots.SnapshotRef | None = None
) -> MonthPage:
    """Return the month's page; a published version's is cached whole under its snapshot's id.

    Rendering the panel tables, and even decoding the whole snapshot, cost far
    more than reading this one small object; every reader sees the same page
    but for the commentary links. A snapshot never changes, so neither does its page.
    """

    def build() -> MonthPage:
        scorecard = (
            get_scorecard(month, status)
            if ref is None
            else snapshots.published_scorecard(month, version=ref.version, latest_version=ref.latest)
        )
        panels_html = render_to_string(
            "scorecard/_panels.html",
            {
                "scorecard": scorecard,
                "can_edit_commentary": can_edit_commentary,
                "panels": [_panel_context(panel, scorecard) for panel in scorecard.panels],
            },
        )
        return MonthPage(
            month=month,
            status=status,
            council=scorecard.council,
            comparator_periods=scorecard.comparator_periods,
            summary=_summary(scorecard),
            chart_data={
                panel.spec.code: _chart(panel, panel.chart_history, with_limits=True) for panel in scorecard.panels
            },
            panels_html=str(panels_html),
            version=scorecard.version,
            latest_version=scorecard.latest_version,
            restatements=scorecard.restatements,
            unapproved=scorecard.unapproved,
        )

    if ref is None:
        return build()
    key = f"scorecard-page:v3:{ref.pk}:{ref.latest}:{int(can_edit_commentary)}"
    return cast(MonthPage, cache.get_or_set(key, build, CACHE_SECONDS))


@require_POST
def scorecard_restate(request: HttpRequest, month: Month) -> HttpResponse:
    """Publish the next version of a published month from today's approved values, with the reason given."""
    if not policy.has_restate_permission(request.user):
        raise PermissionDenied
    try:
        snapshot = snapshots.month_restate(
            month=month, actor=request.user, reason=request.POST.get("reason", ""), request=request
        )
    except snapshots.SnapshotRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{month.long_label} is restated as version {snapshot.version}: "
            "leaders now see it, with what changed and why.",
        )
    return redirect("scorecard-month", month=month)


def scorecard_version_json(request: HttpRequest, month: Month, version: int) -> JsonResponse:
    """Return a published version of the month in the contract's JSON shape."""
    return JsonResponse(
        exports.scorecard_dict(_viewable_scorecard(request, month, version)), json_dumps_params={"ensure_ascii": False}
    )


def provenance(request: HttpRequest, month: Month, code: str) -> HttpResponse:
    """Show where a published figure came from: the approved returns, who approved them and when, the files."""
    version = request.GET.get("version")
    scorecard = _viewable_scorecard(request, month, int(version) if version and version.isdigit() else None)
    if scorecard.is_provisional:
        raise Http404("Only published figures have a fixed source.")
    panel = next((p for p in scorecard.panels if p.spec.code == code), None)
    if panel is None:
        raise Http404("No such indicator.")
    return render(
        request,
        "scorecard/provenance.html",
        {
            "scorecard": scorecard,
            "panel": panel,
            "sources": snapshots.figure_sources(scorecard, panel),
        },
    )


def scorecard_json(request: HttpRequest, month: Month) -> HttpResponse:
    """Return the month's scorecard in the contract's JSON shape; a published version's is cached by its snapshot."""
    status = viewable_status(request, month)
    if status != PUBLISHED:
        return JsonResponse(
            exports.scorecard_dict(get_scorecard(month, status)), json_dumps_params={"ensure_ascii": False}
        )
    ref = snapshots.snapshot_ref(month)
    if ref is None:
        raise Http404("No published version of that month.")
    body = cache.get_or_set(
        f"scorecard-json:v1:{ref.pk}",
        lambda: json.dumps(
            exports.scorecard_dict(snapshots.published_scorecard(month, latest_version=ref.latest)),
            ensure_ascii=False,
            cls=DjangoJSONEncoder,
        ),
        CACHE_SECONDS,
    )
    return HttpResponse(body, content_type="application/json")


def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show one indicator's whole history, definition, targets and comparators."""
    months = visible_months(request.user)
    if not months:
        raise Http404("No scorecard to show.")
    month = Month.parse(request.GET["month"]) if _is_month(request.GET.get("month")) else months[-1][0]
    version = request.GET.get("version", "")
    scorecard = _viewable_scorecard(request, month, int(version) if version.isdigit() else None)
    panel = next((p for p in scorecard.panels if p.spec.code == code), None)
    if panel is None:
        raise Http404("No such indicator.")
    recorded = list(ChangePoint.objects.filter(indicator__code=code).select_related("created_by"))
    # A published month shows the change points frozen with it; later ones apply when it is restated.
    in_reading = set(panel.spec.change_points)
    return render(
        request,
        "scorecard/indicator.html",
        {
            "scorecard": scorecard,
            "panel": _panel_context(panel, scorecard),
            "history_table": _history_table(panel),
            "chart_data": {code: _chart(panel, panel.history), f"{code}:xmr": _xmr(panel)},
            "targets": panel.spec.targets,
            "target_rows": [
                {
                    "from": t.effective_from.long_label,
                    "value": _format(t.value, panel.spec),
                    "tolerance": _format(t.tolerance, panel.spec),
                }
                for t in sorted(panel.spec.targets, key=lambda t: t.effective_from)
            ],
            "window_label": panel.spec.window.label,
            "polarity_label": panel.spec.polarity.label,
            "xmr": _xmr(panel),
            "xmr_rows": _xmr_rows(panel),
            "change_points": [(cp, Month.of(cp.month) in in_reading) for cp in recorded],
            "suggestion": _suggestion(panel, code, recorded={Month.of(cp.month) for cp in recorded}),
            "baseline_special_causes": _baseline_special_causes(panel),
            "can_dismiss_change_point": indicator_policy.has_dismiss_change_point_permission(request.user),
            "can_add_change_point": indicator_policy.has_add_change_point_permission(request.user),
            "min_points": spc.MIN_POINTS,
            "can_remove_change_point": indicator_policy.has_remove_change_point_permission(request.user),
        },
    )


def _history_table(panel: Panel) -> HistoryTable:
    """Return the indicator's whole history as a table, named after the series it holds."""
    table = HistoryTable(
        panel.history, precision=panel.spec.precision, unit=panel.spec.unit, series=series_title(panel.spec)
    )
    table.caption = f"{series_title(panel.spec)}: monthly history"
    return table


def _suggestion(panel: Panel, code: str, *, recorded: set[Month]) -> dict | None:
    """Return the change point the chart suggests, unless the performance team accepted or dismissed it."""
    result = panel.spc
    suggestion = result.suggestion if result else None
    if (
        suggestion is None
        or suggestion.month in recorded
        or DismissedChangePoint.objects.filter(indicator__code=code, month=suggestion.month.first_day).exists()
    ):
        return None
    spec, limits = panel.spec, suggestion.limits
    return {
        "month": suggestion.month,
        "run": suggestion.run,
        "points": suggestion.points,
        "side": "above" if suggestion.side == Side.HIGH else "below",
        "centre": _format(limits.centre, spec) if limits else None,
        "lower": _format(limits.lower, spec) if limits else None,
        "upper": _format(limits.upper, spec) if limits else None,
        "current_centre": _format(result.limits.centre, spec) if result and result.limits else None,
        "min_points": result.options.min_points if result else spc.MIN_POINTS,
    }


def _baseline_special_causes(panel: Panel) -> list[str]:
    """Return the months the current limits rest on that show special cause themselves."""
    return [month.label for month in panel.spc.baseline_special_causes] if panel.spc else []


def _flag_words(point: spc.SpcPoint) -> str:
    """Return a point's special-cause flags in words, e.g. 'part of a shift (low)'."""
    words = []
    for flag in point.rules:
        rule, _, side = flag.rpartition("_")
        words.append(f"{SpcRule(rule).label} ({side})")
    return "; ".join(words)


def _xmr(panel: Panel) -> dict | None:
    """Return the XmR chart's data for static/js/scorecard-charts.js, or None without enough data."""
    result = panel.spc
    if result is None or not result.enough_data:
        return None
    points = result.points
    return {
        "kind": "xmr",
        "title": panel.spec.short_title,
        "unit": panel.spec.unit,
        "precision": panel.spec.precision,
        "labels": [p.month.label for p in points],
        "values": [p.value for p in points],
        "centre": [p.centre for p in points],
        "upper": [p.upper for p in points],
        "lower": [p.lower for p in points],
        "upper_near": [p.upper_near for p in points],
        "lower_near": [p.lower_near for p in points],
        "variation": [spc.point_variation(p, result.polarity) if p.value is not None else None for p in points],
        "change_points": [m.label for m in result.change_points],
        "target": result.target,
    }


def _xmr_rows(panel: Panel) -> list[dict]:
    """Return the XmR chart as rows for its table alternative."""
    if panel.spc is None or not panel.spc.enough_data:
        return []
    spec = panel.spec
    change_points = set(panel.spc.change_points)
    return [
        {
            "month": p.month.label,
            "value": _format(p.value, spec),
            "centre": _format(p.centre, spec),
            "lower": _format(p.lower, spec),
            "upper": _format(p.upper, spec),
            "flags": _flag_words(p),
            "change_point": p.month in change_points,
        }
        for p in panel.spc.points
    ]


def _on_posted_month(
    request: HttpRequest, code: str, *, month_name: str, act: Callable[[Indicator, Month], str]
) -> HttpResponse:
    """Run `act` on the indicator and the posted month and show the sentence it returns; refusals become messages."""
    indicator = get_object_or_404(Indicator, code=code)
    try:
        month = Month.parse(request.POST.get("month", ""))
    except ValueError:
        messages.error(request, f"Give the {month_name} as YYYY-MM, e.g. 2016-11.")
        return redirect("indicator-detail", code=code)
    try:
        done = act(indicator, month)
    except ValidationError as error:
        messages.error(request, " ".join(" ".join(m) for m in error.message_dict.values()))
    else:
        messages.success(request, done)
    return redirect("indicator-detail", code=code)


@require_POST
def change_point_add(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Record a change point on an indicator (performance team); a bad month or reason changes nothing."""
    if not indicator_policy.has_add_change_point_permission(request.user):
        raise PermissionDenied

    def record(indicator: Indicator, month: Month) -> str:
        indicator_services.change_point_add(
            indicator=indicator, month=month, reason=request.POST.get("reason", ""), actor=request.user
        )
        return f"Change point recorded from {month.long_label}: the SPC limits start afresh there."

    return _on_posted_month(request, code, month_name="change point's month", act=record)


@require_POST
def change_point_remove(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    """Remove a change point (performance team); its history keeps the record."""
    if not indicator_policy.has_remove_change_point_permission(request.user):
        raise PermissionDenied
    change_point = get_object_or_404(ChangePoint, pk=pk, indicator__code=code)
    indicator_services.change_point_remove(change_point=change_point, actor=request.user)
    messages.success(request, f"Change point of {change_point.month:%B %Y} removed.")
    return redirect("indicator-detail", code=code)


@require_POST
def change_point_dismiss(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Dismiss a suggested change point (performance team): the page stops suggesting that month."""
    if not indicator_policy.has_dismiss_change_point_permission(request.user):
        raise PermissionDenied

    def dismiss(indicator: Indicator, month: Month) -> str:
        indicator_services.change_point_dismiss(indicator=indicator, month=month, actor=request.user)
        return f"Suggested change point of {month.long_label} dismissed: the limits stay as they are."

    return _on_posted_month(request, code, month_name="suggested month", act=dismiss)


def _is_month(text: str | None) -> bool:
    try:
        Month.parse(text or "")
    except ValueError:
        return False
    return True


def _panel_context(panel: Panel, scorecard: Scorecard) -> dict:
    """Return what a panel's template shows, formatted once here."""
    result, spec = panel.result, panel.spec
    table = PanelTable(
        result.lines,
        baseline_label=result.baseline_label,
        month_label=scorecard.month.label,
        areas=scorecard.areas if spec.breakdown != "none" else (),
    )
    table.caption = f"{spec.short_title}: figures for {scorecard.month.long_label}"
    table.caption_class = "visually-hidden"
    history = HistoryTable(panel.chart_history, precision=spec.precision, unit=spec.unit, series=series_title(spec))
    history.caption = f"{series_title(spec)}: monthly history"
    return {
        "panel": panel,
        "spec": spec,
        "result": result,
        "table": table,
        "history_table": history,
        "rating_label": result.rating.label,
        "trend_arrow": movement(result.trend, spec.polarity).arrow,
        "trend_label": trend_label(result.trend),
        "target_text": _format(result.target.value, spec) if result.target else None,
        "comparators": [
            {
                "kind": c.kind.label,
                "value": format_number(c.value, 0 if c.line else spec.precision, unit="count" if c.line else spec.unit),
                "line": next((line.label for line in result.lines if line.code == c.line), ""),
                "period": c.period,
                "source": c.source,
            }
            for c in result.comparators
        ],
        "chart_summary": _chart_summary(panel),
        "series_title": series_title(spec),
        "spc_sentence": panel.spc.full_sentence if panel.spc else "",
        **_spc_labels(panel),
    }


def _spc_labels(panel: Panel) -> dict:
    """Return the SPC variation and assurance icons and words ("not enough data for limits" on a run chart)."""
    if panel.spc is None:
        return {}
    variation, assurance = panel.spc.variation, panel.spc.assurance
    return {
        "variation_icon": variation.icon,
        "variation_label": variation.label,
        "assurance_icon": assurance.icon if assurance else "",
        "assurance_label": assurance.label if assurance else "",
    }


def _format(value, spec) -> str:
    return format_number(value, spec.precision, unit=spec.unit)


def _chart_summary(panel: Panel) -> str:
    """Return a sentence a screen reader hears for the chart."""
    points = [(p, p.value.value) for p in panel.chart_history if p.value.value is not None]
    if not points:
        return f"{series_title(panel.spec)}: no data to chart."
    first, last = points[0][0], points[-1][0]
    low = min(points, key=lambda pair: pair[1])[0]
    high = max(points, key=lambda pair: pair[1])[0]
    text = (
        f"{series_title(panel.spec)} from {first.month.label} to {last.month.label}: "
        f"{_format(first.value.value, panel.spec)} to {_format(last.value.value, panel.spec)}, "
        f"lowest {_format(low.value.value, panel.spec)} ({low.month.label}), "
        f"highest {_format(high.value.value, panel.spec)} ({high.month.label})."
    )
    limits = panel.spc.limits if panel.spc else None
    if panel.spc is not None and limits is not None:
        text += (
            f" Usual range {panel.spc.period}: average {_format(limits.centre, panel.spec)}, "
            f"process limits {_format(limits.lower, panel.spec)} to {_format(limits.upper, panel.spec)}."
        )
    return text


def _chart(panel: Panel, history, *, with_limits: bool = False) -> dict:
    """Return the chart's data for static/js/scorecard-charts.js (serialised once, with json_script)."""
    spec = panel.spec
    data = {
        "title": series_title(spec),
        "unit": spec.unit,
        "precision": spec.precision,
        "labels": [point.month.label for point in history],
        "values": [exports.number(point.value.value) for point in history],
        "targets": [exports.number(point.target) for point in history],
        "comparators": [
            {
                "label": f"{c.kind.label} ({c.period})",
                "value": exports.number(c.value),
            }
            for c in panel.result.comparators
            if not c.line
        ],
    }
    if with_limits:
        # The panel's chart: the current segment's average and limits, and the y axis the PDF uses too.
        data.update(segment_lines(panel))
        data["limits_period"] = panel.spc.period if panel.spc and panel.spc.limits else ""
        axis = chart_axis(panel)
        if axis is not None:
            data["y_min"], data["y_max"], data["y_step"] = axis
    return data


def _summary(scorecard: Scorecard) -> dict:
    """Return the strip at the top: counts by rating and what moved the wrong way."""
    counts = dict.fromkeys(Rating, 0)
    for panel in scorecard.panels:
        counts[panel.result.rating] += 1
    return {
        "counts": [(rating, rating.label, counts[rating]) for rating in Rating],
        "declining": [panel.spec for panel in scorecard.panels if panel.result.trend == Trend.DECLINING],
    }
