"""Pages for returns: a month's completeness grid, one return's form, and the workflow buttons.

Access: a return the user may not see is 404 (its existence and data stay
hidden); one they may see but not change is 403. Refusals by the workflow
(locked, wrong state, stale page, failed checks) come back as messages and
change nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from lib.vocab import NEEDS_COMMENTARY
from returns import dates, entry_templates, notifications, policy, selectors, services, signals, tasks, validation
from returns.forms import (
    NOT_AVAILABLE_WORDS,
    CompletenessFilterForm,
    ReturnForm,
    TransitionForm,
    explanations_from,
    unavailable_name,
)
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
    """Send the user to the month picked (?month=YYYY-MM), else the most recent month with a return they may see."""
    if not policy.has_view_completeness_permission(request.user):
        raise PermissionDenied  # here, not after a redirect to a month page that would refuse them
    wanted = request.GET.get("month")
    if wanted is not None:
        return redirect("returns:month", month=str(month_or_404(wanted)))
    team_ids = policy.visible_team_ids(request.user)
    return redirect("returns:month", month=str(tasks.latest_active_month(dates.today(), team_ids=team_ids)))


def month_returns(
    request: HttpRequest, month: str, *, ratings: Mapping[str, tuple[str, str]] | None = None
) -> HttpResponse:
    """Show every expected return of the month with its state, due date and overdue flag.

    `ratings` maps indicator codes to (rating, label) for the commentary list; scorecard's wrapper
    (scorecard/review.py) passes them, since returns may not compute the scorecard.
    """
    month = month_or_404(month)
    user = request.user
    if not policy.has_view_completeness_permission(user):
        raise PermissionDenied
    team_ids = policy.visible_team_ids(user)
    due = dates.due_date(month)
    rows = tasks.with_returned(selectors.month_completeness(month, today=dates.today(), team_ids=team_ids, due=due))
    areas = list(Area.objects.order_by("order", "code").values_list("code", "name"))
    filters = CompletenessFilterForm(request.GET or None, areas=areas, states=list(tasks.STATE_LABELS.items()))
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
    counts = [(label, sum(1 for row in rows if row.state == state)) for state, label in tasks.STATE_LABELS.items()]
    reporting = ReportingMonth.objects.filter(month=month.first_day).select_related("published_by").first()
    all_approved = bool(rows) and all(row.state == Return.State.APPROVED for row in rows)
    can_publish = policy.has_publish_permission(user) and team_ids is None
    # The scorecard link only where the month has one this user may see (a published month, or one with returns).
    published = reporting is not None and reporting.is_published
    has_scorecard = policy.has_view_scorecard_permission(user, published=published) and (
        published
        or (
            any(row.ret is not None for row in rows)
            if team_ids is None
            else Return.objects.filter(month=month.first_day).exists()
        )
    )
    return render(
        request,
        "returns/month.html",
        {
            "month": month,
            "picker_months": tasks.picker_months(dates.today(), team_ids=team_ids),
            "previous_month": month - 1 if dates.is_reportable(month - 1, dates.today()) else None,
            "next_month": month + 1 if dates.is_reportable(month + 1, dates.today()) else None,
            "table": table,
            "filters": filters,
            "counts": counts,
            "overdue_count": sum(1 for row in rows if row.overdue),
            "total": len(rows),
            "shown_count": len(shown),
            "due": due,
            "reporting": reporting,
            "can_publish": can_publish,
            "has_scorecard": has_scorecard,
            "all_approved": all_approved,
            **_review_context(user, month, rows, ratings if can_publish else None, all_approved, reporting),
        },
    )


@dataclass(frozen=True)
class CommentaryRow:
    """An indicator on the month page's commentary list: whether it has commentary, and its rating."""

    indicator: Indicator
    written: bool
    rating: str = ""
    rating_label: str = ""

    @property
    def needed(self) -> bool:
        return self.rating in NEEDS_COMMENTARY and not self.written


