"""Pages for returns: a month's completeness grid, one return's form, and the workflow buttons.

Access: a return the user may not see is 404 (its existence and data stay
hidden); one they may see but not change is 403. Refusals by the workflow
(locked, wrong state, stale page, failed checks) come back as messages and
change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from indicators.models import Commentary, Indicator, Measure
from lib.months import Month
from returns import dates, policy, selectors, services, signals, validation
from returns.forms import CompletenessFilterForm, ReturnForm, TransitionForm, unavailable_name
from returns.models import ReportingMonth, Return, Source
from returns.tables import CompletenessTable
from teams.http import AnyUser, AuthenticatedHttpRequest
from teams.models import Area


def month_or_404(text: str) -> Month:
    """Return the month named in a URL, or raise 404 for a malformed, impossible or future one."""
    try:
        month = Month.parse(text)
    except ValueError:
        raise Http404("There is no such month.") from None
    if not dates.is_reportable(month, dates.today()):
        raise Http404("Returns cannot be made for that month.")
    return month


def _visible_unit_or_404(user: AnyUser, code: str) -> selectors.Unit:
    unit = selectors.unit_by_code(code)
    if unit is None or not policy.has_view_return_permission(user, unit.team):
        raise Http404("No such return.")
    return unit


def month_index(request: HttpRequest) -> HttpResponse:
    """Send the user to the month whose returns are being collected now (last month)."""
    return redirect("returns:month", month=str(Month.of(dates.today()) - 1))


def month_returns(request: HttpRequest, month: str) -> HttpResponse:
    """Show every expected return of the month with its state, due date and overdue flag."""
    month = month_or_404(month)
    user = request.user
    if not policy.has_view_completeness_permission(user):
        raise PermissionDenied
    team_ids = policy.visible_team_ids(user)
    rows = selectors.month_completeness(month, today=dates.today(), team_ids=team_ids)
    areas = list(Area.objects.order_by("order", "code").values_list("code", "name"))
    filters = CompletenessFilterForm(request.GET or None, areas=areas, states=list(selectors.STATE_LABELS.items()))
    shown = rows
    if filters.is_bound and filters.is_valid():
        area, state = filters.cleaned_data["area"], filters.cleaned_data["state"]
        if area:
            shown = [row for row in shown if row.area_code == area]
        if state == "overdue":
            shown = [row for row in shown if row.overdue]
        elif state:
            shown = [row for row in shown if row.state == state]
    table = CompletenessTable(shown, month=month)
    RequestConfig(request, paginate=False).configure(table)
    counts = [(label, sum(1 for row in rows if row.state == state)) for state, label in selectors.STATE_LABELS.items()]
    reporting = ReportingMonth.objects.filter(month=month.first_day).select_related("published_by").first()
    all_approved = bool(rows) and all(row.state == Return.State.APPROVED for row in rows)
    can_publish = policy.has_publish_permission(user) and team_ids is None
    return render(request, "returns/month.html", {
        "month": month,
        "previous_month": month - 1 if dates.is_reportable(month - 1, dates.today()) else None,
        "next_month": month + 1 if dates.is_reportable(month + 1, dates.today()) else None,
        "table": table,
        "filters": filters,
        "counts": counts,
        "overdue_count": sum(1 for row in rows if row.overdue),
        "total": len(rows),
        "shown_count": len(shown),
        "due": dates.due_date(month),
        "reporting": reporting,
        "can_publish": can_publish,
        "all_approved": all_approved,
        "commentary": _commentary_status(month) if can_publish else [],
    })


def _commentary_status(month: Month) -> list[tuple[Indicator, bool]]:
    """Return each active indicator and whether it has commentary for the month (two queries)."""
    written = set(Commentary.objects.filter(month=month.first_day).values_list("indicator_id", flat=True))
    return [(indicator, indicator.pk in written)
            for indicator in Indicator.objects.filter(active=True).order_by("number")]


@dataclass
class FieldRow:
    """One measure on the form: its input, reason input, context and checks."""

    measure: Measure
    field: BoundField
    reason: BoundField
    stored: str
    last_month: int | None
    last_year: int | None
    findings: list

    @property
    def has_error(self) -> bool:
        return bool(self.field.errors or self.reason.errors) or any(f.is_error for f in self.findings)


def _field_rows(form: ReturnForm, stored: dict, past: dict, findings: list) -> list[FieldRow]:
    by_field: dict[str, list] = {}
    for finding in findings:
        for code in finding.fields[:1] or ():
            by_field.setdefault(code, []).append(finding)
    rows = []
    for measure in form.measures:
        row = stored.get(measure.code)
        shown = "" if row is None else (f"{row.value:,}" if row.value is not None
                                        else f"Not available: {row.unavailable_reason}")
        months = past.get(measure.code) or [None] * selectors.HISTORY_MONTHS
        if by_field.get(measure.code):
            form.note_findings([measure.code])
        rows.append(FieldRow(measure, form[measure.code], form[unavailable_name(measure.code)], shown,
                             months[-1], months[0], by_field.get(measure.code, [])))
    return rows


def _error_summary(form: ReturnForm, findings: list) -> list[tuple[str, str]]:
    """Return (anchor, message) pairs for the error summary at the top of the form."""
    summary = []
    for name, errors in form.errors.items():
        anchor = f"#id_{name}" if name in form.fields and name not in ("version", "action") else "#return-form"
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            summary.append((anchor, f"{label}: {error}" if label else str(error)))
    for finding in findings:
        anchor = f"#id_{finding.fields[0]}" if finding.fields else "#return-form"
        summary.append((anchor, finding.message))
    return summary


def _stored_findings(unit: selectors.Unit, measures: list, stored: dict, past: dict) -> list:
    if not stored:
        return []
    values = {m.code: (stored[m.code].value if m.code in stored else None) for m in measures}
    return validation.check_return(values, past, labels={m.code: m.name for m in measures})


@require_http_methods(["GET", "POST"])
def return_form(request: HttpRequest, month: str, unit: str) -> HttpResponse:
    """Show one return's values for entry, with context, checks and history; save or submit them."""
    month = month_or_404(month)
    user = request.user
    unit = _visible_unit_or_404(user, unit)
    ret = selectors.return_for(unit, month)
    if ret is None and unit.team is not None and not unit.team.active:
        raise Http404("This team no longer makes returns.")
    measures = selectors.measures_for(unit)
    past = selectors.unit_history(unit, month)
    may_change = policy.has_change_return_permission(user, unit.team)
    status, findings, conflict = 200, [], None

    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        form = ReturnForm(request.POST, measures=measures)
        if form.is_valid() and form.cleaned_data["action"] == "submit" and not policy.has_submit_permission(
                user, unit.team):
            raise PermissionDenied
        if form.is_valid():
            response, status, findings, conflict, form = _save(request, form, unit, month, ret)
            if response is not None:
                return response
        ret = selectors.return_for(unit, month)
    stored = selectors.stored_values(ret)
    if request.method == "GET":
        form = ReturnForm(initial=ReturnForm.initial_from(stored, ret.version if ret else 1,
                                                          ret.comment if ret else ""), measures=measures)
        findings = _stored_findings(unit, measures, stored, past)
    locked = ret is not None and ret.is_locked
    state = ret.state if ret else selectors.NOT_STARTED
    context = {
        "month": month,
        "unit": unit,
        "ret": ret,
        "state": state,
        "state_label": selectors.STATE_LABELS[state],
        "form": form,
        "rows": _field_rows(form, stored, past, findings),
        "findings": findings,
        "errors": [f for f in findings if f.is_error],
        "warnings": [f for f in findings if not f.is_error],
        # After a refused POST the errors are in the error summary already; only warnings repeat here.
        "checks": findings if request.method == "GET" else [f for f in findings if not f.is_error],
        "error_summary": _error_summary(form, [f for f in findings if f.is_error]) if request.method == "POST" else [],
        "conflict": conflict,
        "history": selectors.return_history(ret),
        "editable": may_change and not locked,
        "can_submit": policy.has_submit_permission(user, unit.team) and not locked,
        "can_approve": policy.has_approve_permission(user, unit.team) and state == Return.State.SUBMITTED,
        "can_reopen": policy.has_approve_permission(user, unit.team) and state == Return.State.APPROVED,
        "due": dates.due_date(month),
        "last_month": month - 1,
        "last_year": month - 12,
        "version": ret.version if ret else 1,
    }
    return render(request, "returns/return_form.html", context, status=status)


