"""Writes to returns: values with their audit, the workflow's transitions, publishing a month.

Every function here is atomic and locks the return's row first, so two people
(or an approval and an edit) are serialised by the database: whatever commits
second sees what the first did. Approved returns are locked for every caller:
the form, imports, the admin, the demo and scripts all come through here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, IntegerField, Model, OuterRef, Subquery, Value, When
from django.utils import timezone

from indicators.models import Measure
from lib.months import Month
from returns import selectors, signals, validation
from returns.models import (
    CHANGED_BY,
    ApprovedValue,
    ImportRecord,
    ReportingMonth,
    Return,
    ReturnValue,
    Source,
    StateChange,
    ValueChange,
)
from returns.validation import Finding
from teams.models import Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

REASON_MAX = 500  # ReturnValue.unavailable_reason's length


class ReturnError(Exception):
    """A change to a return that is refused; the message says why, for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ReturnLocked(ReturnError):
    """The return is approved: nothing may change until it is reopened."""


class InvalidTransition(ReturnError):
    """The return is not in a state this transition starts from."""


class InvalidValues(ReturnError):
    """Values that cannot be stored (unknown measure, not a count, blank without a reason...)."""


@dataclass(frozen=True)
class ChangeSince:
    """Something that happened to a return after the version someone loaded."""

    at: dt.datetime
    actor: str
    description: str


class StaleReturn(ReturnError):
    """Someone else changed the return since the caller loaded it; nothing was written."""

    def __init__(self, message: str, *, current_version: int, changes: Sequence[ChangeSince]):
        super().__init__(message)
        self.current_version = current_version
        self.changes = list(changes)


class SubmissionRefused(ReturnError):
    """The return has errors, or warnings without an explaining comment."""

    def __init__(self, message: str, *, findings: Sequence[Finding]):
        super().__init__(message)
        self.findings = list(findings)


class SelfApproval(ReturnError):
    """Four eyes: the approver last submitted the return or last changed its values."""


class PublishRefused(ReturnError):
    """The month cannot be published yet; `reasons` lists what is missing."""

    def __init__(self, message: str, *, reasons: Sequence[str] = ()):
        super().__init__(message)
        self.reasons = list(reasons)


@dataclass(frozen=True)
class SaveResult:
    """What a save wrote: the measures changed (none when nothing differed) and the version now."""

    changed: tuple[str, ...]
    version: int
    back_to_draft: bool = False


def return_get_or_create(*, team: Team | None, month: Month) -> Return:
    """Return the unit's return for the month, starting a draft when there is none."""
    if team is not None and not team.active:
        existing = Return.objects.filter(team=team, month=month.first_day).first()
        if existing is None:
            raise ReturnError(f"{team.code} is not an active team: it makes no new returns.")
        return existing
    ret, _ = Return.objects.get_or_create(team=team, month=month.first_day)
    return ret


def _lock(ret: Return) -> Return:
    # of=self: lock the return's row only (PostgreSQL refuses to lock the nullable side of the team join).
    return Return.objects.select_for_update(of=("self",)).select_related("team").get(pk=ret.pk)


def _sync(ret: Return, locked: Return) -> None:
    """Copy the committed state onto the caller's object so it does not act on stale fields."""
    for name in ("state", "version", "comment", "updated_by_id", "updated_at"):
        setattr(ret, name, getattr(locked, name))


def _check_version(locked: Return, expected_version: int | None) -> None:
    if expected_version is None or expected_version == locked.version:
        return
    changes = changes_since(locked, expected_version)
    raise StaleReturn(
        "Someone else changed this return after you opened it, so nothing you sent was saved. "
        "Check what changed, then make your changes again.",
        current_version=locked.version,
        changes=changes,
    )


def changes_since(ret: Return, version: int) -> list[ChangeSince]:
    """Return what happened to the return after the given version, oldest first."""
    changes = [
        ChangeSince(
            c.at,
            selectors.actor_name(c.who),
            f"{c.measure.code}: {selectors.shown_value(c.old_value)} → "
            f"{selectors.shown_value(c.new_value, c.unavailable_reason)}",
        )
        for c in ValueChange.objects.filter(ret=ret, version__gt=version).select_related(
            "measure", "actor", "import_record__actor"
        )
    ]
    changes += [
        ChangeSince(
            c.at,
            selectors.actor_name(c.actor),
            f"{c.get_from_state_display()} → {c.get_to_state_display()}" + (f": {c.reason}" if c.reason else ""),
        )
        for c in StateChange.objects.filter(ret=ret, version__gt=version).select_related("actor")
    ]
    return sorted(changes, key=lambda change: change.at)


def _check_values(
    unit_codes: set[str], values: Mapping[str, int | None], unavailable: Mapping[str, str]
) -> dict[str, tuple[int | None, str]]:
    """Return the wanted (value, reason) per code; raise InvalidValues naming every problem."""
    problems = []
    unknown = sorted(set(values) - unit_codes)
    if unknown:
        problems.append(f"not measures this unit returns: {', '.join(unknown)}")
    wanted = {}
    for code, value in values.items():
        if code not in unit_codes:
            continue
        reason = (unavailable.get(code) or "").strip() if value is None else ""
        if value is not None:
            try:
                value = validation.parse_count(value)
            except validation.CountError as exc:
                problems.append(f"{code}: {exc}")
                continue
        if len(reason) > REASON_MAX:
            problems.append(f"{code}: the reason is longer than {REASON_MAX} characters")
            continue
        wanted[code] = (value, reason)
    if problems:
        raise InvalidValues("Nothing was saved: " + "; ".join(problems) + ".")
    return wanted