def _review_context(
    user,
    month: Month,
    rows: list,
    ratings: Mapping[str, tuple[str, str]] | None,
    all_approved: bool,
    reporting: ReportingMonth | None,
) -> dict:
    """Return the performance team's part of the month page: commentary with ratings, bulk approval, readiness."""
    if ratings is None:
        return {"commentary": [], "awaiting": [], "ready": False}
    commentary = [
        CommentaryRow(indicator, written, *ratings.get(indicator.code, ("", "")))
        for indicator, written in _commentary_status(month)
    ]
    awaiting = [row for row in rows if row.state == Return.State.SUBMITTED and row.ret is not None]
    if not policy.has_approve_permission(user):
        awaiting = []
    # Four eyes: returns the user last submitted or changed are listed apart, not offered for approval.
    hands = services.last_hands_by_return([row.ret for row in awaiting])
    blocked = [row for row in awaiting if policy.has_four_eyes_conflict(user, hands.get(row.ret.pk, set()))]
    blocked_ids = {row.ret.pk for row in blocked}
    not_approved = [row for row in rows if row.state != Return.State.APPROVED]
    return {
        "commentary": commentary,
        "awaiting": [row for row in awaiting if row.ret.pk not in blocked_ids],
        "four_eyes_blocked": blocked,
        "not_approved": not_approved,
        "needing_commentary": [row for row in commentary if row.needed],
        "ready": all_approved
        and not any(row.needed for row in commentary)
        and not (reporting and reporting.is_published),
    }


def _commentary_status(month: Month) -> list[tuple[Indicator, bool]]:
    """Return each active indicator and whether it has commentary for the month (two queries)."""
    written = set(Commentary.objects.filter(month=month.first_day).values_list("indicator_id", flat=True))
    return [
        (indicator, indicator.pk in written) for indicator in Indicator.objects.filter(active=True).order_by("number")
    ]


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
    explanation: str = ""

    @property
    def has_warning(self) -> bool:
        return any(not f.is_error for f in self.findings)

    @property
    def show_reason(self) -> bool:
        """Return True when the "not available because" box is needed: given, asked for, or refused."""
        return bool(
            (self.reason.value() or "").strip()
            or self.reason.errors
            or str(self.field.value() or "").strip().lower() in NOT_AVAILABLE_WORDS
            or any(f.code == f"blank:{self.measure.code}" for f in self.findings)
        )

    @property
    def has_error(self) -> bool:
        return bool(self.field.errors or self.reason.errors) or any(f.is_error for f in self.findings)


def _field_rows(
    form: ReturnForm, stored: dict, past: dict, findings: list, explanations: dict[str, str] | None = None
) -> list[FieldRow]:
    by_field: dict[str, list] = {}
    for finding in findings:
        for code in finding.fields[:1] or ():
            by_field.setdefault(code, []).append(finding)
    rows = []
    for measure in form.measures:
        row = stored.get(measure.code)
        shown = (
            ""
            if row is None
            else (f"{row.value:,}" if row.value is not None else f"Not available: {row.unavailable_reason}")
        )
        months = past.get(measure.code) or [None] * selectors.HISTORY_MONTHS
        if by_field.get(measure.code):
            form.note_findings([measure.code])
        if months[-1] is not None:  # for "copy last month" (static/js/return-entry.js)
            form.fields[measure.code].widget.attrs["data-last-month"] = str(months[-1])
        rows.append(
            FieldRow(
                measure,
                form[measure.code],
                form[unavailable_name(measure.code)],
                shown,
                months[-1],
                months[0],
                by_field.get(measure.code, []),
                (explanations or {}).get(measure.code, ""),
            )
        )
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


