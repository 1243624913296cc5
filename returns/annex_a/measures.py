"""Which Annex A columns each measure needs, and the month's counts from one row at a time. No database.

Every definition below is written out in the README ("Annex A"); month M runs
from its first day F to its last day E. Team-level measures are counted by
the list's "Allocated Team" name (mapped to a team later, by the importer);
authority-level ones for the whole council.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from lib.months import Month
from lib.workdays import WorkingCalendar
from returns.annex_a import cells

TIMESCALE_WORKING_DAYS = 45
UNALLOCATED_AFTER_DAYS = 7
CARE_LEAVER_AGES = (17, 21)


def header_key(text: object) -> str:
    """Return a header as compared: letters and digits only, lower case ("Date of  Referral " is "dateofreferral")."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


@dataclass(frozen=True)
class Column:
    """A column a measure reads: its name in the Annex A template and the other spellings files use."""

    key: str
    label: str
    parse: Callable[..., object]
    aliases: tuple[str, ...] = ()
    prefix: bool = False  # the header may carry more words after these (e.g. "... (Y/N)")

    def read(self, raw: object, date1904: bool) -> object:
        """Return the cell's value; raise ValueError saying what is wrong (never repeating the cell)."""
        return cells.parse_date(raw, date1904=date1904) if self.parse is cells.parse_date else self.parse(raw)

    def matches(self, header: str) -> bool:
        keys = (header_key(self.label), *map(header_key, self.aliases))
        return header in keys or (self.prefix and any(header.startswith(k) for k in keys))


TEAM = Column("team", "Allocated Team", cells.parse_text, ("Team", "Allocated Team Name", "Team Name"))


@dataclass(frozen=True)
class ListSpec:
    """One Annex A list: its number, title, the columns read and which measures need which columns."""

    number: int
    title: str
    columns: tuple[Column, ...]
    needs: dict[str, tuple[str, ...]]  # measure code -> column keys it needs
    team_measures: tuple[str, ...] = ()

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