def _save(request, form: ReturnForm, unit: selectors.Unit, month: Month, ret: Return | None):
    """Save (and perhaps submit) the form; return (redirect or None, status, findings, conflict, form)."""
    user = request.user
    action = form.cleaned_data["action"]
    kwargs = {"values": form.values(), "unavailable": form.unavailable(), "actor": user,
              "expected_version": form.cleaned_data["version"], "comment": form.cleaned_data["comment"].strip()}
    try:
        # Starting the return belongs with the save: a refused save leaves no empty draft behind.
        with transaction.atomic():
            ret = services.return_get_or_create(team=unit.team, month=month)
            if action == "submit":
                result = services.return_save_and_submit(ret=ret, source=Source.FORM, **kwargs)
            else:
                result = services.return_save_values(ret=ret, source=Source.FORM, **kwargs)
    except services.StaleReturn as exc:
        messages.error(request, exc.message)
        # The person now sees what changed; saving again is a deliberate choice over the new version.
        data = request.POST.copy()
        data["version"] = str(exc.current_version)
        fresh = ReturnForm(data, measures=form.measures)
        fresh.is_valid()
        return None, 409, [], exc.changes, fresh
    except services.SubmissionRefused as exc:
        messages.error(request, exc.message)
        return None, 200, exc.findings, None, form
    except (services.ReturnLocked, services.InvalidTransition) as exc:
        messages.error(request, exc.message)
        return None, 409, [], None, form
    except services.ReturnError as exc:
        messages.error(request, exc.message)
        return None, 400, [], None, form
    if action == "submit":
        signals.workflow_event.send(sender=Return, request=request, event="return_submitted", fields={
            "return_id": ret.pk, "unit": unit.code, "month": str(month), "reason": kwargs["comment"]})
        messages.success(request, f"The {unit.code} return for {month.long_label} is submitted.")
    elif result.changed:
        note = " It is back in draft: submit it again when ready." if result.back_to_draft else ""
        count = len(result.changed)
        messages.success(request, f"Saved {count} change{'s' if count != 1 else ''} as a draft.{note}")
    else:
        messages.info(request, "Nothing had changed, so nothing was saved.")
    return redirect(reverse("returns:form", kwargs={"month": str(month), "unit": unit.code})), 302, [], None, form