def _submission_checks(
    form: ReturnForm, past: dict, comment: str, explanations: dict[str, str]
) -> tuple[list | None, str]:
    """Return (findings when a warning is left unexplained, else None; the comment to submit with).

    Each warning's explanation is kept with the warning's words in the submission's comment, so the
    history shows what was explained and how. Errors are left to the submit service to report.
    """
    labels = {m.code: m.name for m in form.measures}
    values = form.values()
    findings = validation.check_return(values, past, labels=labels)
    findings += validation.check_blanks(values, form.unavailable(), labels)
    warnings = [f for f in findings if not f.is_error]
    lines = [
        f"{f.message} Explained: {explanations[f.fields[0]]}"
        for f in warnings
        if f.fields and explanations.get(f.fields[0])
    ]
    unexplained = [f for f in warnings if not (f.fields and explanations.get(f.fields[0]))]
    if unexplained and not comment and not any(f.is_error for f in findings):
        return findings, comment
    return None, "\n".join([*lines, comment] if comment else lines)


def _mark_invalid(form: ReturnForm, errors: list) -> None:
    """Mark the inputs named first by failed rules as invalid, as field errors are."""
    for finding in errors:
        for code in finding.fields[:1]:
            if code in form.fields:
                form.fields[code].widget.attrs["aria-invalid"] = "true"


def guidance(state: str, due, *, editable: bool, has_warnings: bool) -> list[str]:
    """Return what to do next with a return in this state, in a sentence or two."""
    when = f"{due:%A} {due.day} {due:%B %Y}"
    if state == Return.State.SUBMITTED:
        return [
            "Submitted: the performance team will check and approve it.",
            "Changing a figure now sends it back to draft; submit it again afterwards."
            if editable
            else "You will be emailed if it is sent back.",
        ]
    if state == Return.State.APPROVED:
        return ["Approved and locked. If a figure is wrong, ask the performance team to reopen it."]
    if not editable:
        return [f"Not yet submitted; due by {when}."]
    steps = [f"Enter the figures, save a draft whenever you like, and submit by {when}."]
    if has_warnings:
        steps.append(
            "Warnings do not stop a draft being saved. To submit, correct the figure or explain it beside its warning."
        )
    return steps


def _stored_findings(unit: selectors.Unit, measures: list, stored: dict, past: dict) -> list:
    if not stored:
        return []
    values = {m.code: (stored[m.code].value if m.code in stored else None) for m in measures}
    return validation.check_return(values, past, labels={m.code: m.name for m in measures})


@require_http_methods(["GET", "POST"])
def return_form(request: AuthenticatedHttpRequest, month: str, unit: str) -> HttpResponse:
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
    status, conflict = 200, None
    findings: list = []

    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        form = ReturnForm(request.POST, measures=measures)
        if (
            form.is_valid()
            and form.cleaned_data["action"] == "submit"
            and not policy.has_submit_permission(user, unit.team)
        ):
            raise PermissionDenied
        if form.is_valid():
            response, status, findings, conflict, form = _save(request, form, unit, month, past)
            if response is not None:
                return response
        ret = selectors.return_for(unit, month)
    stored = selectors.stored_values(ret)
    can_review = (
        policy.has_approve_permission(user, unit.team) and ret is not None and ret.state == Return.State.SUBMITTED
    )
    # Four eyes: approval is not offered to whoever last submitted or changed the return (two queries).
    four_eyes = can_review and ret is not None and policy.has_four_eyes_conflict(user, services.last_hands(ret))
    if request.method == "GET":
        form = ReturnForm(
            initial=ReturnForm.initial_from(stored, ret.version if ret else 1, ret.comment if ret else ""),
            measures=measures,
        )
        findings = _stored_findings(unit, measures, stored, past)
    locked = ret is not None and ret.is_locked
    editable = may_change and not locked
    errors = [f for f in findings if f.is_error]
    if editable:
        _mark_invalid(form, errors)
    returned = tasks.returned_for(ret)
    state = tasks.RETURNED if returned else (ret.state if ret else selectors.NOT_STARTED)
    history = selectors.return_history(ret)
    due = dates.due_date(month)
    context = {
        "returned": returned,
        "month": month,
        "unit": unit,
        "ret": ret,
        "state": state,
        "state_label": tasks.RETURNED_LABEL if returned else selectors.STATE_LABELS[state],
        "form": form,
        "rows": _field_rows(
            form,
            stored,
            past,
            findings,
            explanations_from(request.POST, form.measure_codes) if request.method == "POST" else {},
        ),
        "findings": findings,
        "errors": [f for f in findings if f.is_error],
        "warnings": [f for f in findings if not f.is_error],
        # Where the form is open the errors are in the error summary (focused, linked to the fields marked
        # invalid), after a save as after a refused submission; only warnings repeat here.
        "checks": [f for f in findings if not f.is_error] if editable else findings,
        "error_summary": _error_summary(form, errors) if editable or request.method == "POST" else [],
        "guidance": guidance(state, due, editable=editable, has_warnings=any(not f.is_error for f in findings)),
        "conflict": conflict,
        "history": history,
        "annex_a_codes": selectors.annex_a_codes(history),
        "editable": editable,
        "can_submit": policy.has_submit_permission(user, unit.team) and not locked,
        "can_review": can_review,
        "can_approve": can_review and not four_eyes,
        "four_eyes": four_eyes,
        "can_reopen": policy.has_approve_permission(user, unit.team) and state == Return.State.APPROVED,
        "due": due,
        "last_month": month - 1,
        "last_year": month - 12,
        "version": ret.version if ret else 1,
    }
    return render(request, "returns/return_form.html", context, status=status)


