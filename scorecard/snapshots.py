"""Published scorecards frozen as snapshots: publishing, restating, unpublishing, and reading them back.

Publishing a month computes its scorecard from approved values once and stores
it whole (`ScorecardSnapshot`), with the approved return versions it used.
Every page and file of a published month is rendered from that snapshot, so a
correction made later changes nothing leaders see until the performance team
restates the month, which stores the next version with a note of each figure
that changed and why. Each of the three writes is a security event.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Q, Sum
from django.http import HttpRequest
from django.utils import timezone

from indicators import spc
from indicators.engine import (
    WINDOW_MONTHS,
    IndicatorResult,
    baseline_months,
    compute_indicator,
)
from indicators.expressions import POPULATION, names_in
from indicators.models import ChangePoint, Indicator, IndicatorLine, Measure, Target
from lib import frozen
from lib.months import Month
from lib.numbers import format_number
from returns import services as return_services
from returns.models import ReportingMonth, Return, ValueChange
from scorecard.models import ScorecardSnapshot
from scorecard.security import log_security_event
from scorecard.services import (
    PUBLISHED,
    HistoryPoint,
    Inputs,
    Panel,
    Restatement,
    Scorecard,
    build_scorecard,
    history_spc,
    indicators_needing_commentary,
    read_inputs,
)
from teams.models import Area, Population, Team

# The layout of ScorecardSnapshot.data; bump it (and teach `_decode` the old one) if the JSON's shape changes.
# Fields added to the dataclasses need no bump: a missing field takes its default.
FORMAT = 1
REASON_MAX = 1000


class SnapshotRefused(Exception):
    """A publish, restatement or unpublish that is refused; the message says why, for people."""

    def __init__(self, message: str, *, reasons: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.reasons = list(reasons)


# ---------------------------------------------------------------- figures, compared


@dataclass(frozen=True)
class Printed:
    """One figure as a key, a label for people and an exact value, for comparing versions."""

    label: str
    value: str | None  # a fraction "n/d", a rating word, or None for no data
    precision: int | None = None  # None: a word, not a number
    unit: str = "count"

    def shown(self) -> str:
        if self.value is None:
            return "no data"
        if self.precision is None:
            return self.value
        return format_number(Fraction(self.value), self.precision, unit=self.unit)


def printed_figures(results: Iterable[IndicatorResult]) -> dict[str, Printed]:
    """Return every figure of the results by key: each line's current, baseline and areas, and the rating."""
    figures: dict[str, Printed] = {}
    for result in results:
        spec = result.spec
        title = f"{spec.number}. {spec.short_title}"
        figures[f"{spec.code}:rating"] = Printed(f"{title} rating", result.rating)
        for line in result.lines:
            name = title if line.is_headline else f"{title}, {line.label}"
            cells = [("current", "", line.current), ("baseline", f" ({result.baseline_label})", line.baseline)]
            cells += [(area.area, f" ({area.name})", area.figure) for area in line.breakdown]
            for column, suffix, figure in cells:
                value = None if figure.value is None else str(Fraction(figure.value))
                figures[f"{spec.code}:{line.code}:{column}"] = Printed(name + suffix, value, line.precision, line.unit)
    return figures


def figure_changes(old: dict[str, Printed], new: dict[str, Printed]) -> list[str]:
    """Return '<figure> changed from A to B' for each figure whose value differs, in the new scorecard's order."""
    changes = []
    for key, figure in new.items():
        before = old.get(key)
        if before is None or before.value != figure.value:
            was = before.shown() if before else "not shown"
            changes.append(f"{figure.label} changed from {was} to {figure.shown()}")
    return changes


# ---------------------------------------------------------------- encoding


def encode(scorecard: Scorecard) -> str:
    """Return the scorecard as the snapshot's JSON text."""
    return json.dumps(frozen.to_plain(scorecard), separators=(",", ":"), ensure_ascii=False)


def decode(text: str, fmt: int = FORMAT) -> Scorecard:
    """Return the scorecard stored as JSON text of layout `fmt`."""
    if fmt != FORMAT:
        raise ValueError(f"unknown snapshot layout {fmt}")
    return frozen.from_plain(Scorecard, json.loads(text))