LISTS: dict[int, ListSpec] = {
    spec.number: spec
    for spec in (
        ListSpec(1, "Contacts", (), {}),
        ListSpec(2, "Early help", (), {}),
        ListSpec(
            3,
            "Referrals",
            (
                Column("referral_date", "Date of referral", cells.parse_date, ("Referral date", "Referral start date")),
                Column(
                    "previous",
                    "Number of referrals in last 12 months",
                    cells.parse_count,
                    (
                        "Number of referrals in the last 12 months",
                        "Referrals in last 12 months",
                        "No of referrals in last 12 months",
                        "No. of referrals in last 12 months",
                    ),
                    prefix=True,
                ),
            ),
            {"referrals": ("referral_date",), "re_referrals": ("referral_date", "previous")},
        ),
        ListSpec(
            4,
            "Assessments",
            (
                Column(
                    "start",
                    "Continuous assessment start date",
                    cells.parse_date,
                    ("Assessment start date", "Start date of assessment", "Date assessment started"),
                ),
                Column(
                    "authorised",
                    "Continuous assessment date of authorisation",
                    cells.parse_date,
                    (
                        "Assessment authorisation date",
                        "Date of authorisation",
                        "Assessment date of authorisation",
                        "Date assessment authorised",
                        "Assessment completion date",
                        "Authorisation date",
                    ),
                ),
                Column(
                    "seen",
                    "Child seen during continuous assessment",
                    cells.parse_yes_no,
                    (
                        "Was the child seen during the assessment",
                        "Child seen during assessment",
                        "Child seen",
                        "Was the child seen",
                    ),
                    prefix=True,
                ),
                TEAM,
            ),
            {
                "assessments_completed": ("authorised",),
                "children_seen_at_assessment": ("authorised", "seen"),
                "assessments_in_timescale": ("start", "authorised", "team"),
                "assessments_out_of_timescale": ("start", "authorised", "team"),
            },
            ("assessments_in_timescale", "assessments_out_of_timescale"),
        ),
        ListSpec(5, "Section 47 enquiries", (), {}),
        ListSpec(
            6,
            "Children in need",
            (
                Column(
                    "start",
                    "CIN start date",
                    cells.parse_date,
                    ("Child in need start date", "Date case opened", "Episode start date", "CIN episode start date"),
                ),
                Column(
                    "closed",
                    "CIN closure date",
                    cells.parse_date,
                    (
                        "Child in need closure date",
                        "Date case closed",
                        "Episode end date",
                        "CIN episode end date",
                        "CIN end date",
                    ),
                ),
                Column("status", "Case status", cells.parse_looked_after, ("Case status at end of period",)),
                TEAM,
                Column("worker", "Allocated Worker", cells.parse_text, ("Allocated social worker", "Worker")),
            ),
            {
                "cin_supported_total": ("start", "closed"),
                "cin_supported_at_home": ("start", "closed", "status"),
                "open_cases": ("start", "closed", "team"),
                "unallocated_cases": ("start", "closed", "team", "worker"),
            },
            ("open_cases", "unallocated_cases"),
        ),
        ListSpec(
            7,
            "Child protection",
            (
                Column(
                    "start",
                    "Child protection plan start date",
                    cells.parse_date,
                    ("CP plan start date", "CPP start date", "Plan start date"),
                ),
                Column(
                    "ended",
                    "Child protection plan end date",
                    cells.parse_date,
                    ("CP plan end date", "CPP end date", "Plan end date", "Date plan ended"),
                ),
                Column(
                    "visit",
                    "Date of the last statutory visit",
                    cells.parse_date,
                    ("Date of last statutory visit", "Last statutory visit date", "Date of last visit"),
                ),
                TEAM,
            ),
            {
                "cpp_children": ("start", "ended", "team"),
                "cpp_visits_due": ("start", "ended", "team"),
                "cpp_visits_made": ("start", "ended", "visit", "team"),
            },
            ("cpp_children", "cpp_visits_due", "cpp_visits_made"),
        ),
        ListSpec(
            8,
            "Children looked after",
            (
                Column(
                    "start",
                    "Date started to be looked after",
                    cells.parse_date,
                    (
                        "Date started looked after",
                        "Date child started to be looked after",
                        "Date became looked after",
                        "CLA start date",
                    ),
                ),
                Column(
                    "ceased",
                    "Date ceased to be looked after",
                    cells.parse_date,
                    ("Date ceased looked after", "Date child ceased to be looked after", "CLA end date"),
                ),
                Column("uasc", "Unaccompanied asylum seeking child", cells.parse_yes_no, ("UASC",), prefix=True),
                TEAM,
            ),
            {"cic_children": ("start", "ceased", "uasc", "team"), "cic_uasc": ("start", "ceased", "uasc")},
            ("cic_children",),
        ),
        ListSpec(
            9,
            "Care leavers",
            (
                Column("birth", "Date of birth", cells.parse_date, ("DOB", "Birth date")),
                Column(
                    "activity",
                    "Activity status",
                    cells.parse_activity,
                    ("Main activity", "Activity", "Current activity"),
                ),
            ),
            {"care_leavers": ("birth",), "care_leavers_ete": ("birth", "activity")},
        ),
        ListSpec(
            10,
            "Adoption",
            (
                Column(
                    "entered_care",
                    "Date the child entered care",
                    cells.parse_date,
                    ("Date child entered care", "Date entered care", "Date of entry into care"),
                ),
                Column("placement_order", "Date of placement order", cells.parse_date, ("Placement order date",)),
                Column(
                    "matched",
                    "Date of matching child and prospective adopters",
                    cells.parse_date,
                    ("Date of match", "Date matched", "Matching date", "Date of matching"),
                ),
                Column(
                    "placed",
                    "Date placed for adoption",
                    cells.parse_date,
                    ("Date child placed for adoption", "Adoptive placement date", "Date of adoptive placement"),
                ),
            ),
            {
                "adoption_match_children": ("matched", "placement_order"),
                "adoption_match_days": ("matched", "placement_order"),
                "adoption_placement_children": ("placed", "entered_care"),
                "adoption_placement_days": ("placed", "entered_care"),
            },
        ),
        ListSpec(11, "Adopters", (), {}),
    )
}

ALL_MEASURES = tuple(code for spec in LISTS.values() for code in spec.needs)
TEAM_MEASURES = frozenset(code for spec in LISTS.values() for code in spec.team_measures)


def list_number(sheet_name: str) -> int | None:
    """Return the list a sheet holds from its name ("List 3", "list3", "List 3 - Referrals", "L3"), or None."""
    match = re.match(r"^\s*(?:list|l)\s*[-_.]?\s*0?(\d{1,2})\b", sheet_name, re.IGNORECASE)
    if match and int(match.group(1)) in LISTS:
        return int(match.group(1))
    return None