def _save(
    request: AuthenticatedHttpRequest, form: ReturnForm, unit: selectors.Unit, month: Month, past: dict
) -> tuple[HttpResponse | None, int, list, list | None, ReturnForm]:
    """Save (and perhaps submit) the form; return (redirect or None, status, findings, conflict, form)."""
    user = request.user
    action = form.cleaned_data["action"]
    comment = form.cleaned_data["comment"].strip()
    kwargs = {
        "values": form.values(),
        "unavailable": form.unavailable(),
        "actor": user,
        "expected_version": form.cleaned_data["version"],
    }
    if action == "submit":
        findings, comment = _submission_checks(form, past, comment, explanations_from(request.POST, form.measure_codes))
        if findings is not None:
            messages.error(request, "Not submitted: explain each warning in the box beside it, or in the comment.")
            return None, 200, findings, None, form
    try:
        # Starting the return belongs with the save: a refused save leaves no empty draft behind.
        with transaction.atomic():
            ret = services.return_get_or_create(team=unit.team, month=month)
            if action == "submit":
                # The comment goes with the submission (and its warnings), not against the values changed.
                result = services.return_save_values(ret=ret, source=Source.FORM, **kwargs)
                if ret.state == Return.State.SUBMITTED and not result.changed:
                    raise services.InvalidTransition(
                        f"The {ret.unit_label} return for {month.long_label} is already submitted."
                    )
                services.return_submit(ret=ret, actor=user, comment=comment)
            else:
                result = services.return_save_values(ret=ret, source=Source.FORM, comment=comment, **kwargs)
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
        signals.workflow_event.send(
            sender=Return,
            request=request,
            event="return_submitted",
            fields={"return_id": ret.pk, "unit": unit.code, "month": str(month), "reason": comment},
        )
        messages.success(request, f"The {unit.code} return for {month.long_label} is submitted.")
        return (
            redirect(reverse("returns:submitted", kwargs={"month": str(month), "unit": unit.code})),
            302,
            [],
            None,
            form,
        )
    elif result.changed:
        note = " It is back in draft: submit it again when ready." if result.back_to_draft else ""
        count = len(result.changed)
        messages.success(request, f"Saved {count} change{'s' if count != 1 else ''} as a draft.{note}")
    else:
        messages.info(request, "Nothing had changed, so nothing was saved.")
    return redirect(reverse("returns:form", kwargs={"month": str(month), "unit": unit.code})), 302, [], None, form


def return_template(request: HttpRequest, month: str, unit: str, fmt: str) -> HttpResponse:
    """Download the return as a file to fill in and import: CSV or XLSX, long form."""
    month = month_or_404(month)
    unit = _visible_unit_or_404(request.user, unit)
    export = entry_templates.return_template(unit, month, fmt)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