def _encode_figures(figures: dict[str, Printed]) -> str:
    return json.dumps({key: frozen.to_plain(figure) for key, figure in figures.items()}, ensure_ascii=False)


def _decode_figures(text: str) -> dict[str, Printed]:
    return {key: frozen.from_plain(Printed, plain) for key, plain in json.loads(text).items()}


# ---------------------------------------------------------------- sources


def approved_sources(month: Month) -> list[dict]:
    """Return the approved returns up to the month whose values approved figures use (one query).

    An approved return counts at its approved version; a reopened one at the
    version last approved, whose values stay in force.
    """
    rows = (
        Return.objects.filter(month__lte=month.first_day)
        .filter(Q(state=Return.State.APPROVED) | Q(approved_version__isnull=False))
        .order_by("month", "team__code")
        .values_list(
            "pk", "team__code", "month", "state", "version", "approved_version", "approved_by__username", "approved_at"
        )
    )
    return [
        {
            "return": pk,
            "unit": code or "council",
            "team": code is not None,
            "month": f"{day:%Y-%m}",
            "version": approved if approved is not None else version,
            "approved_by": by or "",
            "approved_at": at.isoformat() if at else "",
        }
        for pk, code, day, state, version, approved, by, at in rows
    ]


# ---------------------------------------------------------------- reading


def published_scorecard(month: Month, *, version: int | None = None, latest_version: int | None = None) -> Scorecard:
    """Return a published version of the month (the latest by default) from its snapshot (one query).

    A month published before snapshots existed is frozen the first time it is read.
    """
    rows = ScorecardSnapshot.objects.filter(month=month.first_day).defer("figures", "sources").order_by("-version")
    snapshot = (rows.filter(version=version) if version is not None else rows).first()
    if snapshot is None:
        if version is not None:
            raise ScorecardSnapshot.DoesNotExist(f"{month.long_label} has no version {version}.")
        snapshot = _freeze_legacy(month)
        latest = snapshot.version
    else:
        latest = snapshot.version if version is None else latest_version
    return as_scorecard(snapshot, latest_version=latest)


def as_scorecard(snapshot: ScorecardSnapshot, *, latest_version: int | None = None) -> Scorecard:
    """Return the snapshot's scorecard with its version, restatements and cache stamp."""
    scorecard = decode(snapshot.data, snapshot.format)
    notes = tuple(frozen.from_plain(Restatement, note) for note in json.loads(snapshot.restatements))
    if latest_version is None:
        latest_version = (
            ScorecardSnapshot.objects.filter(month=snapshot.month)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
            or snapshot.version
        )
    return replace(
        scorecard,
        status=PUBLISHED,
        stamp=f"snapshot-{snapshot.pk}",
        version=snapshot.version,
        latest_version=latest_version,
        restatements=notes,
    )


@dataclass(frozen=True)
class SnapshotRef:
    """Which snapshot a page shows: its id, its version and the month's latest version."""

    pk: int
    version: int
    latest: int


def snapshot_ref(month: Month, version: int | None = None) -> SnapshotRef | None:
    """Return the month's snapshot of that version (the latest by default), or None (one query).

    A month published before snapshots existed is frozen the first time it is read.
    """
    rows = list(
        ScorecardSnapshot.objects.filter(month=month.first_day).order_by("version").values_list("pk", "version")
    )
    if not rows and version is None:
        snapshot = _freeze_legacy(month)
        rows = [(snapshot.pk, snapshot.version)]
    found = (
        next((row for row in rows if row[1] == version), None) if version is not None else (rows[-1] if rows else None)
    )
    return SnapshotRef(found[0], found[1], rows[-1][1]) if found else None