@transaction.atomic
def return_save_values(
    *,
    ret: Return,
    values: Mapping[str, int | None],
    actor: User,
    source: str = Source.FORM,
    expected_version: int | None = None,
    comment: str | None = None,
    unavailable: Mapping[str, str] | None = None,
    import_record: ImportRecord | None = None,
) -> SaveResult:
    """Store the named measures' values (others untouched) with an audit row per changed value.

    A value of None is blank: stored as "not available" when `unavailable` gives
    a reason, else no row at all (not yet known, never 0). Writing what is
    already stored changes nothing and audits nothing, so a repeated POST or a
    re-imported file is harmless. A stale `expected_version` is refused when
    anything would change. Changing a submitted return sends it back to draft.
    Values from a file name its `import_record`, which says who and which file.
    """
    locked = _lock(ret)
    if locked.is_locked:
        _sync(ret, locked)
        raise ReturnLocked(
            f"The {locked.unit_label} return for {locked.month:%B %Y} is approved, so it is locked: "
            "ask the performance team to reopen it."
        )
    unit = selectors.Unit(locked.unit_label, "", locked.team)
    measures = {m.code: m for m in selectors.measures_for(unit)}
    wanted = _check_values(set(measures), values, unavailable or {})
    stored = {row.measure_id: row for row in ReturnValue.objects.filter(ret=locked)}
    changed = []
    for code, (value, reason) in wanted.items():
        row = stored.get(measures[code].pk)
        old = (row.value, row.unavailable_reason) if row else (None, "")
        if old != (value, reason):
            changed.append((code, row, old, value, reason))
    if changed and source != Source.ANNEX_A and not (comment or "").strip():
        from_annex_a = sorted(annex_a_measures(locked) & {code for code, *_ in changed})
        if from_annex_a:
            raise InvalidValues(
                f"Nothing was saved: {', '.join(from_annex_a)} came from the Annex A import; give a reason "
                "for changing {} in the comment.".format("it" if len(from_annex_a) == 1 else "them")
            )
    new_comment = comment if comment is not None else locked.comment
    if not changed and new_comment == locked.comment:
        _sync(ret, locked)
        return SaveResult((), locked.version)
    _check_version(locked, expected_version)

    now = timezone.now()
    locked.version += 1
    to_create, to_update, to_delete, audit = [], [], [], []
    for code, row, (old_value, _), value, reason in changed:
        if row is None:
            to_create.append(ReturnValue(ret=locked, measure=measures[code], value=value, unavailable_reason=reason))
        elif value is None and not reason:
            to_delete.append(row.pk)
        else:
            row.value, row.unavailable_reason = value, reason
            to_update.append(row)
        audit.append(
            ValueChange(
                ret=locked,
                measure=measures[code],
                old_value=old_value,
                new_value=value,
                unavailable_reason=reason,
                actor=None if import_record else actor,
                at=now,
                source=source,
                reason=comment or "",
                import_record=import_record,
                version=locked.version,
            )
        )
    ReturnValue.objects.filter(pk__in=to_delete).delete()
    ReturnValue.objects.bulk_update(to_update, ["value", "unavailable_reason"])
    ReturnValue.objects.bulk_create(to_create)
    ValueChange.objects.bulk_create(audit)

    # A submitted return is frozen as submitted: new values or new words go back to draft, on the record.
    back_to_draft = locked.state == Return.State.SUBMITTED
    if back_to_draft:
        what = "Values changed" if changed else f"Comment changed (was: {locked.comment!r})"
        StateChange.objects.create(
            ret=locked,
            from_state=locked.state,
            to_state=Return.State.DRAFT,
            actor=actor,
            at=now,
            reason=f"{what} after submission: submit again.",
            version=locked.version,
        )
        locked.state = Return.State.DRAFT
    locked.comment = new_comment
    locked.updated_by = actor
    locked.save(update_fields=["version", "state", "comment", "updated_by", "updated_at"])
    _sync(ret, locked)
    return SaveResult(tuple(code for code, *_ in changed), locked.version, back_to_draft)


def annex_a_measures(ret: Return) -> set[str]:
    """Return the codes of the return's measures whose latest change came from an Annex A import (one query)."""
    latest: dict[str, str] = {}
    for code, source in (
        ValueChange.objects.filter(ret=ret).order_by("-at", "-id").values_list("measure__code", "source")
    ):
        latest.setdefault(code, source)
    return {code for code, source in latest.items() if source == Source.ANNEX_A}


def _move(locked: Return, *, to: str, actor: User, reason: str = "") -> None:
    now = timezone.now()
    from_state = locked.state
    locked.state = to
    locked.version += 1
    locked.updated_by = actor
    locked.save(update_fields=["state", "version", "comment", "updated_by", "updated_at"])
    StateChange.objects.create(
        ret=locked, from_state=from_state, to_state=to, actor=actor, at=now, reason=reason, version=locked.version
    )


