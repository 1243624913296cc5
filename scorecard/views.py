"""The home page, the scorecard page, an indicator's page and the scorecard as JSON."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lib.months import Month
from lib.numbers import format_number
from returns.policy import has_view_scorecard_permission
from scorecard import exports, roles
from scorecard.services import PUBLISHED, Panel, Scorecard, get_scorecard, month_status, visible_months
from scorecard.tables import HistoryTable, PanelTable

RATING_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "none": "No target"}
# Making Data Count's readings, in words (the page never relies on the icon's colour).
VARIATION_LABELS = {
    "common_cause": ("~", "Common cause variation"),
    "improvement_high": ("H", "Special cause improvement (high)"),
    "improvement_low": ("L", "Special cause improvement (low)"),
    "concern_high": ("H", "Special cause concern (high)"),
    "concern_low": ("L", "Special cause concern (low)"),
    "neither_high": ("H", "Special cause variation (high)"),
    "neither_low": ("L", "Special cause variation (low)"),
}
ASSURANCE_LABELS = {"pass": ("P", "Consistently passes the target"), "fail": ("F", "Consistently fails the target"),
                    "hit_and_miss": ("?", "Hit and miss against the target")}
WINDOW_LABELS = {"month": "Events in the month", "snapshot": "Snapshot at month end",
                 "rolling_12": "Rolling 12 months", "rolling_36": "Rolling 36 months"}
POLARITY_LABELS = {"higher": "Higher is better", "lower": "Lower is better", "neither": "Neither (a context measure)"}
TREND_LABELS = {"improving": ("▲", "Improving"), "declining": ("▼", "Declining"), "stable": ("►", "Stable"),
                "up": ("▲", "Up"), "down": ("▼", "Down"), None: ("–", "No trend")}


def home(request: HttpRequest) -> HttpResponse:
    """Show each role the places it works."""
    groups = set(request.user.groups.values_list("name", flat=True))
    return render(request, "home.html", {
        "is_performance": roles.PERFORMANCE in groups,
        "is_data_entry": roles.DATA_ENTRY in groups,
        "is_leader": roles.LEADERS in groups,
        "is_admin": request.user.is_staff,
    })


def _viewable_scorecard(request: HttpRequest, month: Month) -> Scorecard:
    """Return the month's scorecard, or 404 where it does not exist or the user may not see it."""
    status = month_status(month)
    if status is None or not has_view_scorecard_permission(request.user, published=status == PUBLISHED):
        raise Http404("No scorecard for that month.")
    return get_scorecard(month, status)


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


def scorecard_month(request: HttpRequest, month: Month) -> HttpResponse:
    """Show a month's scorecard: every panel with its table, chart, ratings and commentary."""
    scorecard = _viewable_scorecard(request, month)
    months = [m for m, _ in visible_months(request.user)]
    position = months.index(month) if month in months else None
    panels = [_panel_context(panel, scorecard) for panel in scorecard.panels]
    return render(request, "scorecard/month.html", {
        "scorecard": scorecard,
        "panels": panels,
        "summary": _summary(panels),
        "months": months,
        "previous_month": months[position - 1] if position else None,
        "next_month": months[position + 1] if position is not None and position + 1 < len(months) else None,
        "chart_data": {panel.spec.code: _chart(panel, panel.chart_history) for panel in scorecard.panels},
        "can_edit_commentary": request.user.has_perm("indicators.change_commentary"),
        "downloads": [(fmt.upper(), reverse("scorecard-download", kwargs={"month": month, "fmt": fmt}))
                      for fmt in ("pdf", "xlsx", "csv", "json")],
    })


def scorecard_json(request: HttpRequest, month: Month) -> JsonResponse:
    """Return the month's scorecard in the contract's JSON shape."""
    return JsonResponse(exports.scorecard_dict(_viewable_scorecard(request, month)),
                        json_dumps_params={"ensure_ascii": False})


def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show one indicator's whole history, definition, targets and comparators."""
    months = visible_months(request.user)
    if not months:
        raise Http404("No scorecard to show.")
    month = Month.parse(request.GET["month"]) if _is_month(request.GET.get("month")) else months[-1][0]
    scorecard = _viewable_scorecard(request, month)
    panel = next((p for p in scorecard.panels if p.spec.code == code), None)
    if panel is None:
        raise Http404("No such indicator.")
    return render(request, "scorecard/indicator.html", {
        "scorecard": scorecard,
        "panel": _panel_context(panel, scorecard),
        "history_table": HistoryTable(panel.history, precision=panel.spec.precision, unit=panel.spec.unit),
        "chart_data": {code: _chart(panel, panel.history)},
        "targets": panel.spec.targets,
        "target_rows": [
            {"from": t.effective_from.long_label, "value": _format(t.value, panel.spec),
             "tolerance": _format(t.tolerance, panel.spec)}
            for t in sorted(panel.spec.targets, key=lambda t: t.effective_from)
        ],
        "window_label": WINDOW_LABELS.get(panel.spec.window, panel.spec.window),
        "polarity_label": POLARITY_LABELS.get(panel.spec.polarity, panel.spec.polarity),
    })


