"""What each person has to do now: open months, returned returns, and the rows of the home pages' task lists.

Reads only (selectors). A return is *returned* while it is a draft whose latest
state change sent it back with a reason: a rejection (submitted to draft with
no value changed in the same version, which tells it from a save after
submission) or a reopening (approved to draft). It stays returned until it is
submitted again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef

from lib.months import Month
from returns import dates, selectors
from returns.models import ReportingMonth, Return, StateChange, ValueChange

RETURNED = "returned"
RETURNED_LABEL = "Returned"


@dataclass(frozen=True)
class Returned:
    """Who sent a return back, when and why."""

    actor: str
    at: dt.datetime
    reason: str
    reopened: bool

    @property
    def verb(self) -> str:
        return "Reopened" if self.reopened else "Returned"


def returned_info(returns: Iterable[Return]) -> dict[int, Returned]:
    """Return, by return id, why each draft among `returns` was sent back; others are left out (one query)."""
    drafts = [ret.pk for ret in returns if ret is not None and ret.state == Return.State.DRAFT]
    if not drafts:
        return {}
    # A save after submission also moves submitted -> draft, in the same version as its value changes.
    saved = ValueChange.objects.filter(ret_id=OuterRef("ret_id"), version=OuterRef("version"))
    changes = (
        StateChange.objects.filter(ret_id__in=drafts)
        .select_related("actor")
        .annotate(with_values=Exists(saved))
        .order_by("ret_id", "-at", "-id")
    )
    latest: dict[int, StateChange] = {}
    for change in changes:
        latest.setdefault(change.ret_id, change)
    return {
        ret_id: Returned(
            selectors.actor_name(change.actor), change.at, change.reason, change.from_state == Return.State.APPROVED
        )
        for ret_id, change in latest.items()
        if change.to_state == Return.State.DRAFT
        and (
            change.from_state == Return.State.APPROVED
            or (change.from_state == Return.State.SUBMITTED and not change.with_values)  # type: ignore[attr-defined]
        )
    }


def returned_for(ret: Return | None) -> Returned | None:
    """Return why this return was sent back, or None when it is not a returned draft."""
    if ret is None or ret.pk is None:
        return None
    return returned_info([ret]).get(ret.pk)


def published_months() -> set[Month]:
    """Return the months shown to senior leaders."""
    return {
        Month.of(day)
        for day in ReportingMonth.objects.filter(published_at__isnull=False).values_list("month", flat=True)
    }


def _return_months(team_ids: frozenset[int] | None, **filters) -> set[Month]:
    returns = Return.objects.filter(**filters)
    if team_ids is not None:
        returns = returns.filter(team_id__in=list(team_ids))
    return {Month.of(day) for day in returns.order_by().values_list("month", flat=True).distinct()}


def open_months(today: dt.date, *, team_ids: frozenset[int] | None = None) -> list[Month]:
    """Return the months still being worked on, newest first (three queries).

    The month being collected now (last month), and any reportable month with a
    return not yet approved, less the published ones. `team_ids` limits the
    returns looked at (None: every unit).
    """
    collecting = Month.of(today) - 1
    months = {collecting} | _return_months(team_ids, state__in=[Return.State.DRAFT, Return.State.SUBMITTED])
    months -= published_months()
    return sorted((m for m in months if dates.is_reportable(m, today)), reverse=True)


def latest_active_month(today: dt.date, *, team_ids: frozenset[int] | None = None) -> Month:
    """Return the most recent reportable month with a return the user may see, else the month being collected."""
    months = [m for m in _return_months(team_ids) if dates.is_reportable(m, today)]
    return max(months) if months else Month.of(today) - 1


def picker_months(today: dt.date, *, team_ids: frozenset[int] | None = None) -> list[Month]:
    """Return the months a month picker offers, newest first: every month with a return, and the open ones."""
    months = {m for m in _return_months(team_ids) if dates.is_reportable(m, today)}
    months |= {Month.of(today) - 1, Month.of(today)}
    return sorted(months, reverse=True)


@dataclass(frozen=True)
class Task:
    """One return on a task list: its state (returned included) and what needs doing."""

    row: selectors.CompletenessRow
    state: str
    state_label: str
    todo: str
    returned: Returned | None = None

    @property
    def needs_action(self) -> bool:
        return self.state in (selectors.NOT_STARTED, Return.State.DRAFT, RETURNED)


def _todo(state: str, due: dt.date, overdue: bool, returned: Returned | None) -> str:
    when = f"{'was due' if overdue else 'due'} {due:%a} {due.day} {due:%b}"
    if returned is not None:
        return f"Correct and submit again: {returned.reason}"
    if state == selectors.NOT_STARTED:
        return f"Enter and submit ({when})"
    if state == Return.State.DRAFT:
        return f"Finish and submit ({when})"
    if state == Return.State.SUBMITTED:
        return "Nothing: waiting for the performance team to approve it"
    return "Nothing: approved"


def tasks_for(rows: list[selectors.CompletenessRow]) -> list[Task]:
    """Return a task per completeness row, with returned drafts told apart (two queries at most)."""
    info = returned_info(row.ret for row in rows if row.ret is not None)
    tasks = []
    for row in rows:
        returned = info.get(row.ret.pk) if row.ret is not None else None
        state = RETURNED if returned is not None else row.state
        label = RETURNED_LABEL if returned is not None else row.state_label
        tasks.append(Task(row, state, label, _todo(row.state, row.due, row.overdue, returned), returned))
    return tasks


@dataclass(frozen=True)
class MonthTasks:
    """A data entry user's returns for one open month."""

    month: Month
    due: dt.date
    tasks: list[Task]

    @property
    def summary(self) -> str:
        """Return the month at a glance, e.g. "2 due Mon 8 Jan, 1 returned"."""
        due = sum(1 for t in self.tasks if t.state in (selectors.NOT_STARTED, Return.State.DRAFT))
        overdue = sum(1 for t in self.tasks if t.row.overdue and t.state != RETURNED)
        returned = sum(1 for t in self.tasks if t.state == RETURNED)
        submitted = sum(1 for t in self.tasks if t.state == Return.State.SUBMITTED)
        parts = []
        if due:
            when = f"{self.due:%a} {self.due.day} {self.due:%b}"
            parts.append(f"{due} overdue since {when}" if overdue == due else f"{due} due {when}")
        if returned:
            parts.append(f"{returned} returned")
        if submitted:
            parts.append(f"{submitted} awaiting approval")
        return ", ".join(parts) or "nothing to do"


