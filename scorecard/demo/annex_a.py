"""An Ofsted Annex A workbook for a demo month, made of synthetic children consistent with the demo's counts.

Importing it for the same month gives back the demo's figures (the round trip
`tests/scorecard/test_demo_annex_a.py` checks), with two exceptions the
demo's invented counts force: they give fewer children in need
(`cin_supported_total`) than the teams' open cases, and fewer completed
assessments (`assessments_completed`) than the teams' assessments, while one
List 6 and one List 4 give both. The workbook keeps the teams' figures (the
scorecard's breakdowns) and the share at home, so those two authority totals
come out as the teams' sums; `MISMATCHED` names them.

Every child is made up (IDs `DEMO-...`, dates spread through the month),
with some rows outside the month or closed before its end that a correct
import must leave out. Deterministic: the same month gives the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import random

import openpyxl

from lib.months import Month
from lib.workdays import WorkingCalendar
from scorecard.demo.counts import CITY, MONTHS, TEAMS, monthly_counts

MISMATCHED = ("cin_supported_total", "assessments_completed")
_NAMES = {code: name for code, name, _area, _type in TEAMS}
_UASC_TEAM = next(name for code, name, _area, team_type in TEAMS if team_type == "uasc")
_ETE = (
    "F1: Full time in higher education",
    "P1",
    "F2",
    "P2: Part time in education other than higher",
    "F3",
    "p3) Part time in training or employment",
)
_NEET = ("G4", "G5: Not in education, employment or training - other", "G6")
_STATUSES = ("b) Child Protection plan", "c) Child in need plan", "d) Open assessment")

HEADERS = {
    "List 3": [
        "Child Unique ID",
        "Gender",
        "Date of Birth",
        "Date of Referral",
        "Referral Source",
        "Number of Referrals in Last 12 Months",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 4": [
        "Child Unique ID",
        "Gender",
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 6": [
        "Child Unique ID",
        "Gender",
        "CIN Start Date",
        "CIN Closure Date",
        "Case Status",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 7": [
        "Child Unique ID",
        "Gender",
        "Child Protection Plan Start Date",
        "Date of the Last Statutory Visit",
        "Child Protection Plan End Date",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 8": [
        "Child Unique ID",
        "Gender",
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "Date Started to be Looked After",
        "Date Ceased to be Looked After",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 9": ["Child Unique ID", "Gender", "Date of Birth", "Allocated Team", "Activity Status"],
    "List 10": [
        "Child Unique ID",
        "Gender",
        "Date the Child Entered Care",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
    ],
}


class DemoMonthError(ValueError):
    """The month is outside the demo's history."""


def demo_counts(month: Month) -> dict[tuple[str, str], int]:
    """Return the demo's counts for the month: (unit code, measure) -> value."""
    if str(month) not in MONTHS:
        raise DemoMonthError(f"The demo has counts from {MONTHS[0]} to {MONTHS[-1]}, not {month}.")
    return {(unit, measure): value for (unit, at, measure), value in monthly_counts().items() if at == str(month)}


class _Builder:
    def __init__(self, month: Month) -> None:
        self.month = month
        self.first = month.first_day
        self.last = (month + 1).first_day - dt.timedelta(days=1)
        self.days = (self.last - self.first).days + 1
        self.rng = random.Random(f"annex-a-{month}")
        self.calendar = WorkingCalendar()
        self.serial = 0
        self.sheets: dict[str, list[list]] = {name: [] for name in HEADERS}

    def child(self) -> tuple[str, str]:
        self.serial += 1
        return f"DEMO-{self.serial:06d}", self.rng.choice(("a) Male", "b) Female"))

    def in_month(self, k: int) -> dt.date:
        return self.first + dt.timedelta(days=k % self.days)

    def before_month(self, k: int, spread: int = 300) -> dt.date:
        return self.first - dt.timedelta(days=1 + k % spread)

    def working_days_back(self, day: dt.date, n: int) -> dt.date:
        start = day
        while self.calendar.count(start, day) < n:
            start -= dt.timedelta(days=1)
        return start