def figure_sources(scorecard: Scorecard, panel: Panel) -> list[dict]:
    """Return the approved returns behind a published panel's month and baseline, with approver and files.

    The months are the headline's window for the month and for each baseline
    month; the units, those returning a measure the indicator uses. Files come
    from the audit trail up to each return's approved version (two queries).
    """
    spec, month = panel.spec, scorecard.month
    window = WINDOW_MONTHS[spec.window]
    months = {str(m) for m in month.window(window)}
    for base in baseline_months(spec, month):
        months.update(str(m) for m in base.window(window))
    codes: set[str] = set()
    for line in spec.lines:
        for text in (line.numerator, line.denominator, line.area_numerator):
            codes |= set(names_in(text)) if text else set()
    codes.discard(POPULATION)
    levels = set(Measure.objects.filter(code__in=codes).values_list("level", flat=True))
    wanted = [
        row
        for row in snapshot_sources(month, scorecard.version)
        if row["month"] in months and (Measure.Level.TEAM if _is_team(row) else Measure.Level.AUTHORITY) in levels
    ]
    versions_by_return = {row["return"]: row["version"] for row in wanted}
    files: dict[int, set[tuple[str, str]]] = {}
    for ret_id, version, name, sha in ValueChange.objects.filter(
        ret_id__in=versions_by_return, measure__code__in=codes, import_record__isnull=False
    ).values_list("ret_id", "version", "import_record__file_name", "import_record__file_sha256"):
        if version is None or version <= versions_by_return[ret_id]:
            files.setdefault(ret_id, set()).add((name, sha))
    rows = [
        {
            **row,
            "files": sorted(files.get(row["return"], ())),
            "approved_at": dt.datetime.fromisoformat(row["approved_at"]) if row["approved_at"] else None,
        }
        for row in wanted
    ]
    rows.sort(key=lambda row: row["unit"])
    rows.sort(key=lambda row: row["month"], reverse=True)  # newest month first, units in order within it
    return rows


def _is_team(row: dict) -> bool:
    return row.get("team", row["unit"] != "council")


def versions(month: Month) -> list[ScorecardSnapshot]:
    """Return the month's published versions, oldest first, without their data (one query)."""
    return list(
        ScorecardSnapshot.objects.filter(month=month.first_day)
        .order_by("version")
        .only("month", "version", "published_at", "published_by", "reason")
        .select_related("published_by")
    )


def snapshot_sources(month: Month, version: int) -> list[dict]:
    """Return the approved returns a published version was computed from (one query)."""
    text = (
        ScorecardSnapshot.objects.filter(month=month.first_day, version=version)
        .values_list("sources", flat=True)
        .first()
    )
    return json.loads(text) if text else []


# ---------------------------------------------------------------- writing


def _store(
    month: Month,
    scorecard: Scorecard,
    *,
    version: int,
    actor,
    at: dt.datetime,
    reason: str = "",
    restatements: Sequence[Restatement] = (),
) -> ScorecardSnapshot:
    return ScorecardSnapshot.objects.create(
        month=month.first_day,
        version=version,
        format=FORMAT,
        data=encode(scorecard),
        figures=_encode_figures(printed_figures(panel.result for panel in scorecard.panels)),
        sources=json.dumps(approved_sources(month)),
        restatements=json.dumps([frozen.to_plain(note) for note in restatements]),
        reason=reason,
        published_at=at,
        published_by=actor,
    )


def _freeze_legacy(month: Month) -> ScorecardSnapshot:
    """Freeze a month published without a snapshot (before they existed), as published, from approved values."""
    record = ReportingMonth.objects.get(month=month.first_day)
    try:
        with transaction.atomic():
            return _store(
                month,
                build_scorecard(month, PUBLISHED),
                version=1,
                actor=record.published_by,
                at=record.published_at or timezone.now(),
                reason="Frozen when first read",
            )
    except IntegrityError:  # another request froze it first
        return ScorecardSnapshot.objects.get(month=month.first_day, version=1)


def _locked_month(month: Month) -> ReportingMonth:
    row, _ = ReportingMonth.objects.get_or_create(month=month.first_day)
    return ReportingMonth.objects.select_for_update().get(pk=row.pk)


def _latest(month: Month) -> ScorecardSnapshot | None:
    return ScorecardSnapshot.objects.filter(month=month.first_day).order_by("-version").first()