def return_submitted(request: HttpRequest, month: str, unit: str) -> HttpResponse:
    """Confirm a submitted return, say what happens next and what else is due."""
    month = month_or_404(month)
    unit = _visible_unit_or_404(request.user, unit)
    ret = selectors.return_for(unit, month)
    if ret is None or ret.state == Return.State.DRAFT:
        return redirect(reverse("returns:form", kwargs={"month": str(month), "unit": unit.code}))
    team_ids = policy.visible_team_ids(request.user)
    still_due = (
        [
            (group.month, task)
            for group in tasks.entry_tasks(dates.today(), team_ids)
            for task in group.tasks
            if task.needs_action
        ]
        if team_ids
        else []
    )
    return render(
        request, "returns/submitted.html", {"month": month, "unit": unit, "ret": ret, "still_due": still_due[:10]}
    )


@require_POST
def month_approve(request: AuthenticatedHttpRequest, month: str) -> HttpResponse:
    """Approve the ticked submitted returns of the month, each on its own through the approve service.

    Each approval is its own transaction with its own checks (state, the version the approver saw,
    and whatever else the service requires) and its own audit and security event; a refusal of one
    is reported and leaves the others alone.
    """
    month = month_or_404(month)
    user = request.user
    if not policy.has_approve_permission(user):
        raise PermissionDenied
    back = redirect(reverse("returns:month", kwargs={"month": str(month)}))
    codes = request.POST.getlist("unit")
    if not codes:
        messages.error(request, "Tick at least one return to approve.")
        return back
    approved: list[str] = []
    refused: list[str] = []
    for code in dict.fromkeys(codes):  # each once, in the order ticked
        outcome = _approve_one(request, month, code)
        (approved if outcome is None else refused).append(outcome or code)
    if approved:
        messages.success(
            request, f"Approved {len(approved)} return{'s' if len(approved) != 1 else ''}: {', '.join(approved)}."
        )
    for reason in refused:
        messages.error(request, reason)
    return back


def _approve_one(request: AuthenticatedHttpRequest, month: Month, code: str) -> str | None:
    """Approve one unit's return of the month; return why not, or None when approved."""
    unit = selectors.unit_by_code(code)
    ret = selectors.return_for(unit, month) if unit is not None else None
    if unit is None or ret is None or not policy.has_approve_permission(request.user, unit.team):
        return f"Not approved: there is no {code[:40]} return for {month.long_label}."
    version = request.POST.get(f"version-{code}", "")
    if not version.isdigit() or len(version) > 9:
        return f"{unit.code} not approved: the page was out of date. Reload it and check the return again."
    try:
        services.return_approve(ret=ret, actor=request.user, expected_version=int(version))
    except services.ReturnError as exc:
        return f"{unit.code} not approved: {exc.message}"
    signals.workflow_event.send(
        sender=Return,
        request=request,
        event="return_approved",
        fields={"return_id": ret.pk, "unit": unit.code, "month": str(month), "reason": "approved with others"},
    )
    return None


EVENTS = {
    "submit": "return_submitted",
    "approve": "return_approved",
    "reject": "return_rejected",
    "reopen": "return_reopened",
}

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
            services.return_submit(
                ret=ret, actor=user, comment=data["comment"] or None, expected_version=data["version"]
            )
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
        if isinstance(exc, services.SelfApproval):
            signals.workflow_event.send(
                sender=Return,
                request=request,
                event="return_self_approval_refused",
                fields={"return_id": ret.pk, "unit": unit.code, "month": str(month)},
            )
        messages.error(request, exc.message)
        return back
    signals.workflow_event.send(
        sender=Return,
        request=request,
        event=EVENTS[action],
        fields={
            "return_id": ret.pk,
            "unit": unit.code,
            "month": str(month),
            "reason": data["reason"] or data["comment"],
        },
    )
    messages.success(request, f"The {unit.code} return for {month.long_label} is {done}.")
    if action in ("reject", "reopen"):
        sent, failed = notifications.notify_returned(ret)
        if sent or failed:
            messages.info(
                request,
                f"Emailed {sent} of the team's data entry users"
                + (f"; {failed} could not be sent (logged)." if failed else "."),
            )
    return back