def annex_a_sheets(month: Month) -> dict[str, list[list]]:
    """Return the rows (without headers) of each list for the month, consistent with the demo's counts."""
    counts = demo_counts(month)
    teams = [code for code, *_ in TEAMS]
    b = _Builder(month)
    _referrals(b, counts)
    _assessments(b, counts, teams)
    _children_in_need(b, counts, teams)
    _child_protection(b, counts, teams)
    _looked_after(b, counts, teams)
    _care_leavers(b, counts)
    _adoption(b, counts)
    for rows in b.sheets.values():
        b.rng.shuffle(rows)  # the lists come in case-system order, not the order they were made in
    return b.sheets


def annex_a_workbook(month: Month) -> bytes:
    """Return the month's demo Annex A workbook as .xlsx bytes."""
    sheets = annex_a_sheets(month)
    book = openpyxl.Workbook(write_only=True)
    for name in ("List 10", "List 3", "List 4", "List 6", "List 7", "List 8", "List 9"):  # any order will do
        sheet = book.create_sheet(name)
        sheet.append(HEADERS[name])
        for row in sheets[name]:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _team_name(k: int, teams: list[str]) -> str:
    return _NAMES[teams[k % len(teams)]]


def _referrals(b: _Builder, counts) -> None:
    referrals, again = counts[(CITY, "referrals")], counts[(CITY, "re_referrals")]
    rows = b.sheets["List 3"]
    for k in range(referrals):
        child, gender = b.child()
        rows.append(
            [
                child,
                gender,
                None,
                b.in_month(k),
                "Police",
                2 + k % 2 if k < again else 1,
                _team_name(k, list(_NAMES)),
                "SW",
            ]
        )
    for k in range(referrals // 10):  # last month's referrals: not counted
        child, gender = b.child()
        rows.append([child, gender, None, b.before_month(k, 28), "School", 1, _team_name(k, list(_NAMES)), "SW"])


def _assessments(b: _Builder, counts, teams: list[str]) -> None:
    rows = b.sheets["List 4"]
    seen = counts[(CITY, "children_seen_at_assessment")]
    made = 0
    for code in teams:
        inside, outside = counts[(code, "assessments_in_timescale")], counts[(code, "assessments_out_of_timescale")]
        for k in range(inside + outside):
            child, _ = b.child()
            done = b.in_month(k)
            # Well inside or well outside 45 working days, so a council closure day or two changes nothing.
            days = 5 + k % 35 if k < inside else 52 + k % 40
            rows.append(
                [
                    child,
                    "b) Female",
                    b.working_days_back(done, days),
                    "a) Yes" if made < seen else "b) No",
                    done,
                    _NAMES[code],
                    "SW",
                ]
            )
            made += 1
    for k in range(len(rows) // 10):  # authorised last month: not counted
        child, _ = b.child()
        done = b.before_month(k, 28)
        rows.append([child, "a) Male", b.working_days_back(done, 20), "Yes", done, _team_name(k, teams), "SW"])


def _children_in_need(b: _Builder, counts, teams: list[str]) -> None:
    rows = b.sheets["List 6"]
    total = sum(counts[(code, "open_cases")] for code in teams)
    looked_after = max(0, total - counts[(CITY, "cin_supported_at_home")])
    made = 0
    for code in teams:
        unallocated = counts[(code, "unallocated_cases")]
        for k in range(counts[(code, "open_cases")]):
            child, gender = b.child()
            status = "a) Looked after child" if made < looked_after else _STATUSES[k % len(_STATUSES)]
            if k < unallocated:
                start, worker = b.last - dt.timedelta(days=7 + k % 60), None
            else:
                start, worker = b.last - dt.timedelta(days=k % 700), "SW"
            rows.append([child, gender, start, None, status, _NAMES[code], worker])
            made += 1
        for k in range(counts[(code, "open_cases")] // 20):  # closed by the month's end: not counted
            child, gender = b.child()
            rows.append([child, gender, b.before_month(k, 400), b.in_month(k), "e) Closed episode", _NAMES[code], "SW"])


def _child_protection(b: _Builder, counts, teams: list[str]) -> None:
    rows = b.sheets["List 7"]
    for code in teams:
        plans, due, visited = (counts[(code, m)] for m in ("cpp_children", "cpp_visits_due", "cpp_visits_made"))
        if not visited <= due <= plans:
            raise ValueError(f"The demo's {code} plans, visits due and made do not nest in {b.month}.")
        for k in range(plans):
            child, gender = b.child()
            if k < due:
                start = b.before_month(k, 400)
                visit = b.in_month(k) if k < visited else b.before_month(k, 25)
            else:
                start, visit = b.in_month(k), None
            rows.append([child, gender, start, visit, None, _NAMES[code], "SW"])
        for k in range(plans // 10):  # ended by the month's end: not counted
            child, gender = b.child()
            rows.append(
                [child, gender, b.before_month(k, 400), b.before_month(k, 30), b.in_month(k), _NAMES[code], "SW"]
            )


def _looked_after(b: _Builder, counts, teams: list[str]) -> None:
    rows = b.sheets["List 8"]
    for code in teams:
        for k in range(counts[(code, "cic_children")]):
            child, gender = b.child()
            rows.append([child, gender, "b) No", b.before_month(k, 1500), None, _NAMES[code], "SW"])
    for k in range(counts[(CITY, "cic_uasc")]):
        child, gender = b.child()
        rows.append([child, gender, "a) Yes", b.before_month(k, 700), None, _UASC_TEAM, "SW"])
    for k in range(len(rows) // 15):  # ceased in the month: not counted
        child, gender = b.child()
        rows.append([child, gender, "N", b.before_month(k, 900), b.in_month(k), _team_name(k, teams), "SW"])


def _birth(last: dt.date, age: int, days_after_birthday: int) -> dt.date:
    try:
        birthday = last.replace(year=last.year - age)
    except ValueError:  # 29 February in a year without one
        birthday = last.replace(year=last.year - age, day=28)
    return birthday - dt.timedelta(days=days_after_birthday)


def _care_leavers(b: _Builder, counts) -> None:
    rows = b.sheets["List 9"]
    leavers, ete = counts[(CITY, "care_leavers")], counts[(CITY, "care_leavers_ete")]
    for k in range(leavers):
        child, gender = b.child()
        activity = _ETE[k % len(_ETE)] if k < ete else _NEET[k % len(_NEET)]
        rows.append([child, gender, _birth(b.last, 17 + k % 5, k % 360), "Leaving Care Team", activity])
    for k in range(leavers // 10):  # aged 16 or 22 at the month's end: not counted
        child, gender = b.child()
        rows.append([child, gender, _birth(b.last, 16 if k % 2 else 22, k % 360), "Leaving Care Team", "F1"])


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if k < extra else 0) for k in range(parts)]


def _adoption(b: _Builder, counts) -> None:
    rows = b.sheets["List 10"]
    matched, match_days = counts[(CITY, "adoption_match_children")], counts[(CITY, "adoption_match_days")]
    placed, place_days = counts[(CITY, "adoption_placement_children")], counts[(CITY, "adoption_placement_days")]
    for k, days in enumerate(_split(match_days, matched) if matched else []):
        child, gender = b.child()
        match = b.in_month(k * 3)
        rows.append(
            [child, gender, match - dt.timedelta(days=days + 200), match - dt.timedelta(days=days), match, None]
        )
    for k, days in enumerate(_split(place_days, placed) if placed else []):
        child, gender = b.child()
        place = b.in_month(k * 5)
        match = b.before_month(k, 20)  # matched before the month, so only the placement counts in it
        rows.append([child, gender, place - dt.timedelta(days=days), match - dt.timedelta(days=150), match, place])
    child, gender = b.child()  # matched and placed last month: not counted
    rows.append(
        [
            child,
            gender,
            b.before_month(0, 1) - dt.timedelta(days=700),
            b.before_month(0, 1) - dt.timedelta(days=300),
            b.before_month(0, 1),
            b.before_month(0, 1),
        ]
    )