def _require_state(locked: Return, allowed: tuple[str, ...], doing: str) -> None:
    if locked.state not in allowed:
        raise InvalidTransition(
            f"The {locked.unit_label} return for {locked.month:%B %Y} is {locked.get_state_display().lower()}, "
            f"so it cannot be {doing}."
        )


def _require_reason(reason: str | None, doing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReturnError(f"Give a reason for {doing} the return.")
    return reason


def submission_findings(ret: Return, *, comment: str | None = None) -> list[Finding]:
    """Return every finding that matters for submitting the return as stored (blanks, rules, outliers)."""
    unit = selectors.Unit(ret.unit_label, "", ret.team)
    measures = selectors.measures_for(unit)
    stored = selectors.stored_values(ret)
    values = {m.code: (stored[m.code].value if m.code in stored else None) for m in measures}
    unavailable = {code: row.unavailable_reason for code, row in stored.items()}
    labels = {m.code: m.name for m in measures}
    findings = validation.check_blanks(values, unavailable, labels)
    findings += validation.check_return(values, selectors.unit_history(unit, Month.of(ret.month)), labels=labels)
    return findings


@transaction.atomic
def return_submit(
    *, ret: Return, actor: User, comment: str | None = None, expected_version: int | None = None
) -> Return:
    """Move a draft to submitted when it has no errors and any warnings are explained in the comment."""
    locked = _lock(ret)
    _require_state(locked, (Return.State.DRAFT,), "submitted")
    _check_version(locked, expected_version)
    if comment is not None:
        locked.comment = comment.strip()
    findings = submission_findings(locked)
    errors = [f for f in findings if f.is_error]
    if errors:
        raise SubmissionRefused(
            f"Not submitted: {len(errors)} problem{'s' if len(errors) != 1 else ''} to put right first.",
            findings=findings,
        )
    if any(not f.is_error for f in findings) and not locked.comment:
        raise SubmissionRefused(
            "Not submitted: some values look unusual. Check them, and explain them in the comment.",
            findings=findings,
        )
    _move(locked, to=Return.State.SUBMITTED, actor=actor, reason=locked.comment)
    _sync(ret, locked)
    return ret


@transaction.atomic
def return_save_and_submit(
    *,
    ret: Return,
    values: Mapping[str, int | None],
    actor: User,
    unavailable: Mapping[str, str] | None = None,
    comment: str = "",
    expected_version: int | None = None,
    source: str = Source.FORM,
) -> SaveResult:
    """Store the values and submit, or do neither (a refused submission saves nothing)."""
    result = return_save_values(
        ret=ret,
        values=values,
        actor=actor,
        source=source,
        expected_version=expected_version,
        comment=comment,
        unavailable=unavailable,
    )
    if ret.state == Return.State.SUBMITTED and not result.changed:
        raise InvalidTransition(f"The {ret.unit_label} return for {ret.month:%B %Y} is already submitted.")
    return_submit(ret=ret, actor=actor, comment=comment)
    return result


def last_hands(ret: Return) -> set[int]:
    """Return the ids of who last submitted the return and who last changed its values (two queries)."""
    submitted = (
        StateChange.objects.filter(ret=ret, to_state=Return.State.SUBMITTED)
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    changed = ValueChange.objects.filter(ret=ret).order_by("-at", "-id").values_list(CHANGED_BY, flat=True).first()
    return {actor for actor in (submitted, changed) if actor is not None}


def last_hands_by_return(rets: Sequence[Return]) -> dict[int, set[int]]:
    """Return, by return id, who last submitted each return and who last changed its values (one query)."""
    ids = [ret.pk for ret in rets if ret is not None and ret.pk is not None]
    if not ids:
        return {}
    submitted = (
        StateChange.objects.filter(ret=OuterRef("pk"), to_state=Return.State.SUBMITTED)
        .order_by("-at", "-id")
        .values("actor_id")[:1]
    )
    changed = ValueChange.objects.filter(ret=OuterRef("pk")).order_by("-at", "-id").values_list(CHANGED_BY)[:1]
    rows = (
        Return.objects.filter(pk__in=ids)
        .order_by()
        .annotate(submitter=Subquery(submitted), changer=Subquery(changed))
        .values_list("pk", "submitter", "changer")
    )
    return {pk: {actor for actor in (submitter, changer) if actor is not None} for pk, submitter, changer in rows}


def _check_four_eyes(locked: Return, actor) -> None:
    if actor is None or actor.pk not in last_hands(locked):
        return
    if not settings.RETURNS_ALLOW_SELF_APPROVAL:
        raise SelfApproval(
            f"You last submitted or changed the {locked.unit_label} return for {locked.month:%B %Y}, so someone "
            "else must approve it (four eyes)."
        )
    # A one-person team may relax the rule; every use of it is on the security record.
    signals.workflow_event.send(
        sender=Return,
        request=None,
        event="return_self_approved",
        fields={
            "user": actor.get_username(),
            "return_id": locked.pk,
            "unit": locked.unit_label,
            "month": f"{locked.month:%Y-%m}",
        },
    )


@transaction.atomic
def return_approve(*, ret: Return, actor: User, expected_version: int | None = None) -> Return:
    """Approve a submitted return, locking its values; nobody approves what they last submitted or changed."""
    locked = _lock(ret)
    _require_state(locked, (Return.State.SUBMITTED,), "approved")
    _check_version(locked, expected_version)
    _check_four_eyes(locked, actor)
    _move(locked, to=Return.State.APPROVED, actor=actor)
    locked.approved_version, locked.approved_by, locked.approved_at = locked.version, actor, locked.updated_at
    locked.save(update_fields=["approved_version", "approved_by", "approved_at"])
    # The locked values are the approved ones now; the copy kept through a reopening has done its job.
    ApprovedValue.objects.filter(ret=locked).delete()
    _sync(ret, locked)
    return ret


@transaction.atomic
def return_reject(*, ret: Return, actor: User, reason: str, expected_version: int | None = None) -> Return:
    """Send a submitted return back to draft, saying why."""
    reason = _require_reason(reason, "rejecting")
    locked = _lock(ret)
    _require_state(locked, (Return.State.SUBMITTED,), "rejected")
    _check_version(locked, expected_version)
    _move(locked, to=Return.State.DRAFT, actor=actor, reason=reason)
    _sync(ret, locked)
    return ret


@transaction.atomic
def return_reopen(*, ret: Return, actor: User, reason: str, expected_version: int | None = None) -> Return:
    """Unlock an approved return for changes, saying why; its approved values stay in force until re-approved.

    A published month stays published: its figures are a frozen snapshot, and a
    correction reaches leaders only when the performance team restates it.
    """
    reason = _require_reason(reason, "reopening")
    locked = _lock(ret)
    _require_state(locked, (Return.State.APPROVED,), "reopened")
    _check_version(locked, expected_version)
    ApprovedValue.objects.filter(ret=locked).delete()
    ApprovedValue.objects.bulk_create(
        ApprovedValue(ret=locked, measure_id=row.measure_id, value=row.value)
        for row in ReturnValue.objects.filter(ret=locked, value__isnull=False)
        if row.value is not None
    )
    if locked.approved_version is None:  # approved before approvals were recorded (or loaded as approved)
        locked.approved_version = locked.version
        locked.save(update_fields=["approved_version"])
    _move(locked, to=Return.State.DRAFT, actor=actor, reason=reason)
    _sync(ret, locked)
    return ret


@transaction.atomic
def month_publish(*, month: Month, actor: User, needs_commentary: Sequence[str]) -> ReportingMonth:
    """Publish the month to senior leaders once every expected return is approved and no red or amber
    indicator (titles in `needs_commentary`) lacks commentary.

    Only `scorecard.snapshots.month_publish` calls this: it freezes the published snapshot in the same transaction.
    """
    row, _ = ReportingMonth.objects.get_or_create(month=month.first_day)
    row = ReportingMonth.objects.select_for_update().get(pk=row.pk)
    if row.is_published:
        raise PublishRefused(f"{month.long_label} is already published.")
    reasons = []
    returns = {ret.team_id: ret for ret in selectors.month_returns(month)}
    for unit in selectors.expected_units():
        ret = returns.get(unit.team.pk if unit.team else None)
        if ret is None or ret.state != Return.State.APPROVED:
            state = selectors.STATE_LABELS[ret.state if ret else selectors.NOT_STARTED].lower()
            reasons.append(f"the {unit.code} return is {state}, not approved")
    for title in needs_commentary:
        reasons.append(f"“{title}” is rated red or amber and has no commentary")
    if reasons:
        raise PublishRefused(f"{month.long_label} cannot be published yet.", reasons=reasons)
    row.published_at = timezone.now()
    row.published_by = actor
    row._history_user = actor
    row._change_reason = "Published"
    row.save()
    return row


# ---------------------------------------------------------------- set-based writes (loads of approved figures)

# Rows a bulk statement writes at once: large enough to be few statements, small enough for any database.
_BATCH = 2_000


@transaction.atomic
def returns_load_approved(
    *, values: Mapping[tuple[Team | None, Month, str], int], actor: User, source: str, reason: str
) -> int:
    """Store figures that arrive approved (the demo's history) with the form's audit; return the values changed.

    `values` maps (team, or None for the council; month; measure code) to a
    count. Each return gets the record the workflow would give it, versions
    included: a missing return starts as a draft at version 1; an approved one
    whose values differ is reopened on the record; changed values are audited
    at the version they produce; a return not approved is then approved.
    Values already stored write nothing, so loading the same figures twice
    changes nothing. There is no four-eyes check: the figures were approved
    where they came from. Set-based: bulk statements, never a query per value.
    """
    wanted = _loaded_values(values)
    returns = _lock_or_start(wanted.keys(), actor=actor)
    months = {month for _, month in wanted}
    stored = {(v.ret_id, v.measure_id): v for v in ReturnValue.objects.filter(ret__month__in=months)}
    now = timezone.now()
    to_create, to_update, audit, moves, touched = [], [], [], [], []

    def move(ret: Return, to: str, why: str) -> None:
        ret.version += 1
        moves.append(
            StateChange(
                ret=ret, from_state=ret.state, to_state=to, actor=actor, at=now, reason=why, version=ret.version
            )
        )
        ret.state = to

    for key, by_measure in wanted.items():
        ret = returns[key]
        changed = []
        for measure_id, value in by_measure.items():
            row = stored.get((ret.pk, measure_id))
            if row is None or (row.value, row.unavailable_reason) != (value, ""):
                changed.append((measure_id, row, value))
        if not changed and ret.state == Return.State.APPROVED:
            continue
        touched.append(ret)
        if changed and ret.state == Return.State.APPROVED:
            move(ret, Return.State.DRAFT, f"{reason}: new values to approve.")
        if changed:
            ret.version += 1
        for measure_id, row, value in changed:
            audit.append(
                ValueChange(
                    ret=ret,
                    measure_id=measure_id,
                    old_value=row.value if row else None,
                    new_value=value,
                    actor=actor,
                    at=now,
                    source=source,
                    reason=reason,
                    version=ret.version,
                )
            )
            if row is None:
                to_create.append(ReturnValue(ret=ret, measure_id=measure_id, value=value))
            else:
                row.value, row.unavailable_reason = value, ""
                to_update.append(row)
        move(ret, Return.State.APPROVED, reason)
        ret.approved_version, ret.approved_by, ret.approved_at = ret.version, actor, now
        ret.updated_by, ret.updated_at = actor, now

    ReturnValue.objects.bulk_create(to_create, batch_size=_BATCH)
    ReturnValue.objects.bulk_update(to_update, ["value", "unavailable_reason"], batch_size=_BATCH)
    ValueChange.objects.bulk_create(audit, batch_size=_BATCH)
    StateChange.objects.bulk_create(moves, batch_size=_BATCH)
    # Every touched return ends approved by the actor now, and only versions differ: one CASE on the few versions
    # there are (bulk_update's CASE over every return, for seven columns, took 2 s of the demo's 11).
    for start in range(0, len(touched), _BATCH):
        batch = touched[start : start + _BATCH]
        by_version: dict[int, list[int]] = {}
        for ret in batch:
            by_version.setdefault(ret.version, []).append(ret.pk)
        version = Case(
            *(When(pk__in=pks, then=Value(number)) for number, pks in by_version.items()), output_field=IntegerField()
        )
        Return.objects.filter(pk__in=[ret.pk for ret in batch]).update(
            state=Return.State.APPROVED,
            version=version,
            approved_version=version,
            approved_by=actor,
            approved_at=now,
            updated_by=actor,
            updated_at=now,
        )
    # Approved again: a copy of the values approved before a reopening has done its job (as in return_approve).
    ApprovedValue.objects.filter(ret__in=touched).delete()
    return len(audit)


def _loaded_values(
    values: Mapping[tuple[Team | None, Month, str], int],
) -> dict[tuple[int | None, dt.date], dict[int, int]]:
    """Return the counts by (team id, month) and measure id; raise InvalidValues naming every problem."""
    measures = {m.code: m for m in Measure.objects.all()}
    problems: set[str] = set()
    wanted: dict[tuple[int | None, dt.date], dict[int, int]] = {}
    for (team, month, code), value in values.items():
        measure = measures.get(code)
        level = Measure.Level.AUTHORITY if team is None else Measure.Level.TEAM
        if measure is None or measure.level != level:
            problems.add(f"{code} is not a measure {team.code if team else 'the council'} returns")
            continue
        try:
            count = validation.parse_count(value)
        except validation.CountError as exc:
            problems.add(f"{code}: {exc}")
            continue
        if count is None:
            problems.add(f"{code}: a loaded figure cannot be blank")
            continue
        wanted.setdefault((team.pk if team else None, month.first_day), {})[measure.pk] = count
    if problems:
        raise InvalidValues("Nothing was saved: " + "; ".join(sorted(problems)) + ".")
    return wanted


def _lock_or_start(
    keys: Iterable[tuple[int | None, dt.date]], *, actor: User
) -> dict[tuple[int | None, dt.date], Return]:
    """Return the returns for (team id, month), locked, starting drafts for the missing (as return_get_or_create)."""
    keys = set(keys)

    def locked() -> dict[tuple[int | None, dt.date], Return]:
        # of=self: the default ordering joins the team, whose nullable side PostgreSQL refuses to lock.
        rows = Return.objects.select_for_update(of=("self",)).filter(month__in={month for _, month in keys})
        return {(r.team_id, r.month): r for r in rows if (r.team_id, r.month) in keys}

    returns = locked()
    missing = keys - returns.keys()
    inactive = sorted(
        Team.objects.filter(pk__in={team for team, _ in missing}, active=False).values_list("code", flat=True)
    )
    if inactive:
        raise ReturnError(f"{', '.join(inactive)}: not active teams, so they make no new returns.")
    if not missing:
        return returns
    Return.objects.bulk_create(Return(team_id=team, month=month, updated_by=actor) for team, month in missing)
    return locked()


# ---------------------------------------------------------------- set-based writes (imports)


def returns_write_staged(plan, *, actor, now: dt.datetime, bulk: bool = False) -> int:
    """Write a checked import's staged values with set-based statements; return the audit rows written.

    `plan` is a returns.imports.StagedPlan: a temporary table of (row_no, month,
    unit, measure_id, value, ret_id, pos) rows, checked and locked by the import,
    where ret_id is a stored return's id or a negative placeholder for a return
    the import starts and pos the value's place among those staged; and
    `plan.writes`, the stored returns' new or changed values with the value each
    replaces (read under the rows' locks). In order:
    start the new returns (draft, version 2, as a form's first save) and map
    their placeholders; raise the version of each changed return (a submitted
    one goes back to draft, recorded); audit every new or changed value; then
    insert the new returns' values, update the changed values and insert the
    stored returns' new ones. Values equal to what is stored are neither
    written nor audited. The caller's transaction makes it all or nothing.
    With `bulk` (the caller holds the tables: `lock_for_bulk_write`), a write
    of IMPORT_BULK_VALUES values or more has its links checked once, at the
    end, rather than row by row (`links_checked_once`).
    """
    if not plan.new_returns and not plan.changed_returns:
        return 0
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    staging = plan.staging
    mapping, touched = f"{staging}_new_returns", f"{staging}_changed_returns"
    actor_id = actor.pk if actor is not None else None
    values, audit, returns, states = (
        quote(model._meta.db_table) for model in (ReturnValue, ValueChange, Return, StateChange)
    )

    writing = plan.result.new + plan.result.changed
    held = bulk and writing >= settings.IMPORT_BULK_VALUES
    # A table's links are checked once only when it takes that many new rows: an update that keeps a row's
    # links checks nothing, while adding a link back reads the whole table (a re-import of changed values
    # inserts audit rows only).
    inserted = {ValueChange: writing, ReturnValue: plan.result.new}
    with connection.cursor() as cursor:
        checked_once = [
            model
            for model, rows in inserted.items()
            if held and rows >= settings.IMPORT_BULK_VALUES and _cheaper_checked_once(cursor, model, rows)
        ]
    with connection.cursor() as cursor, links_checked_once(cursor, models=checked_once):
        # Returns the import starts: inserted from a table in one statement (the ORM builds an object a row),
        # then each placeholder is mapped to its id through the (team, month) the unique constraints key on.
        start_temp_table(
            cursor, mapping, "placeholder bigint PRIMARY KEY, month date NOT NULL, team_id bigint, ret_id bigint"
        )
        rows = [(key, month, team_id) for key, (month, team_id) in plan.new_returns.items()]
        load_rows(cursor, mapping, ("placeholder", "month", "team_id"), rows, postgres)
        cursor.execute(
            f"INSERT INTO {returns} (month, team_id, state, version, comment, updated_at, updated_by_id) "
            f"SELECT month, team_id, %s, 2, '', %s, %s FROM {mapping} ORDER BY placeholder DESC",
            [Return.State.DRAFT, now, actor_id],
        )
        cursor.execute(
            f"UPDATE {mapping} AS n SET ret_id = r.id FROM {returns} r "
            f"WHERE r.team_id = n.team_id AND r.month = n.month"
        )
        cursor.execute(
            f"UPDATE {mapping} AS n SET ret_id = r.id FROM {returns} r "
            f"WHERE n.team_id IS NULL AND r.team_id IS NULL AND r.month = n.month"
        )

        # Stored returns whose values change (locked by the import's plan, so version + 1 is exactly the
        # version read then plus one): a submitted one goes back to draft, on the record.
        start_temp_table(
            cursor, touched, "ret_id bigint PRIMARY KEY, state varchar(10) NOT NULL, version integer NOT NULL"
        )
        rows = [(pk, state, version) for pk, (state, version) in plan.changed_returns.items()]
        load_rows(cursor, touched, ("ret_id", "state", "version"), rows, postgres)
        cursor.execute(
            f"INSERT INTO {states} (ret_id, from_state, to_state, actor_id, at, reason, version) "
            f"SELECT ret_id, state, %s, %s, %s, %s, version + 1 FROM {touched} WHERE state = %s ORDER BY ret_id",
            [
                Return.State.DRAFT,
                actor_id,
                now,
                "Values changed after submission (import): submit again.",
                Return.State.SUBMITTED,
            ],
        )
        cursor.execute(
            f"UPDATE {returns} SET version = version + 1, state = %s, updated_by_id = %s, updated_at = %s "
            f"WHERE id IN (SELECT ret_id FROM {touched})",
            [Return.State.DRAFT, actor_id, now],
        )

        # Who imported which file is recorded once, and every audit row names that record.
        record = ImportRecord.objects.create(
            actor_id=actor_id, at=now, file_name=plan.result.file_name[:255], file_sha256=plan.result.sha256
        )
        audit_columns = (
            "ret_id, measure_id, old_value, new_value, unavailable_reason, at, source, reason, version, "
            "import_record_id"
        )
        audit_params = [now, Source.IMPORT, record.pk]
        # Every new or changed value is audited once, and every new one inserted once. Rows go in in the
        # order of the tables' indexes: appended to a page in hand, where a join's own order scattered them over
        # the whole index (at 1M values a write took twice as long). A file in return order is in that order
        # already, so each row's id is its staged position past the block's start, with no sort or numbering.
        audit_ids, value_ids = (
            _IdBlock(cursor, model, count, held, positions=plan.positions)
            for model, count in ((ValueChange, writing), (ReturnValue, plan.result.new))
        )
        new_order, stored_order = "n.ret_id, s.measure_id", "w.ret_id, w.measure_id"
        # Values of returns this import starts: all new, version 2; no stored value to compare with.
        id_column, id_value, id_params, order_by = audit_ids.numbering(new_order, "s.pos")
        cursor.execute(
            f"INSERT INTO {audit} ({id_column}{audit_columns}) SELECT {id_value}n.ret_id, s.measure_id, NULL, s.value, "
            f"'', %s, %s, '', 2, %s FROM {staging} s JOIN {mapping} n ON n.placeholder = s.ret_id{order_by}",
            id_params + audit_params,
        )
        audited = audit_ids.used(cursor.rowcount)
        id_column, id_value, id_params, order_by = value_ids.numbering(new_order, "s.pos")
        cursor.execute(
            f"INSERT INTO {values} ({id_column}ret_id, measure_id, value, unavailable_reason) "
            f"SELECT {id_value}n.ret_id, s.measure_id, s.value, '' FROM {staging} s "
            f"JOIN {mapping} n ON n.placeholder = s.ret_id{order_by}",
            id_params,
        )
        value_ids.used(cursor.rowcount)
        # Values of stored returns that change: staged by the plan with the value stored then (the rows are
        # locked), audited at the return's new version, then updated or inserted. When no stored return changes
        # (a first load) there are none, and nothing is read: each statement would scan every staged value.
        if plan.changed_returns:
            writes = plan.writes
            id_column, id_value, id_params, order_by = audit_ids.numbering(stored_order, "w.pos")
            cursor.execute(
                f"INSERT INTO {audit} ({id_column}{audit_columns}) "
                f"SELECT {id_value}w.ret_id, w.measure_id, w.old_value, w.value, '', %s, %s, '', r.version, %s "
                f"FROM {writes} w JOIN {returns} r ON r.id = w.ret_id{order_by}",
                id_params + audit_params,
            )
            audited += audit_ids.used(cursor.rowcount)
            alias = "AS w" if not postgres else "w"
            cursor.execute(
                f"UPDATE {values} AS v SET value = w.value, unavailable_reason = '' FROM {writes} {alias} "
                f"WHERE w.has_old AND v.ret_id = w.ret_id AND v.measure_id = w.measure_id"
            )
            id_column, id_value, id_params, order_by = value_ids.numbering(stored_order, "w.pos")
            cursor.execute(
                f"INSERT INTO {values} ({id_column}ret_id, measure_id, value, unavailable_reason) "
                f"SELECT {id_value}w.ret_id, w.measure_id, w.value, '' FROM {writes} w WHERE NOT w.has_old{order_by}",
                id_params,
            )
            value_ids.used(cursor.rowcount)
        cursor.execute(f"DROP TABLE {mapping}")
        cursor.execute(f"DROP TABLE {touched}")
        if postgres and audited >= ANALYZE_AFTER:
            # Autovacuum learns of a large import's rows only later; until then the planner guesses the
            # tables' sizes, and the next import's lookups by return turned into full scans (9 s at 1M rows).
            # Values changed in place leave the values table's size as it was.
            grown = [audit] + ([values] if plan.result.new >= ANALYZE_AFTER else [])
            cursor.execute(f"ANALYZE {', '.join(grown)}")
    return audited


class _IdBlock:
    """Ids for a held table's new rows, numbered in the insert itself rather than drawn one at a time.

    Each row's default id is a call to its sequence (nextval): about half a
    second a million rows. While an import holds the table
    (`lock_for_bulk_write`) nobody else draws from that sequence, so it takes a
    block of `count` ids at once and numbers its rows in key order with
    row_number(). With `positions` (the staged values of a file in return
    order), the block covers every staged position instead and a row's id is
    the block's start plus its position: already in key order, with no sort
    (the positions of values left unchanged go unused). Without the table
    held, or if the sequence may not be set, rows take their default ids as usual.
    """

    def __init__(self, cursor, model, count: int, held: bool, positions: int = 0) -> None:
        self.next: int | None = None
        self.end = 0  # one past the block's last id
        self.by_position = positions > 0
        if not held or count <= 0:
            return
        if self.by_position:
            count = positions
        try:
            with transaction.atomic():  # a savepoint: a refused setval leaves the sequence and transaction as they were
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
                (sequence,) = cursor.fetchone()
                if sequence is None:  # ids not drawn from a sequence: leave them to the table
                    return
                cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
                (last,) = cursor.fetchone()
        except DatabaseError as exc:
            logger.info("Bulk import: %s's ids are drawn row by row (%s)", model._meta.db_table, exc)
            return
        self.next, self.end = last - count + 1, last + 1

    def numbering(self, order: str, position: str) -> tuple[str, str, list, str]:
        """Return the insert's id column, its value in the SELECT with that value's parameters ('' and [] when
        the ids are the table's to draw), and the ORDER BY that puts its rows in key `order` ('' when they are).
        `position` is the column of the rows' staged positions."""
        if self.next is None:
            return "", "", [], f" ORDER BY {order}"
        if self.by_position:
            return "id, ", f"%s + {position}, ", [self.next], ""
        return "id, ", f"%s - 1 + row_number() OVER (ORDER BY {order}), ", [self.next], f" ORDER BY {order}"

    def used(self, rows: int) -> int:
        """Count `rows` ids as taken; return `rows`."""
        if self.next is not None and not self.by_position:  # positions fall in the block by its size
            self.next += rows
            if self.next > self.end:  # more rows than the plan counted: their ids are not this import's to use
                raise RuntimeError(f"An import wrote more rows than it took ids for ({self.next - self.end} over).")
        return rows


# Values written by one import past which it refreshes the planner's statistics itself.
ANALYZE_AFTER = 50_000
# Checking a table's links once reads every row it holds; checking them row by row, only the rows written. Once a
# table holds more than this many times the rows an import adds to it, row by row is the cheaper (measured with
# bench/links.py: a row-by-row check costs 12 to 16 times a row of the set-based one, so 10 leaves a margin).
LINKS_ONCE_TABLE_RATIO = 10


def _cheaper_checked_once(cursor, model: type[Model], rows: int) -> bool:
    """Return True if checking `model`'s links once, after `rows` are added, costs less than checking them row
    by row: while the table (the planner's estimate of its rows, kept fresh by ANALYZE) is not too large for them."""
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
    (estimate,) = cursor.fetchone()
    stored = max(int(estimate), 0)  # -1: never analysed, so never grown large since it was made
    return stored + rows <= LINKS_ONCE_TABLE_RATIO * rows


# How long a bulk write waits for the returns tables before it checks its links row by row instead.
BULK_LOCK_WAIT = "2s"


def lock_for_bulk_write() -> bool:
    """Take the returns tables for a bulk import's transaction; return True if they were had within BULK_LOCK_WAIT.

    Called before the import locks any return's row, so it can never wait in a
    circle with someone saving a return: a form save that arrives later waits
    for the import to commit. PostgreSQL only (elsewhere: False). Whoever holds
    the tables past BULK_LOCK_WAIT simply leaves the import to check its links
    row by row (`links_checked_once`).
    """
    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: a refused lock changes nothing
            cursor.execute(f"SET LOCAL lock_timeout = '{BULK_LOCK_WAIT}'")
            cursor.execute(f"LOCK TABLE {', '.join(_quoted(LINKING + LINKED))} IN ACCESS EXCLUSIVE MODE")
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    except DatabaseError as exc:
        logger.info("Bulk import: the returns tables are busy, so links are checked row by row (%s)", exc)
        return False
    return True


@contextlib.contextmanager
def links_checked_once(cursor, *, models: Sequence[type[Model]]) -> Iterator[None]:
    """Have the database check a bulk write's links to returns, measures and its import record once, set-based.

    PostgreSQL checks a foreign key with one lookup per written row (about
    4 microseconds each, and a value and its audit row have five links to
    returns, measures and the import record: 20 s of a 1M-value import). For a
    bulk write it is far cheaper to drop those constraints, write, and add them
    back: adding a constraint checks every row of the table in one join, and a
    broken link refuses it, rolling back the whole import, so nothing is ever
    stored unchecked. This is PostgreSQL's own advice for loading data ("Populating a
    Database" in its manual).

    `models` are the tables whose links are dropped (of LINKING; none: the
    links check row by row). The caller holds the tables (`lock_for_bulk_write`): no
    one else can see the constraints gone, and pages that read the tables wait
    for the commit (10-15 s after the file is read, at a million values).
    If the constraints may not be altered (the database user does not own the
    tables) they simply stay and check row by row. The link to the acting user
    always checks row by row: its table is read by every signed-in request, so
    it is never held.
    """
    if not models:
        yield
        return
    # A savepoint: should the writes fail, even if a caller catches the error, the constraints are back.
    with transaction.atomic():
        links = _drop_links(cursor, models)
        yield
        if links:
            _run_queued_checks(cursor)
        for table, name, definition in links:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {cursor.db.ops.quote_name(name)} {definition}")


def _drop_links(cursor, models: Sequence[type[Model]]) -> list[tuple[str, str, str]]:
    """Drop the tables' links to the LINKED tables; return (table, name, definition) of each.

    Return [] (nothing dropped) when the constraints may not be altered.
    """
    quote = cursor.db.ops.quote_name
    tables, targets = _quoted(models), _quoted(LINKED)
    try:
        with transaction.atomic():  # a savepoint: a refused drop leaves every constraint as it was
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) AND confrelid = ANY(%s::regclass[]) "
                "ORDER BY conrelid::regclass::text, conname",
                [tables, targets],
            )
            links = cursor.fetchall()
            _run_queued_checks(cursor)
            for table, name, _ in links:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    except DatabaseError as exc:
        logger.info("Bulk import: links checked row by row (%s)", str(exc).splitlines()[0])
        return []
    return links


# The tables a bulk write may drop links from, and the tables those links point to: it holds all five.
LINKING: tuple[type[Model], ...] = (ReturnValue, ValueChange)
LINKED: tuple[type[Model], ...] = (Return, Measure, ImportRecord)


def _quoted(models: Sequence[type[Model]]) -> list[str]:
    quote = connection.ops.quote_name
    return [quote(model._meta.db_table) for model in models]


def _run_queued_checks(cursor) -> None:
    """Run the checks this transaction has queued for its commit: a table with checks queued cannot be altered."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def start_temp_table(cursor, table: str, columns: str) -> None:
    """Create an empty temporary table, replacing one an earlier step in this connection left behind."""
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")


def load_rows(cursor, table: str, columns: tuple[str, ...], rows: list[tuple], postgres: bool) -> None:
    """Put rows into a (temporary) table: COPY on PostgreSQL, batched INSERTs elsewhere."""
    if not rows:
        return
    if postgres:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