@transaction.atomic
def month_publish(*, month: Month, actor, request: HttpRequest | None = None) -> ScorecardSnapshot:
    """Publish the month once every return is approved and red or amber indicators have commentary, freezing it.

    A month published before, then withdrawn, comes back as its next version.
    """
    try:
        return_services.month_publish(month=month, actor=actor, needs_commentary=indicators_needing_commentary(month))
    except return_services.PublishRefused as exc:
        log_security_event(
            request,
            "month_publish_refused",
            user=_name(actor),
            month=str(month),
            reasons="; ".join(exc.reasons) or exc.message,
        )
        raise SnapshotRefused(exc.message, reasons=exc.reasons) from None
    record = ReportingMonth.objects.get(month=month.first_day)
    previous = _latest(month)
    scorecard = build_scorecard(month, PUBLISHED)
    notes: list[Restatement] = []
    if previous is not None:
        notes = [frozen.from_plain(Restatement, n) for n in json.loads(previous.restatements)]
        changes = figure_changes(
            _decode_figures(previous.figures), printed_figures(panel.result for panel in scorecard.panels)
        )
        notes.append(Restatement(previous.version + 1, _day(record.published_at), "Published again", tuple(changes)))
    snapshot = _store(
        month,
        scorecard,
        version=previous.version + 1 if previous else 1,
        actor=actor,
        at=record.published_at or timezone.now(),
        reason="Published again" if previous else "",
        restatements=notes,
    )
    log_security_event(request, "month_published", user=_name(actor), month=str(month), version=snapshot.version)
    return snapshot


@transaction.atomic
def month_restate(*, month: Month, actor, reason: str, request: HttpRequest | None = None) -> ScorecardSnapshot:
    """Publish the next version of a published month from today's approved values, saying why and what changed."""
    reason = (reason or "").strip()
    try:
        if not reason:
            raise SnapshotRefused("Give the reason for restating the month: leaders read it beside the change.")
        if len(reason) > REASON_MAX:
            raise SnapshotRefused(f"The reason is longer than {REASON_MAX} characters.")
        record = _locked_month(month)
        if not record.is_published:
            raise SnapshotRefused(f"{month.long_label} is not published, so there is nothing to restate.")
        previous = _latest(month) or _freeze_legacy(month)
        scorecard = build_scorecard(month, PUBLISHED)
        changes = figure_changes(
            _decode_figures(previous.figures), printed_figures(panel.result for panel in scorecard.panels)
        )
        if not changes and encode(replace(scorecard, stamp="")) == previous.data:
            raise SnapshotRefused(f"Approved data gives the same {month.long_label} as published: nothing to restate.")
    except SnapshotRefused as exc:
        log_security_event(request, "month_restate_refused", user=_name(actor), month=str(month), reason=exc.message)
        raise
    now = timezone.now()
    notes = [frozen.from_plain(Restatement, n) for n in json.loads(previous.restatements)]
    notes.append(
        Restatement(
            previous.version + 1,
            _day(now),
            reason,
            tuple(changes) or ("Commentary or chart history corrected; no figure changed",),
        )
    )
    snapshot = _store(
        month, scorecard, version=previous.version + 1, actor=actor, at=now, reason=reason, restatements=notes
    )
    record._history_user = actor
    record._change_reason = f"Restated as version {snapshot.version}: {reason}"
    record.save()
    log_security_event(
        request,
        "month_restated",
        user=_name(actor),
        month=str(month),
        version=snapshot.version,
        reason=reason,
        changes=len(changes),
    )
    return snapshot


@transaction.atomic
def month_unpublish(*, month: Month, actor, reason: str, request: HttpRequest | None = None) -> ReportingMonth:
    """Withdraw a published month from senior leaders, saying why; its snapshots are kept."""
    reason = (reason or "").strip()
    record = _locked_month(month)
    if not reason or not record.is_published:
        message = (
            "Give the reason for withdrawing the month." if not reason else f"{month.long_label} is not published."
        )
        log_security_event(request, "month_unpublish_refused", user=_name(actor), month=str(month), reason=message)
        raise SnapshotRefused(message)
    record.published_at, record.published_by = None, None
    record._history_user = actor
    record._change_reason = f"Unpublished: {reason}"
    record.save()
    log_security_event(request, "month_unpublished", user=_name(actor), month=str(month), reason=reason)
    return record