EVENTS = {"submit": "return_submitted", "approve": "return_approved", "reject": "return_rejected",
          "reopen": "return_reopened"}

TRANSITIONS = {
    "submit": (policy.has_submit_permission, "submitted"),
    "approve": (policy.has_approve_permission, "approved"),
    "reject": (policy.has_approve_permission, "sent back to draft"),
    "reopen": (policy.has_approve_permission, "reopened"),
}


@require_POST
def return_transition(request: AuthenticatedHttpRequest, month: str, unit: str, action: str) -> HttpResponse:
    """Submit, approve, reject (with a reason) or reopen (with a reason) a return."""
    month = month_or_404(month)
    user = request.user
    unit = _visible_unit_or_404(user, unit)
    allowed, done = TRANSITIONS[action]
    if not allowed(user, unit.team):
        raise PermissionDenied
    back = redirect(reverse("returns:form", kwargs={"month": str(month), "unit": unit.code}))
    ret = selectors.return_for(unit, month)
    if ret is None:
        messages.error(request, f"The {unit.code} return for {month.long_label} has not been started yet.")
        return back
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return back
    data = form.cleaned_data
    try:
        if action == "submit":
            services.return_submit(ret=ret, actor=user, comment=data["comment"] or None,
                                   expected_version=data["version"])
        elif action == "approve":
            services.return_approve(ret=ret, actor=user, expected_version=data["version"])
        elif action == "reject":
            services.return_reject(ret=ret, actor=user, reason=data["reason"], expected_version=data["version"])
        else:
            services.return_reopen(ret=ret, actor=user, reason=data["reason"], expected_version=data["version"])
    except services.SubmissionRefused as exc:
        messages.error(request, exc.message)
        for finding in exc.findings:
            messages.warning(request, finding.message)
        return back
    except services.StaleReturn as exc:
        messages.error(request, exc.message)
        for change in exc.changes:
            messages.info(request, f"{change.actor}: {change.description}")
        return back
    except services.ReturnError as exc:
        messages.error(request, exc.message)
        return back
    signals.workflow_event.send(sender=Return, request=request, event=EVENTS[action], fields={
        "return_id": ret.pk, "unit": unit.code, "month": str(month), "reason": data["reason"] or data["comment"]})
    messages.success(request, f"The {unit.code} return for {month.long_label} is {done}.")
    return back