def _is_month(text: str | None) -> bool:
    try:
        Month.parse(text or "")
    except ValueError:
        return False
    return True


def _panel_context(panel: Panel, scorecard: Scorecard) -> dict:
    """Return what a panel's template shows, formatted once here."""
    result, spec = panel.result, panel.spec
    arrow, trend_label = TREND_LABELS[result.trend]
    table = PanelTable(result.lines, baseline_label=result.baseline_label, month_label=scorecard.month.label,
                       areas=scorecard.areas if spec.breakdown != "none" else ())
    table.caption = f"{spec.short_title}: figures for {scorecard.month.long_label}"
    table.caption_class = "visually-hidden"
    history = HistoryTable(panel.chart_history, precision=spec.precision, unit=spec.unit)
    history.caption = f"{spec.short_title}: monthly history"
    return {
        "panel": panel,
        "spec": spec,
        "result": result,
        "table": table,
        "history_table": history,
        "rating_label": RATING_LABELS[result.rating],
        "trend_arrow": arrow,
        "trend_label": trend_label,
        "target_text": _format(result.target.value, spec) if result.target else None,
        "comparators": [
            {"kind": "National average" if c.kind == "national" else "Statistical neighbours",
             "value": format_number(c.value, 0 if c.line else spec.precision, unit="count" if c.line else spec.unit),
             "line": next((line.label for line in result.lines if line.code == c.line), ""),
             "period": c.period, "source": c.source}
            for c in result.comparators
        ],
        "chart_summary": _chart_summary(panel),
        **_spc_labels(panel),
    }


def _spc_labels(panel: Panel) -> dict:
    """Return the SPC variation and assurance icons and words, where there was enough data."""
    if panel.spc is None or not panel.spc.enough_data:
        return {}
    variation_icon, variation_label = VARIATION_LABELS.get(panel.spc.variation, ("", ""))
    assurance_icon, assurance_label = ASSURANCE_LABELS.get(panel.spc.assurance, ("", ""))
    return {"variation_icon": variation_icon, "variation_label": variation_label,
            "assurance_icon": assurance_icon, "assurance_label": assurance_label}


def _format(value, spec) -> str:
    return format_number(value, spec.precision, unit=spec.unit)


def _chart_summary(panel: Panel) -> str:
    """Return a sentence a screen reader hears for the chart."""
    points = [p for p in panel.chart_history if p.value.value is not None]
    if not points:
        return f"{panel.spec.short_title}: no data to chart."
    first, last = points[0], points[-1]
    low = min(points, key=lambda p: p.value.value)
    high = max(points, key=lambda p: p.value.value)
    return (f"{panel.spec.short_title} from {first.month.label} to {last.month.label}: "
            f"{_format(first.value.value, panel.spec)} to {_format(last.value.value, panel.spec)}, "
            f"lowest {_format(low.value.value, panel.spec)} ({low.month.label}), "
            f"highest {_format(high.value.value, panel.spec)} ({high.month.label}).")


def _chart(panel: Panel, history) -> dict:
    """Return the chart's data for static/js/scorecard-charts.js (serialised once, with json_script)."""
    spec = panel.spec
    return {
        "title": spec.short_title,
        "unit": spec.unit,
        "precision": spec.precision,
        "labels": [point.month.label for point in history],
        "values": [exports.number(point.value.value) for point in history],
        "targets": [exports.number(point.target) for point in history],
        "comparators": [
            {"label": f"{'National' if c.kind == 'national' else 'Statistical neighbours'} ({c.period})",
             "value": exports.number(c.value)}
            for c in panel.result.comparators if not c.line
        ],
    }


def _summary(panels: list[dict]) -> dict:
    """Return the strip at the top: counts by rating and what moved the wrong way."""
    counts = {key: 0 for key in RATING_LABELS}
    for panel in panels:
        counts[panel["result"].rating] += 1
    return {
        "counts": [(key, RATING_LABELS[key], counts[key]) for key in RATING_LABELS],
        "declining": [panel["spec"] for panel in panels if panel["result"].trend == "declining"],
    }