def freeze_months(months: Sequence[Month], *, actor) -> int:
    """Publish and freeze months in bulk, reading the counts once, without the completeness checks.

    For the demo loader and benchmarks only, whose returns are approved by construction.
    """
    if not months:
        return 0
    inputs: Inputs = read_inputs(max(months))
    now, frozen_count = timezone.now(), 0
    for month in sorted(months):
        record, _ = ReportingMonth.objects.get_or_create(month=month.first_day)
        if record.is_published and ScorecardSnapshot.objects.filter(month=month.first_day).exists():
            continue
        record.published_at, record.published_by = record.published_at or now, actor
        record._history_user = actor
        record._change_reason = "Published"
        record.save()
        _store(month, build_scorecard(month, PUBLISHED, inputs=inputs), version=1, actor=actor, at=record.published_at)
        frozen_count += 1
    return frozen_count


# ---------------------------------------------------------------- what approved data would now change


@dataclass(frozen=True)
class Difference:
    """A published month whose figures, charted history or SPC reading approved data would now change."""

    month: Month
    version: int
    changes: tuple[str, ...]
    charts: tuple[str, ...] = ()  # "<indicator>: chart history or SPC limits change", per indicator


# The history models whose newest row moves with what the corrections read (targets, populations, indicators,
# publishing); change points move SPC limits, which the corrections compare too.
_INPUT_HISTORIES: tuple[type[models.Model], ...] = (
    Indicator.history.model,
    IndicatorLine.history.model,
    Target.history.model,
    Measure.history.model,
    Population.history.model,
    Team.history.model,
    Area.history.model,
    ReportingMonth.history.model,
    ChangePoint.history.model,
)


def inputs_stamp() -> str:
    """Return a fingerprint of approved data, reference data and snapshots, in one query.

    Approving raises a return's version and records it, so the count and sums of
    approved versions change with any approval; the history tables' newest rows
    change with targets, populations, indicators and publishing. Table and column
    names come from the models, so a renamed table or field cannot leave a stale name here.
    """
    return "-".join(str(value) for value in _stamp_parts())


def _stamp_parts() -> list[int]:
    """Return the stamp's parts: the newest snapshot, the approved returns' count and sums, then each history's."""

    def column(model: type[models.Model], field: str) -> str:
        return connection.ops.quote_name(cast(models.Field, model._meta.get_field(field)).column)

    def table(model: type[models.Model]) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    returns, state = table(Return), column(Return, "state")
    histories = "".join(
        f", (SELECT MAX({column(model, 'history_id')}) FROM {table(model)})" for model in _INPUT_HISTORIES
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX({column(ScorecardSnapshot, 'id')}) FROM {table(ScorecardSnapshot)}), "
            f"(SELECT COUNT(*) FROM {returns} WHERE {state} = %s), "
            f"(SELECT SUM({column(Return, 'version')}) FROM {returns} WHERE {state} = %s), "
            f"(SELECT SUM({column(Return, 'approved_version')}) FROM {returns}){histories}",
            [Return.State.APPROVED, Return.State.APPROVED],
        )
        return [value or 0 for value in cursor.fetchone()]


# The corrections' entries are keyed by everything they read, so none goes stale: they are kept a week, and the
# first view after an hour's quiet does not check four years of months again (2.8 s on the demo).
_CORRECTIONS_SECONDS = 7 * 24 * 60 * 60
# The apps whose code computes what the corrections compare (figures, charts, SPC readings).
_COMPUTING_APPS = ("indicators", "lib", "returns", "scorecard", "teams")