@dataclass
class Tally:
    """The month's counts so far: for the authority, and per team name for team-level measures."""

    authority: Counter = field(default_factory=Counter)
    teams: defaultdict = field(default_factory=lambda: defaultdict(Counter))
    team_rows: Counter = field(default_factory=Counter)  # rows counted for a team, per team name
    no_team_rows: int = 0


@dataclass(frozen=True)
class Context:
    """The month being derived and the calendar its working days come from."""

    month: Month
    calendar: WorkingCalendar

    @property
    def first(self) -> dt.date:
        return self.month.first_day

    @property
    def last(self) -> dt.date:
        return (self.month + 1).first_day - dt.timedelta(days=1)

    def in_month(self, day: dt.date | None) -> bool:
        return day is not None and self.first <= day <= self.last

    def open_at_end(self, start: dt.date | None, end: dt.date | None) -> bool:
        """Return True if something started on or before E and had not ended by E (an end after E)."""
        return start is not None and start <= self.last and (end is None or end > self.last)


class RowProblem(Exception):
    """A row whose values contradict each other so that a figure would be wrong (refuses the import)."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def count_row(
    number: int, row: dict, measures: frozenset[str], ctx: Context, tally: Tally, note: Callable[[str, str], None]
) -> None:
    """Add one parsed row of list `number` to the tally, for the measures the list can give.

    `note(column, message)` records a row that cannot be used for a measure (a blank it needs).
    """
    COUNTERS[number](row, measures, ctx, tally, note)


def _team(row: dict, tally: Tally, measures: frozenset[str], spec_measures: tuple[str, ...]) -> str | None:
    """Return the row's team name when the list's team measures are being derived (None: authority only)."""
    if not any(m in measures for m in spec_measures):
        return None
    name = row.get("team")
    if name is None:
        tally.no_team_rows += 1
    return name


def _add_team(tally: Tally, name: str | None, measure: str, amount: int = 1) -> None:
    if name is not None:
        tally.teams[name][measure] += amount


def _referrals(row, measures, ctx, tally, note) -> None:
    day = row.get("referral_date")
    if day is None:
        note("referral_date", "no date of referral: the row is not counted")
        return
    if not ctx.in_month(day):
        return
    tally.authority["referrals"] += 1
    if "re_referrals" in measures:
        previous = row.get("previous")
        if previous is None:
            note(
                "previous", "no number of referrals in the last 12 months: counted as a referral, not as a re-referral"
            )
        elif previous >= 2:  # the count includes this referral
            tally.authority["re_referrals"] += 1


def _assessments(row, measures, ctx, tally, note) -> None:
    done = row.get("authorised")
    if done is None or not ctx.in_month(done):
        return
    tally.authority["assessments_completed"] += 1
    if "children_seen_at_assessment" in measures and row.get("seen") is True:
        tally.authority["children_seen_at_assessment"] += 1
    if "assessments_in_timescale" not in measures:
        return
    team = _team(row, tally, measures, ("assessments_in_timescale",))
    start = row.get("start")
    if start is None:
        note("start", "no assessment start date: not counted in or out of timescale")
        return
    if start > done:
        raise RowProblem("start", "the assessment starts after its authorisation date")
    days = ctx.calendar.count(start, done)
    if team is not None:
        tally.team_rows[team] += 1
    _add_team(
        tally, team, "assessments_in_timescale" if days <= TIMESCALE_WORKING_DAYS else "assessments_out_of_timescale"
    )


# The lists whose rows are episodes open from "start" to an end date: (why a row without a start is not counted,
# why one that ends before it starts is refused), by the end's field.
_EPISODES = {
    "closed": ("no start date: the episode is not counted", "the episode closes before it starts"),
    "ended": ("no plan start date: the plan is not counted", "the plan ends before it starts"),
    "ceased": (
        "no date started to be looked after: the child is not counted",
        "the child ceases to be looked after before starting",
    ),
}


def _open_at_end(row, ctx, note, end: str) -> bool:
    """Return True if the row's episode, from "start" to `end`, is open at the month's end (see _EPISODES)."""
    undated, ends_first = _EPISODES[end]
    start, ended = row.get("start"), row.get(end)
    if start is None:
        note("start", undated)
        return False
    if ended is not None and ended < start:
        raise RowProblem(end, ends_first)
    return ctx.open_at_end(start, ended)


def _children_in_need(row, measures, ctx, tally, note) -> None:
    if not _open_at_end(row, ctx, note, "closed"):
        return
    start = row["start"]
    tally.authority["cin_supported_total"] += 1
    if "cin_supported_at_home" in measures:
        looked_after = row.get("status")
        if looked_after is None:
            note("status", "no case status: counted in the total, not as supported at home")
        elif not looked_after:
            tally.authority["cin_supported_at_home"] += 1
    team = _team(row, tally, measures, ("open_cases",))
    if team is None:
        return
    tally.team_rows[team] += 1
    _add_team(tally, team, "open_cases")
    if (
        "unallocated_cases" in measures
        and row.get("worker") is None
        and (ctx.last - start).days >= UNALLOCATED_AFTER_DAYS
    ):
        _add_team(tally, team, "unallocated_cases")


def _child_protection(row, measures, ctx, tally, note) -> None:
    if not _open_at_end(row, ctx, note, "ended"):
        return
    start = row["start"]
    team = _team(row, tally, measures, ("cpp_children",))
    if team is None:
        return
    tally.team_rows[team] += 1
    _add_team(tally, team, "cpp_children")
    if start < ctx.first:
        _add_team(tally, team, "cpp_visits_due")
        if "cpp_visits_made" in measures:
            visit = row.get("visit")
            if ctx.in_month(visit):
                _add_team(tally, team, "cpp_visits_made")
            elif visit is not None and visit > ctx.last:
                note(
                    "visit",
                    "the last statutory visit is after the month, so a visit in the month cannot be "
                    "seen: counted as not visited (import the file extracted at the month's end)",
                )


def _looked_after(row, measures, ctx, tally, note) -> None:
    if not _open_at_end(row, ctx, note, "ceased"):
        return
    uasc = row.get("uasc")
    if uasc is None:
        note("uasc", "UASC not recorded: the child is not counted (say Yes or No)")
        return
    if uasc:
        tally.authority["cic_uasc"] += 1
        return
    team = _team(row, tally, measures, ("cic_children",))
    if team is not None:
        tally.team_rows[team] += 1
        _add_team(tally, team, "cic_children")


def age_on(birth: dt.date, day: dt.date) -> int:
    """Return the age in whole years on the day (a birthday on the day counts)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _care_leavers(row, measures, ctx, tally, note) -> None:
    birth = row.get("birth")
    if birth is None:
        note("birth", "no date of birth: the care leaver's age is not known, so they are not counted")
        return
    low, high = CARE_LEAVER_AGES
    if not low <= age_on(birth, ctx.last) <= high:
        return
    tally.authority["care_leavers"] += 1
    if "care_leavers_ete" in measures:
        activity = row.get("activity")
        if activity is None:
            note(
                "activity",
                "no activity recorded: counted as a care leaver, not as in education, employment or training",
            )
        elif activity in cells.ETE_CODES:
            tally.authority["care_leavers_ete"] += 1