def entry_tasks(today: dt.date, team_ids: frozenset[int]) -> list[MonthTasks]:
    """Return a data entry user's returns for each open month, newest month first."""
    result = []
    for month in open_months(today, team_ids=team_ids):
        rows = selectors.month_completeness(month, today=today, team_ids=team_ids)
        if rows:
            result.append(MonthTasks(month, dates.due_date(month), tasks_for(rows)))
    return result


@dataclass(frozen=True)
class MonthReview:
    """The performance team's view of one open month: what awaits them and what blocks publishing."""

    month: Month
    due: dt.date
    tasks: list[Task]

    @property
    def awaiting(self) -> list[Task]:
        return [t for t in self.tasks if t.state == Return.State.SUBMITTED]

    @property
    def not_approved(self) -> list[Task]:
        return [t for t in self.tasks if t.state != Return.State.APPROVED]

    @property
    def returned(self) -> list[Task]:
        return [t for t in self.tasks if t.state == RETURNED]


def review_months(today: dt.date) -> list[MonthReview]:
    """Return every open month with every expected return, newest first."""
    return [
        MonthReview(month, dates.due_date(month), tasks_for(selectors.month_completeness(month, today=today)))
        for month in open_months(today)
    ]


STATE_LABELS = {**selectors.STATE_LABELS, RETURNED: RETURNED_LABEL}


def with_returned(rows: list[selectors.CompletenessRow]) -> list[selectors.CompletenessRow]:
    """Return the completeness rows with returned drafts shown as returned (two queries at most)."""
    info = returned_info(row.ret for row in rows if row.ret is not None)
    return [
        replace(row, state=RETURNED, state_label=RETURNED_LABEL) if row.ret is not None and row.ret.pk in info else row
        for row in rows
    ]