@functools.cache
def _source_digest() -> str:
    """Return a digest of the computing apps' Python source, read once a process."""
    digest = hashlib.sha256()
    for app in _COMPUTING_APPS:
        for path in sorted((settings.BASE_DIR / app).rglob("*.py")):
            digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def computing_release() -> str:
    """Return what identifies how figures are computed: the source and the SPC settings.

    The corrections' entries are keyed by it, so a release that changes how a
    figure is computed has every published month checked again, though a shared
    cache (Redis) outlives the release.
    """
    return f"{_source_digest()}-{settings.SPC_SHIFT_LENGTH}-{settings.SPC_TREND_LENGTH}"


@dataclass(frozen=True)
class Corrections:
    """What the corrections panel shows: the differences found, and the published months not checked yet."""

    differences: list[Difference]
    # Published months left for later views (`published_corrections`'s bound), earliest first.
    unchecked: tuple[Month, ...] = ()


def published_differences() -> list[Difference]:
    """Return each published month whose latest snapshot differs from what approved data now gives: all checked."""
    return published_corrections(at_most=None).differences


def published_corrections(*, at_most: int | None) -> Corrections:
    """Return the corrections, checking at most `at_most` published months afresh (None: every one that needs it).

    Cached under a stamp of everything it reads (`inputs_stamp`), so a page view
    recomputes only after an approval, a publication or a reference data change;
    and then only the months that change can move (`_published_differences`).
    Each month checked is kept as it is checked, so when more months need
    checking than `at_most` (after a release, with years published), the latest
    are checked first and each later view checks the next ones.
    """
    parts, release = _stamp_parts(), computing_release()
    key = f"published-differences:v3:{release}:" + "-".join(map(str, parts))
    found = cache.get(key)
    if found is not None:
        return Corrections(cast(list[Difference], found))
    # Publishing moves the newest snapshot and the months' history; each month's entry names its own snapshot.
    reference = [
        part
        for model, part in zip(_INPUT_HISTORIES, parts[4:], strict=True)
        if model is not ReportingMonth.history.model
    ]
    corrections = _published_differences(release + ":" + "-".join(map(str, reference)), at_most)
    if not corrections.unchecked:  # only a whole answer stands for the stamp
        cache.set(key, corrections.differences, _CORRECTIONS_SECONDS)
    return corrections


def _approved_stamps(months: Sequence[Month]) -> dict[Month, str]:
    """Return, for each of these months, a fingerprint of the approved returns up to and including it.

    A month's figures, charted history and SPC reading read approved values of
    that month and earlier only, so an approval moves the fingerprints of its
    month and the later ones, and no earlier month's (one query).
    """
    approved = Q(state=Return.State.APPROVED)
    rows = (
        Return.objects.values("month")
        .annotate(
            count=Count("pk", filter=approved),
            versions=Sum("version", filter=approved),
            approved_versions=Sum("approved_version"),
        )
        .order_by("month")
        .values_list("month", "count", "versions", "approved_versions")
    )
    held = iter(rows)
    row = next(held, None)
    stamps, running = {}, (0, 0, 0)
    for month in sorted(months):
        while row is not None and Month.of(row[0]) <= month:
            running = tuple(total + (part or 0) for total, part in zip(running, row[1:], strict=True))
            row = next(held, None)
        stamps[month] = "-".join(map(str, running))
    return stamps