# Adoption's two steps, each counted in the month it happens with the days since an earlier date:
# (children measure, days measure, the step's field, the earlier date's field, why a row without it is not counted,
# why one with it after the step is refused).
_ADOPTION_STEPS = (
    (
        "adoption_match_children",
        "adoption_match_days",
        "matched",
        "placement_order",
        "matched in the month without a date of placement order: not counted",
        "the placement order is after the match",
    ),
    (
        "adoption_placement_children",
        "adoption_placement_days",
        "placed",
        "entered_care",
        "placed in the month without the date the child entered care: not counted",
        "the child entered care after being placed for adoption",
    ),
)


def _adoption(row, measures, ctx, tally, note) -> None:
    for children, days, step, since, undated, refused in _ADOPTION_STEPS:
        happened, began = row.get(step), row.get(since)
        if children not in measures or not ctx.in_month(happened):
            continue
        if began is None:
            note(since, undated)
        elif began > happened:
            raise RowProblem(since, refused)
        else:
            tally.authority[children] += 1
            tally.authority[days] += (happened - began).days


COUNTERS: dict[int, Callable] = {
    3: _referrals,
    4: _assessments,
    6: _children_in_need,
    7: _child_protection,
    8: _looked_after,
    9: _care_leavers,
    10: _adoption,
}
