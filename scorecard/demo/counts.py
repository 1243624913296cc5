"""The demo council's raw monthly counts, January 2014 to December 2017.

The counts are invented but not arbitrary. December 2017 and the six months
before it (June to November 2017, the scorecard's baseline) are chosen so that
the indicator engine, fed these counts, prints exactly the figures of the seed
scorecard (shared/seed/SCORECARD-2017-12.md). The months before that follow a
seeded, gently trending walk that tells the story of the seed's commentary:
unaccompanied asylum-seeking children rising from 2015, agency staff falling
through 2017, child protection plans in the 900s, holiday dips in visits and
supervision. History starts in January 2014 because the three-year rolling
adoption windows of the baseline months reach back to July 2014.

How the pinned figures are met:

* Team-level measures: December is an explicit table, team by team, whose
  area sums are the seed's breakdown columns. Other months take a city total
  from a story path and share it among the teams in slowly drifting
  proportions; in the baseline months the city totals are scaled to the exact
  six-month sums the seed's averages need.
* A part of a whole (re-referrals of referrals, visits made of visits due)
  is the whole times a rate path, never more than the whole, team by team.
* The two rolling adoption indicators are solved, not searched: see
  `_solve_rolling`.

Pure Python and deterministic: one seeded `random.Random`, no Django.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise

from scorecard.demo.reference import COUNCIL, TEAMS

FIRST_MONTH = "2014-01"
LAST_MONTH = "2017-12"
MONTHS = tuple(f"{year}-{month:02d}" for year in range(2014, 2018) for month in range(1, 13))

# Changing the seed reshuffles the history; the seed's figures still come out
# (the December table, the baseline sums and the solver fix them), though the
# story checks in the test, such as UASC peaking in December, may not.
_SEED = 20171231

CITY = COUNCIL[0]
TEAM_CODES = tuple(code for code, _name, _area, _type in TEAMS)
_TEAM_TYPE = {code: team_type for code, _name, _area, team_type in TEAMS}

# Month indexes the seed scorecard refers to.
_DEC = MONTHS.index(LAST_MONTH)
_BASELINE = range(_DEC - 6, _DEC)  # Jun-17 .. Nov-17


def _at(month: str) -> int:
    return MONTHS.index(month)


# --------------------------------------------------------------------------
# What the seed pins down
# --------------------------------------------------------------------------

# December 2017 as each team returned it. Summed by area these give the seed's
# breakdown columns: open cases 1,990/2,090/1,922/704/840, assessments inside
# 340/274/270/8/31 and outside 19/17/24/0/18, plans 282/312/344/20/14,
# children in care 521/539/609/80/9, staff 128/176/155/31/20 and supervisions
# 98/156/131/18/16. Caseloads (cases / qualified workers) are 20.3, 15.0 and
# 14.3 in East's assessment, safeguarding and CiC teams, and so on, which
# rounds to the seed's team-type rows. Locality CiC teams do no assessments
# and hold no plans; assessment teams hold no children in care.
_TEAM_MEASURES = (
    "open_cases",
    "unallocated_cases",
    "assessments_in_timescale",
    "assessments_out_of_timescale",
    "cpp_children",
    "cpp_visits_due",
    "cpp_visits_made",
    "cic_children",
    "social_work_staff",
    "supervisions",
    "qualified_social_workers",
    "caseload_cases",
)
_DECEMBER_BY_TEAM = {
    #            open unal  in out  cpp due made  cic staff sup  qsw cases
    "EAST-ASM": (640, 0, 300, 16, 30, 22, 19, 0, 34, 26, 30, 609),
    "EAST-SG": (820, 0, 40, 3, 252, 238, 206, 51, 58, 45, 52, 780),
    "EAST-CIC": (530, 0, 0, 0, 0, 0, 0, 470, 36, 27, 34, 486),
    "NWC-ASM": (710, 1, 240, 14, 34, 26, 23, 0, 44, 40, 30, 699),
    "NWC-SG": (810, 0, 34, 3, 278, 262, 230, 44, 64, 56, 44, 792),
    "NWC-CIC": (570, 0, 0, 0, 0, 0, 0, 495, 68, 60, 46, 566),
    "SOUTH-ASM": (520, 0, 236, 20, 40, 30, 26, 0, 45, 38, 28, 400),
    "SOUTH-SG": (700, 0, 34, 4, 304, 286, 246, 49, 50, 42, 28, 560),
    "SOUTH-CIC": (702, 0, 0, 0, 0, 0, 0, 560, 60, 51, 38, 619),
    "DCSC-DIS": (704, 0, 8, 0, 20, 16, 15, 80, 31, 18, 26, 372),
    "CW-UASC": (420, 0, 14, 8, 0, 0, 0, 0, 11, 9, 10, 240),
    "CW-NRPF": (180, 0, 9, 6, 6, 5, 5, 3, 4, 3, 4, 80),
    "CW-HOME": (240, 0, 8, 4, 8, 6, 6, 6, 5, 4, 4, 84),
}
_DECEMBER = {
    measure: {team: row[column] for team, row in _DECEMBER_BY_TEAM.items()}
    for column, measure in enumerate(_TEAM_MEASURES)
}

# December 2017 of the authority-level measures. Posts are step changes each
# April (see _posts), so they are not listed.
_DECEMBER_CITY = {
    "referrals": 1234,
    "re_referrals": 268,  # 22%
    "assessments_completed": 964,
    "children_seen_at_assessment": 906,  # 94%
    "cic_uasc": 151,  # city rate (1,758 + 151) / 286,096 -> 67 per 10K
    "care_leavers": 436,
    "care_leavers_ete": 279,  # 64%
    "cin_supported_total": 5160,
    "cin_supported_at_home": 4489,  # 87%
    "agency_social_workers": 119,  # of 800 posts: 15%
    "agency_team_managers": 8,  # of 104 posts: 8%; both together 14%
}

# Exact sums over the six baseline months. A count's baseline is the mean of
# its monthly city totals, and a percentage's is sum / sum, so an exact sum
# fixes both. The comment gives what the seed prints.
_BASELINE_SUMS = {
    "open_cases": 44172,  # mean 7,362
    "unallocated_cases": 18,  # mean 3
    "assessments_total": 7332,  # mean 1,222 (inside + outside)
    "assessments_in_timescale": 6618,  # mean 1,103; 90% inside
    "cpp_visits_due": 5130,  # mean 855
    "cpp_visits_made": 4806,  # mean 801; 94%
    "social_work_staff": 3072,  # mean 512
    "supervisions": 2742,  # mean 457; 89%
    "referrals": 6671,  # cumulative, as printed
    "re_referrals": 1596,  # 24%
    "assessments_completed": 7014,  # mean 1,169
    "children_seen_at_assessment": 6606,  # mean 1,101; 94%
    "care_leavers": 2580,
    "care_leavers_ete": 1523,  # 59%
    "cin_supported_total": 30600,
    "cin_supported_at_home": 25092,  # 82%
    "agency_social_workers": 990,  # of 4,800 post-months: 21%
    "agency_team_managers": 60,  # of 624: 10%; together 1,050 / 5,424: 19%
}

# Snapshots the seed compares December with.
_FIXED_MONTHS = {
    ("cpp_children", "2017-03"): 988,
    ("cic_children", "2016-03"): 1735,
    # Not printed; anything that keeps the Mar-16 rate at 66 per 10K works,
    # and the story is a rise from about 40 in April 2015 to 151 now.
    ("cic_uasc", "2016-03"): 142,
    ("agency_social_workers", "2017-03"): 195,  # "down from 195 in March"
}

# Rolling adoption figures: (window in months, December value, pooled baseline).
_ADOPTION = {
    "adoption_match": (12, 232, 276),
    "adoption_placement": (36, 607, 618),
}


# --------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------


def _round(value: float) -> int:
    """Round half up (Python's round() rounds half to even)."""
    return math.floor(value + 0.5)


def _path(anchors: dict[str, float]) -> list[float]:
    """Level for every month, joining the anchor months with straight lines.

    Before the first anchor and after the last the level stays flat.
    """
    points = sorted((_at(month), level) for month, level in anchors.items())
    levels = []
    for index in range(len(MONTHS)):
        if index <= points[0][0]:
            levels.append(points[0][1])
        elif index >= points[-1][0]:
            levels.append(points[-1][1])
        else:
            for (i0, y0), (i1, y1) in pairwise(points):
                if i0 <= index <= i1:
                    levels.append(y0 + (y1 - y0) * (index - i0) / (i1 - i0))
                    break
    return levels


def _share_out(total: int, weights: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
    """Split `total` into whole numbers in proportion to `weights`.

    Largest remainders get the odd units, so the parts always add up to
    `total` exactly. No part exceeds its cap: a part that would is held at
    the cap and the excess is shared among the others.
    """
    caps = list(caps) if caps is not None else [math.inf] * len(weights)
    if total > sum(cap for cap, weight in zip(caps, weights, strict=True) if weight > 0):
        raise ValueError(f"cannot share {total} within caps {caps}")
    parts = [0] * len(weights)
    open_ = [i for i, weight in enumerate(weights) if weight > 0]
    remaining = total
    while True:
        weight_sum = sum(weights[i] for i in open_)
        shares = {i: remaining * weights[i] / weight_sum for i in open_}
        capped = [i for i in open_ if shares[i] > caps[i]]
        if not capped:
            break
        for i in capped:
            parts[i] = int(caps[i])  # a finite cap: no share exceeds infinity
            remaining -= parts[i]
            open_.remove(i)
    for i in open_:
        parts[i] = math.floor(shares[i])
    short = remaining - sum(parts[i] for i in open_)
    # A part with a fractional share is below its (whole-number) cap, so it
    # can take one more unit.
    by_remainder = sorted(open_, key=lambda i: shares[i] - parts[i], reverse=True)
    for i in by_remainder[:short]:
        parts[i] += 1
    return parts


def _drift(rng: random.Random, spread: float) -> list[float]:
    """Multipliers that wander slowly month to month and are 1 in December.

    Walked backwards from December so the pinned month is the fixed point and
    the history leading to it has no jump.
    """
    factors = [1.0] * len(MONTHS)
    for index in range(_DEC - 1, -1, -1):
        step = factors[index + 1] * (1 + rng.gauss(0, spread))
        factors[index] = min(1.25, max(0.8, step))
    return factors


def _seasonal(dips: dict[int, float]) -> Callable[[int], float]:
    """Effect by calendar month (1-12); months not named have none."""
    return lambda index: dips.get(int(MONTHS[index][5:]), 0.0)


_NO_SEASON = _seasonal({})


def _count_series(
    rng: random.Random,
    anchors: dict[str, float],
    spread: float,
    *,
    pins: dict[str, int] | None = None,
    baseline_sum: int | None = None,
    season: Callable[[int], float] = _NO_SEASON,
) -> list[int]:
    """A monthly count following `anchors`, with noise and a seasonal factor.

    `season` gives a proportional change (-0.1 is 10% lower that month).
    The baseline months are scaled to add up to `baseline_sum` exactly, and
    `pins` (month -> value) are set as given.
    """
    values = [level * (1 + season(index)) * (1 + rng.gauss(0, spread)) for index, level in enumerate(_path(anchors))]
    if baseline_sum is not None:
        fitted = _share_out(baseline_sum, [values[i] for i in _BASELINE])
        for i, value in zip(_BASELINE, fitted, strict=True):
            values[i] = value
    values = [_round(value) for value in values]
    for month, value in (pins or {}).items():
        values[_at(month)] = value
    return values


def _part_series(
    rng: random.Random,
    wholes: list[int],
    rate_anchors: dict[str, float],
    spread: float,
    *,
    pins: dict[str, int] | None = None,
    baseline_sum: int | None = None,
    season: Callable[[int], float] = _NO_SEASON,
) -> list[int]:
    """A part of a monthly whole (e.g. re-referrals of referrals).

    The part is the whole times a rate following `rate_anchors`; `season`
    and the noise move the rate by points (-0.08 is eight points lower).
    Never more than the whole, also after fitting the baseline sum.
    """
    rates = [
        min(1.0, max(0.0, rate + season(index) + rng.gauss(0, spread)))
        for index, rate in enumerate(_path(rate_anchors))
    ]
    values = [whole * rate for whole, rate in zip(wholes, rates, strict=True)]
    if baseline_sum is not None:
        fitted = _share_out(baseline_sum, [values[i] for i in _BASELINE], [wholes[i] for i in _BASELINE])
        for i, value in zip(_BASELINE, fitted, strict=True):
            values[i] = value
    values = [min(whole, _round(value)) for whole, value in zip(wholes, values, strict=True)]
    for month, value in (pins or {}).items():
        values[_at(month)] = value
    return values


def _to_teams(
    rng: random.Random,
    city_totals: list[int],
    december: dict[str, int],
    weights: Mapping[str, Sequence[float]] | None = None,
    *,
    caps: dict[str, list[int]] | None = None,
    spread: float = 0.01,
) -> dict[str, list[int]]:
    """Share each month's city total among the teams.

    `weights` gives each team's relative size month by month, by default
    its December size; a slow drift is laid over it so teams' shares wander
    a little. `caps` (team -> series) bounds a part by its whole, e.g.
    visits made by visits due. December is the explicit table, not a share.
    """
    if weights is None:
        weights = {team: [float(count)] * len(MONTHS) for team, count in december.items()}
    drift = {team: _drift(rng, spread) for team in TEAM_CODES}
    series = {team: [0] * len(MONTHS) for team in TEAM_CODES}
    for index, total in enumerate(city_totals):
        if index == _DEC:
            parts = [december[team] for team in TEAM_CODES]
        else:
            parts = _share_out(
                total,
                [weights[team][index] * drift[team][index] for team in TEAM_CODES],
                [caps[team][index] for team in TEAM_CODES] if caps else None,
            )
        for team, part in zip(TEAM_CODES, parts, strict=True):
            series[team][index] = part
    return series


def _scaled_by_standing(
    wholes: dict[str, list[int]], december_part: dict[str, int], december_whole: dict[str, int]
) -> dict[str, list[float]]:
    """Weights for sharing a part among teams: each team's whole, times how
    its December rate compares with the city's.

    A team that did worse than the city in December (the Other citywide
    teams' late assessments, say) has done so all along, so December is not
    a jump in its own history.
    """
    city_rate = sum(december_part.values()) / sum(december_whole.values())
    weights = {}
    for team in TEAM_CODES:
        whole = december_whole[team]
        standing = (december_part[team] / whole) / city_rate if whole else 1.0
        weights[team] = [count * standing for count in wholes[team]]
    return weights


def _scatter(
    rng: random.Random, totals: list[int], december: dict[str, int], weights: dict[str, list[int]]
) -> dict[str, list[int]]:
    """Share small counts by drawing a team for each one, `weights` the odds.

    Proportional shares of a handful of cases would hand one each to the
    largest remainders month after month; a draw looks like real life.
    """
    series = {team: [0] * len(MONTHS) for team in TEAM_CODES}
    for index, total in enumerate(totals):
        if index == _DEC:
            for team in TEAM_CODES:
                series[team][index] = december[team]
            continue
        odds = [weights[team][index] for team in TEAM_CODES]
        for team in rng.choices(TEAM_CODES, weights=odds, k=total):
            series[team][index] += 1
    return series


# --------------------------------------------------------------------------
# Team-level measures
# --------------------------------------------------------------------------


def _open_and_unallocated(rng: random.Random) -> dict[str, dict[str, list[int]]]:
    """Open cases rise slowly; unallocated cases fall from dozens to a handful."""
    open_city = _count_series(
        rng,
        {"2014-01": 6850, "2015-01": 6980, "2016-01": 7120, "2017-01": 7260, "2017-08": 7362, "2017-11": 7420},
        0.006,
        baseline_sum=_BASELINE_SUMS["open_cases"],
        pins={LAST_MONTH: sum(_DECEMBER["open_cases"].values())},
    )
    open_cases = _to_teams(rng, open_city, _DECEMBER["open_cases"])
    unallocated_city = _count_series(
        rng,
        {"2014-01": 48, "2014-12": 36, "2015-12": 20, "2016-12": 8, "2017-06": 4, "2017-11": 2},
        0.25,
        baseline_sum=_BASELINE_SUMS["unallocated_cases"],
        pins={LAST_MONTH: sum(_DECEMBER["unallocated_cases"].values())},
    )
    # Cases wait for allocation wherever cases are, so each unallocated case
    # belongs to a team with odds in proportion to its open cases.
    unallocated = _scatter(rng, unallocated_city, _DECEMBER["unallocated_cases"], open_cases)
    return {"open_cases": open_cases, "unallocated_cases": unallocated}


def _assessments(rng: random.Random) -> dict[str, dict[str, list[int]]]:
    """Family assessments: fewer over the holidays, more on time each year."""
    # Completed assessments dip in August and, more, in December.
    holidays = _seasonal({8: -0.07, 12: -0.15})
    december_inside = _DECEMBER["assessments_in_timescale"]
    december_total = {
        team: december_inside[team] + _DECEMBER["assessments_out_of_timescale"][team] for team in TEAM_CODES
    }
    total_city = _count_series(
        rng,
        {"2014-01": 1080, "2015-06": 1150, "2016-06": 1190, "2017-08": 1222},
        0.03,
        baseline_sum=_BASELINE_SUMS["assessments_total"],
        pins={LAST_MONTH: sum(december_total.values())},
        season=holidays,
    )
    inside_city = _part_series(
        rng,
        total_city,
        {"2014-01": 0.74, "2015-01": 0.79, "2016-01": 0.85, "2017-01": 0.89, "2017-08": 0.90},
        0.012,
        baseline_sum=_BASELINE_SUMS["assessments_in_timescale"],
        pins={LAST_MONTH: sum(december_inside.values())},
    )
    total = _to_teams(rng, total_city, december_total)
    # Never more inside than the team completed.
    inside = _to_teams(
        rng,
        inside_city,
        december_inside,
        _scaled_by_standing(total, december_inside, december_total),
        caps=total,
        spread=0.0,
    )
    outside = {
        team: [whole - part for whole, part in zip(total[team], inside[team], strict=True)] for team in TEAM_CODES
    }
    return {"assessments_in_timescale": inside, "assessments_out_of_timescale": outside}


def _child_protection(rng: random.Random) -> dict[str, dict[str, list[int]]]:
    """Plans in the 900s for two years; visits improving, dipping in holidays."""
    cpp_city = _count_series(
        rng,
        {
            "2014-01": 870,
            "2014-09": 905,
            "2015-06": 950,
            "2016-03": 985,
            "2016-10": 955,
            "2017-03": 988,
            "2017-08": 970,
            "2017-12": 972,
        },
        0.012,
        pins={
            "2017-03": _FIXED_MONTHS[("cpp_children", "2017-03")],
            LAST_MONTH: sum(_DECEMBER["cpp_children"].values()),
        },
    )
    cpp = _to_teams(rng, cpp_city, _DECEMBER["cpp_children"])
    # Children whose first visit is not yet due are not counted as due.
    due_city = _part_series(
        rng,
        cpp_city,
        {"2014-01": 0.91, "2017-03": 0.90, "2017-08": 0.88, "2017-12": 0.917},
        0.012,
        baseline_sum=_BASELINE_SUMS["cpp_visits_due"],
        pins={LAST_MONTH: sum(_DECEMBER["cpp_visits_due"].values())},
    )
    due = _to_teams(
        rng,
        due_city,
        _DECEMBER["cpp_visits_due"],
        _scaled_by_standing(cpp, _DECEMBER["cpp_visits_due"], _DECEMBER["cpp_children"]),
        caps=cpp,
        spread=0.01,
    )
    made_city = _part_series(
        rng,
        due_city,
        {"2014-01": 0.70, "2015-01": 0.74, "2016-01": 0.80, "2016-12": 0.88, "2017-06": 0.95},
        0.01,
        baseline_sum=_BASELINE_SUMS["cpp_visits_made"],
        pins={LAST_MONTH: sum(_DECEMBER["cpp_visits_made"].values())},
        season=_seasonal({8: -0.05, 12: -0.07}),
    )
    made = _to_teams(
        rng,
        made_city,
        _DECEMBER["cpp_visits_made"],
        _scaled_by_standing(due, _DECEMBER["cpp_visits_made"], _DECEMBER["cpp_visits_due"]),
        caps=due,
        spread=0.005,
    )
    return {"cpp_children": cpp, "cpp_visits_due": due, "cpp_visits_made": made}


def _children_in_care(rng: random.Random) -> dict[str, dict[str, list[int]]]:
    """Down gently as the improvement plan intended, then up again lately."""
    cic_city = _count_series(
        rng,
        {
            "2014-01": 1885,
            "2015-04": 1810,
            "2016-03": 1735,
            "2016-12": 1712,
            "2017-06": 1704,
            "2017-09": 1718,
            "2017-12": 1758,
        },
        0.004,
        pins={
            "2016-03": _FIXED_MONTHS[("cic_children", "2016-03")],
            LAST_MONTH: sum(_DECEMBER["cic_children"].values()),
        },
    )
    cic = _to_teams(rng, cic_city, _DECEMBER["cic_children"], spread=0.005)
    return {"cic_children": cic}


def _workforce(rng: random.Random) -> dict[str, dict[str, list[int]]]:
    """Staff, supervision and caseloads, team by team."""
    staff_city = _count_series(
        rng,
        {"2014-01": 468, "2015-06": 485, "2016-06": 500, "2017-03": 508, "2017-08": 512},
        0.008,
        baseline_sum=_BASELINE_SUMS["social_work_staff"],
        pins={LAST_MONTH: sum(_DECEMBER["social_work_staff"].values())},
    )
    staff = _to_teams(rng, staff_city, _DECEMBER["social_work_staff"])
    # Supervision improved year on year; leave takes it down in August and
    # December.
    supervised_city = _part_series(
        rng,
        staff_city,
        {"2014-01": 0.68, "2015-01": 0.74, "2016-01": 0.82, "2017-01": 0.88, "2017-06": 0.91},
        0.012,
        baseline_sum=_BASELINE_SUMS["supervisions"],
        pins={LAST_MONTH: sum(_DECEMBER["supervisions"].values())},
        season=_seasonal({8: -0.08, 12: -0.09}),
    )
    supervisions = _to_teams(
        rng,
        supervised_city,
        _DECEMBER["supervisions"],
        _scaled_by_standing(staff, _DECEMBER["supervisions"], _DECEMBER["social_work_staff"]),
        caps=staff,
        spread=0.01,
    )

    # Qualified workers holding cases: the same fraction of each team's staff
    # as in December, so never more than the staff in post.
    december_qualified = _DECEMBER["qualified_social_workers"]
    december_cases = _DECEMBER["caseload_cases"]
    qualified = {}
    for team in TEAM_CODES:
        fraction = december_qualified[team] / _DECEMBER["social_work_staff"][team]
        qualified[team] = [_round(count * fraction) for count in staff[team]]
        qualified[team][_DEC] = december_qualified[team]

    # Cases per worker by team type: high in 2014, brought down to about 15
    # by 2017, rising in November and sharply in December (the seed's story).
    per_worker = {
        "assessment": _path(
            {
                "2014-01": 19.5,
                "2015-06": 17.5,
                "2016-06": 15.5,
                "2017-03": 14.6,
                "2017-06": 14.0,
                "2017-10": 14.0,
                "2017-11": 14.8,
            }
        ),
        "safeguarding": _path({"2014-01": 21.0, "2015-06": 19.5, "2016-06": 18.0, "2017-06": 16.8, "2017-11": 17.0}),
        "children_in_care": _path({"2014-01": 16.5, "2016-01": 15.0, "2017-06": 14.0}),
        "disabled_children": _path({"2014-01": 15.0, "2017-06": 13.0}),
        "uasc": _path({"2014-01": 18.0, "2016-01": 22.0, "2017-06": 24.0}),
        "nrpf": _path({"2014-01": 20.0}),
        "homeless": _path({"2014-01": 21.0}),
    }
    # Each team keeps its December standing within its type (NWC's assessment
    # team runs hotter than South's), so the type's pooled figure follows
    # the path above.
    type_cases: dict[str, int] = {}
    type_workers: dict[str, int] = {}
    for team in TEAM_CODES:
        team_type = _TEAM_TYPE[team]
        type_cases[team_type] = type_cases.get(team_type, 0) + december_cases[team]
        type_workers[team_type] = type_workers.get(team_type, 0) + december_qualified[team]
    cases = {}
    for team in TEAM_CODES:
        team_type = _TEAM_TYPE[team]
        standing = (december_cases[team] / december_qualified[team]) / (type_cases[team_type] / type_workers[team_type])
        cases[team] = [
            _round(workers * per_worker[team_type][index] * standing * (1 + rng.gauss(0, 0.02)))
            for index, workers in enumerate(qualified[team])
        ]
        cases[team][_DEC] = december_cases[team]
    return {
        "social_work_staff": staff,
        "supervisions": supervisions,
        "qualified_social_workers": qualified,
        "caseload_cases": cases,
    }


# --------------------------------------------------------------------------
# Authority-level measures (the council's own return)
# --------------------------------------------------------------------------


def _pins_for(measure: str) -> dict[str, int]:
    pins = {month: value for (code, month), value in _FIXED_MONTHS.items() if code == measure}
    if measure in _DECEMBER_CITY:
        pins[LAST_MONTH] = _DECEMBER_CITY[measure]
    return pins


def _front_door(rng: random.Random) -> dict[str, list[int]]:
    referrals = _count_series(
        rng,
        {"2014-01": 1050, "2016-01": 1120, "2017-08": 1112, "2017-11": 1180},
        0.035,
        baseline_sum=_BASELINE_SUMS["referrals"],
        pins=_pins_for("referrals"),
        season=_seasonal({8: -0.08}),
    )
    re_referrals = _part_series(
        rng,
        referrals,
        {"2014-01": 0.26, "2015-06": 0.25, "2016-06": 0.245, "2017-08": 0.239},
        0.01,
        baseline_sum=_BASELINE_SUMS["re_referrals"],
        pins=_pins_for("re_referrals"),
    )
    completed = _count_series(
        rng,
        {"2014-01": 1020, "2015-06": 1090, "2016-06": 1140, "2017-08": 1169},
        0.03,
        baseline_sum=_BASELINE_SUMS["assessments_completed"],
        pins=_pins_for("assessments_completed"),
        season=_seasonal({8: -0.07, 12: -0.15}),
    )
    # The big improvement in seeing children came during 2016.
    seen = _part_series(
        rng,
        completed,
        {"2014-01": 0.74, "2015-06": 0.80, "2016-01": 0.83, "2016-12": 0.935, "2017-08": 0.942},
        0.008,
        baseline_sum=_BASELINE_SUMS["children_seen_at_assessment"],
        pins=_pins_for("children_seen_at_assessment"),
    )
    return {
        "referrals": referrals,
        "re_referrals": re_referrals,
        "assessments_completed": completed,
        "children_seen_at_assessment": seen,
    }


def _care_and_leaving_care(rng: random.Random) -> dict[str, list[int]]:
    # UASC: about 30-40 until spring 2015, then a steep climb to the 140s by
    # March 2016 and a slow rise to 151.
    uasc = _count_series(
        rng,
        {"2014-01": 30, "2015-03": 38, "2015-04": 40, "2016-03": 142, "2016-12": 140, "2017-06": 145, "2017-12": 151},
        0.02,
        pins=_pins_for("cic_uasc"),
    )
    leavers = _count_series(
        rng,
        {"2014-01": 395, "2016-01": 415, "2017-04": 428, "2017-08": 430, "2017-12": 436},
        0.008,
        baseline_sum=_BASELINE_SUMS["care_leavers"],
        pins=_pins_for("care_leavers"),
    )
    # About 50% for years; the DfE's wider definition lifts it through 2017.
    leavers_ete = _part_series(
        rng,
        leavers,
        {"2014-01": 0.47, "2015-06": 0.49, "2016-06": 0.50, "2017-03": 0.51, "2017-06": 0.56, "2017-11": 0.62},
        0.008,
        baseline_sum=_BASELINE_SUMS["care_leavers_ete"],
        pins=_pins_for("care_leavers_ete"),
    )
    cin_total = _count_series(
        rng,
        {"2014-01": 4700, "2016-01": 4950, "2017-08": 5100, "2017-12": 5160},
        0.008,
        baseline_sum=_BASELINE_SUMS["cin_supported_total"],
        pins=_pins_for("cin_supported_total"),
    )
    cin_home = _part_series(
        rng,
        cin_total,
        {"2014-01": 0.76, "2015-06": 0.78, "2016-06": 0.80, "2017-06": 0.805, "2017-11": 0.84},
        0.006,
        baseline_sum=_BASELINE_SUMS["cin_supported_at_home"],
        pins=_pins_for("cin_supported_at_home"),
    )
    return {
        "cic_uasc": uasc,
        "care_leavers": leavers,
        "care_leavers_ete": leavers_ete,
        "cin_supported_total": cin_total,
        "cin_supported_at_home": cin_home,
    }


def _posts(by_financial_year: dict[int, int]) -> list[int]:
    """Established posts change only when the budget year starts in April."""
    values = []
    for month in MONTHS:
        year, number = int(month[:4]), int(month[5:])
        values.append(by_financial_year[year if number >= 4 else year - 1])
    return values


def _agency(rng: random.Random) -> dict[str, list[int]]:
    # 800 social worker and 104 team manager posts from April 2017, the
    # denominators the seed's December and baseline percentages need.
    sw_posts = _posts({2013: 750, 2014: 760, 2015: 775, 2016: 785, 2017: 800})
    tm_posts = _posts({2013: 96, 2014: 98, 2015: 100, 2016: 102, 2017: 104})
    # Agency social workers peak in 2016, then fall from 195 in March 2017.
    agency_sw = _count_series(
        rng,
        {
            "2014-01": 160,
            "2015-01": 172,
            "2016-01": 188,
            "2016-09": 198,
            "2017-03": 195,
            "2017-06": 186,
            "2017-11": 140,
        },
        0.015,
        baseline_sum=_BASELINE_SUMS["agency_social_workers"],
        pins=_pins_for("agency_social_workers"),
    )
    agency_tm = _count_series(
        rng,
        {"2014-01": 9, "2015-06": 11, "2016-06": 13, "2017-03": 12, "2017-11": 9},
        0.08,
        baseline_sum=_BASELINE_SUMS["agency_team_managers"],
        pins=_pins_for("agency_team_managers"),
    )
    return {
        "social_worker_posts": sw_posts,
        "agency_social_workers": agency_sw,
        "team_manager_posts": tm_posts,
        "agency_team_managers": agency_tm,
    }


# --------------------------------------------------------------------------
# Rolling adoption windows
# --------------------------------------------------------------------------


def _solve_rolling(
    children: list[int],
    planned_days: list[float],
    window: int,
    december_value: int,
    baseline_value: int,
) -> list[int]:
    """Adjust planned day totals so the rolling averages come out exactly.

    The December figure is days / children over the `window` months ending
    December 2017. The baseline pools the six windows ending Jun..Nov 2017:
    the sum of their days over the sum of their children, so month k counts
    w(k) times, w(k) being the number of those windows that contain it.

    Two groups of months settle the two targets one after the other:

    1. Scale every month before December by one factor so that, with
       December as planned, the December window averages `december_value`
       exactly; December's own total absorbs the rounding.
    2. The months before the December window appear only in the baseline
       windows. Scale them by a second factor so the weighted baseline
       averages `baseline_value` exactly; the oldest month of the oldest
       baseline window (weight 1) absorbs the rounding.

    Both targets are met at their exact value, so rounding for display can
    never tip them. Months before the oldest baseline window are scaled with
    their neighbours only to keep the history smooth.
    """
    december_window = range(_DEC - window + 1, _DEC + 1)
    weight = [sum(1 for m in _BASELINE if m - window < k <= m) for k in range(len(MONTHS))]

    target = december_value * sum(children[k] for k in december_window)
    earlier = sum(planned_days[k] for k in december_window if k != _DEC)
    factor = (target - planned_days[_DEC]) / earlier
    days = [_round(d * factor) for d in planned_days[:_DEC]] + [0]
    days[_DEC] = target - sum(days[k] for k in december_window if k != _DEC)

    first_in_window = december_window.start
    target = baseline_value * sum(w * c for w, c in zip(weight, children, strict=True))
    settled = sum(weight[k] * days[k] for k in range(first_in_window, len(MONTHS)))
    before = sum(weight[k] * days[k] for k in range(first_in_window))
    factor = (target - settled) / before
    for k in range(first_in_window):
        days[k] = _round(days[k] * factor)
    oldest = _BASELINE.start - window + 1  # weight 1
    days[oldest] += target - sum(w * d for w, d in zip(weight, days, strict=True))
    return days


def _adoption_series(
    rng: random.Random,
    prefix: str,
    children_choices: Sequence[int],
    days_per_child: dict[str, float],
) -> dict[str, list[int]]:
    window, december_value, baseline_value = _ADOPTION[prefix]
    children = [rng.choice(children_choices) for _ in MONTHS]
    # The months that absorb rounding must have children, or they would
    # carry days for nobody.
    for index in (_DEC, _BASELINE.start - window + 1):
        children[index] = max(children[index], 2)
    planned = [
        count * level * (1 + rng.gauss(0, 0.10)) for count, level in zip(children, _path(days_per_child), strict=True)
    ]
    days = _solve_rolling(children, planned, window, december_value, baseline_value)
    return {f"{prefix}_days": days, f"{prefix}_children": children}


def _adoption(rng: random.Random) -> dict[str, list[int]]:
    # Matches: slow (400+ days) in 2014, improving steadily; November and
    # December 2017 are quick because no long-waiting child was matched.
    matches = _adoption_series(
        rng,
        "adoption_match",
        (1, 2, 3, 3, 4, 4, 5, 6),
        {
            "2014-01": 420,
            "2015-06": 380,
            "2016-06": 350,
            "2016-12": 330,
            "2017-01": 301,
            "2017-10": 211,
            "2017-11": 115,
            "2017-12": 105,
        },
    )
    # Placements: entering care to moving in, improving slowly from 700-800
    # days in 2014 to about 600.
    placements = _adoption_series(
        rng,
        "adoption_placement",
        (1, 2, 2, 3, 3, 4, 5),
        {"2014-01": 740, "2015-01": 690, "2016-01": 640, "2017-01": 600, "2017-12": 580},
    )
    return {**matches, **placements}


# --------------------------------------------------------------------------
# The whole return
# --------------------------------------------------------------------------


def monthly_counts() -> dict[tuple[str, str, str], int]:
    """Every count of the demo council: (unit_code, 'YYYY-MM', measure_code) -> value.

    unit_code is a team code for team-level measures (every team, every
    measure, every month, zeros included) and the council's code, 'CITY', for
    authority-level measures.
    """
    rng = random.Random(_SEED)
    team_level: dict[str, dict[str, list[int]]] = {}
    team_builders = (
        _open_and_unallocated,
        _assessments,
        _child_protection,
        _children_in_care,
        _workforce,
    )
    for build in team_builders:
        team_level.update(build(rng))
    city_level: dict[str, list[int]] = {}
    for build in (_front_door, _care_and_leaving_care, _agency, _adoption):
        city_level.update(build(rng))

    counts: dict[tuple[str, str, str], int] = {}
    for measure, by_team in team_level.items():
        for team, series in by_team.items():
            for month, value in zip(MONTHS, series, strict=True):
                counts[(team, month, measure)] = value
    for measure, series in city_level.items():
        for month, value in zip(MONTHS, series, strict=True):
            counts[(CITY, month, measure)] = value
    return counts