def _published_differences(reference: str, at_most: int | None = None) -> Corrections:
    """Compute the differences, each published month's cached under its snapshot, `reference` (the computing
    release and the reference data's stamp) and the fingerprint of approved returns up to it, so only the months
    a change can move are computed again: after December's approval or restatement, December alone.

    For those, the approved counts are read once (to the latest published month); each month's printed figures
    come from the engine, and each indicator's charted history and SPC reading are compared with the snapshot's.
    A month's headline figure is computed once whichever of those months chart it. With `at_most`, the months
    beyond it are left unchecked, named in the answer.
    """
    published = sorted(
        Month.of(d) for d in ReportingMonth.objects.filter(published_at__isnull=False).values_list("month", flat=True)
    )
    if not published:
        return Corrections([])
    latest: dict[Month, int] = {}  # each published month's latest snapshot
    for pk, day in (
        ScorecardSnapshot.objects.filter(month__in=[m.first_day for m in published])
        .order_by("month", "version")
        .values_list("pk", "month")
    ):
        latest[Month.of(day)] = pk
    approved = _approved_stamps(list(latest))
    keys = {
        month: f"published-difference:v1:{month}:{pk}:{approved[month]}:{reference}" for month, pk in latest.items()
    }
    # Each entry is a one-tuple, (Difference,) or (None,), so a month that matches is told from a missing entry.
    known: dict[str, tuple[Difference | None]] = cache.get_many(list(keys.values()))
    stale = [month for month in published if month in keys and keys[month] not in known]
    # At most `at_most` of them now, the latest first (leaders read them most); the rest wait for a later view.
    cut = max(len(stale) - at_most, 0) if at_most is not None else 0
    waiting, stale = tuple(stale[:cut]), stale[cut:]
    if stale:
        computed = _months_differences({month: latest[month] for month in stale}, published[-1])
        fresh = {keys[month]: (computed.get(month),) for month in stale}
        cache.set_many(fresh, _CORRECTIONS_SECONDS)
        known = {**known, **fresh}
    differences = [
        d for month in published if month in keys and keys[month] in known and (d := known[keys[month]][0]) is not None
    ]
    return Corrections(differences, waiting)


def _months_differences(latest: dict[Month, int], until: Month) -> dict[Month, Difference]:
    """Return the differences of these published months from their snapshots (by id), reading counts to `until`."""
    snapshots = {
        Month.of(snapshot.month): snapshot
        for snapshot in ScorecardSnapshot.objects.filter(pk__in=latest.values()).only("month", "version", "figures")
    }
    published_charts = _published_charts(snapshots)
    inputs = read_inputs(until)
    found = {}
    for month in sorted(latest):
        snapshot = snapshots[month]
        results = [compute_indicator(inputs.totals, spec, month, inputs.data.areas) for spec in inputs.specs]
        changes = figure_changes(_decode_figures(snapshot.figures), printed_figures(results))
        stored = published_charts[month]
        charts = []
        for spec, result in zip(inputs.specs, results, strict=True):
            history = inputs.history(spec, month)
            if stored.get(spec.code) != _chart(history, history_spc(spec, history, result)):
                charts.append(f"{spec.number}. {spec.short_title}: chart history or SPC limits change")
        if changes or charts:
            found[month] = Difference(month, snapshot.version, tuple(changes), tuple(charts))
    return found


def _chart(history: Sequence[HistoryPoint], reading: spc.SpcResult | None) -> tuple:
    """What a panel's chart shows: the value of each month charted, and the SPC reading."""
    return tuple((point.month, point.value.value) for point in history), reading


def _published_charts(snapshots: dict[Month, ScorecardSnapshot]) -> dict[Month, dict[str, tuple]]:
    """Return each snapshot's charts as published (`_chart`), by indicator code.

    A snapshot never changes, so its charts are decoded once a release (the
    decoding is of that release) and kept by its id, month and version, as long as the
    corrections: a reference data change checks every month again from them,
    and decoding whole snapshots was most of that check's time.
    """
    release = computing_release()
    keys = {
        month: f"published-charts:v1:{snapshot.pk}:{month}:{snapshot.version}:{release}"
        for month, snapshot in snapshots.items()
    }
    found: dict[str, dict[str, tuple]] = cache.get_many(list(keys.values()))
    missing = {snapshot.pk: keys[month] for month, snapshot in snapshots.items() if keys[month] not in found}
    if missing:
        fresh = {
            missing[pk]: {panel.spec.code: _chart(panel.history, panel.spc) for panel in decode(data, fmt).panels}
            for pk, fmt, data in ScorecardSnapshot.objects.filter(pk__in=missing).values_list("pk", "format", "data")
        }
        cache.set_many(fresh, _CORRECTIONS_SECONDS)
        found = {**found, **fresh}
    return {month: found[key] for month, key in keys.items()}


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def _day(moment: dt.datetime | None) -> str:
    moment = timezone.localtime(moment) if moment else timezone.localtime()
    return f"{moment.day} {moment:%B %Y}"
