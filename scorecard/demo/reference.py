"""Reference data of the demo council, as plain constants.

Everything here is read off the December 2017 seed scorecard
(shared/seed/SCORECARD-2017-12.md): the breakdown columns become areas, the
teams behind them become teams, and the printed targets, comparators and
population estimates are copied as printed. The commentary is written afresh
for the demo: same facts as the seed, our own words.

Plain tuples and dicts only, so the `demo` command, the importers' tests and
the counts in `counts.py` can all use them without Django.
"""

# (code, name). The code is also the unit of authority-level returns.
COUNCIL = ("CITY", "Demo City Council")

# (code, name, kind). Order is the order of the scorecard's breakdown columns.
AREAS = (
    ("EAST", "East", "locality"),
    ("NWC", "North West and Central", "locality"),
    ("SOUTH", "South", "locality"),
    ("DCSC", "Disabled Children's Service", "citywide"),
    ("CITYWIDE", "Other citywide teams", "citywide"),
)

# Team types are the standard catalogue's (indicators/catalogue.py), installed with every database.

# (code, name, area, team_type). Each locality has one team of each of the
# three locality types, which is what lets the caseload panel show a row per
# team type and a column per locality. "Other citywide teams" are the UASC,
# NRPF and Homeless teams, as the seed's footnote says.
TEAMS = (
    ("EAST-ASM", "East Assessment", "EAST", "assessment"),
    ("EAST-SG", "East Safeguarding", "EAST", "safeguarding"),
    ("EAST-CIC", "East Children in Care", "EAST", "children_in_care"),
    ("NWC-ASM", "North West and Central Assessment", "NWC", "assessment"),
    ("NWC-SG", "North West and Central Safeguarding", "NWC", "safeguarding"),
    ("NWC-CIC", "North West and Central Children in Care", "NWC", "children_in_care"),
    ("SOUTH-ASM", "South Assessment", "SOUTH", "assessment"),
    ("SOUTH-SG", "South Safeguarding", "SOUTH", "safeguarding"),
    ("SOUTH-CIC", "South Children in Care", "SOUTH", "children_in_care"),
    ("DCSC-DIS", "Disabled Children's Team", "DCSC", "disabled_children"),
    ("CW-UASC", "UASC Team", "CITYWIDE", "uasc"),
    ("CW-NRPF", "No Recourse to Public Funds Team", "CITYWIDE", "nrpf"),
    ("CW-HOME", "Homeless Team", "CITYWIDE", "homeless"),
)

# (area, year, population_0_17): mid-2016 estimates, the only ones the seed
# prints. Citywide areas have no population, so they get no rate per 10K.
POPULATIONS = (
    ("EAST", 2016, 107112),
    ("NWC", 2016, 109786),
    ("SOUTH", 2016, 69198),
)

# (indicator_code, effective_from, value, amber_tolerance). The seed prints
# no target for child protection plans (a context measure) or care leavers
# in ETE, so they have none and are rated "none".
TARGETS = (
    ("unallocated_cases", "2014-04", 0, 5),
    ("re_referrals", "2014-04", 24, 3),
    ("assessments_in_timescale", "2014-04", 85, 5),
    ("children_seen_at_assessment", "2014-04", 90, 5),
    ("cp_visits", "2014-04", 90, 5),
    ("children_in_care", "2014-04", 1695, 50),
    ("adoption_match_days", "2014-04", 271, 30),
    ("adoption_placement_days", "2014-04", 600, 30),
    ("cin_supported_at_home", "2014-04", 80, 5),
    ("supervision", "2014-04", 83, 5),
    ("average_caseload", "2014-04", 16, 2),
    ("agency_social_workers", "2014-04", 15, 5),
)

# The scorecard notes that most national and statistical-neighbour figures
# describe the year ending March 2016; we record them as printed.
COMPARATOR_SOURCE = (
    "DfE children's social care statistics for the year ending March 2016, as printed on the December 2017 scorecard"
)
COMPARATOR_PERIOD = "2015-16"
_PERIOD, _SOURCE = COMPARATOR_PERIOD, COMPARATOR_SOURCE

# (indicator_code, kind, period, value, source, line_code). line_code names
# the indicator's line the figure compares with when it is not the headline:
# child protection plans and children in care compare as rates per 10K.
COMPARATORS = (
    ("re_referrals", "national", _PERIOD, 22, _SOURCE, None),
    ("re_referrals", "statistical_neighbours", _PERIOD, 22, _SOURCE, None),
    ("assessments_in_timescale", "national", _PERIOD, 83, _SOURCE, None),
    ("assessments_in_timescale", "statistical_neighbours", _PERIOD, 83, _SOURCE, None),
    ("child_protection_plans", "national", _PERIOD, 43, _SOURCE, "rate"),
    ("child_protection_plans", "statistical_neighbours", _PERIOD, 50, _SOURCE, "rate"),
    ("children_in_care", "national", _PERIOD, 62, _SOURCE, "rate"),
    ("children_in_care", "statistical_neighbours", _PERIOD, 74, _SOURCE, "rate"),
    ("care_leavers_ete", "national", _PERIOD, 50, _SOURCE, None),
    ("care_leavers_ete", "statistical_neighbours", _PERIOD, 48, _SOURCE, None),
    ("adoption_match_days", "national", _PERIOD, 226, _SOURCE, None),
    ("adoption_match_days", "statistical_neighbours", _PERIOD, 251, _SOURCE, None),
    ("adoption_placement_days", "national", _PERIOD, 558, _SOURCE, None),
    ("adoption_placement_days", "statistical_neighbours", _PERIOD, 600, _SOURCE, None),
)

# The month the commentary below was written for.
COMMENTARY_MONTH = "2017-12"

# indicator_code -> the performance team's paragraph for December 2017.
COMMENTARY = {
    "unallocated_cases": (
        "Only one case was waiting for allocation at the end of December, in "
        "North West and Central. These are cases past the front door that still "
        "have no named social worker a week or more after referral. Heads of "
        "service get the list every week, so it changes from one week to the "
        "next and each case is chased individually."
    ),
    "re_referrals": (
        "Re-referrals fell to 22% in December, against 24% over the previous "
        "six months. Referral numbers move a little from month to month but the "
        "overall level is steady. A year into the new front-door arrangements we "
        "are still watching contacts, referrals and re-referrals closely. Over "
        "the half year we ran a little above the national average of 22%, and "
        "we are looking at what would bring the rate down."
    ),
    "assessments_in_timescale": (
        "92% of family assessments finished within 45 working days in December, "
        "and about nine in ten have done so across the last six months, well "
        "above the national figure. Finishing on time guards against drift. The "
        "next step is to close more assessments within 20 days in the "
        "assessment teams and to make more use of short pieces of work."
    ),
    "children_seen_at_assessment": (
        "The child was seen in 94% of assessments completed in December, the "
        "same as the six-month average. Seeing the child is a good everyday "
        "check on the quality of an assessment; the big improvement came a year "
        "ago, when this became a focus, and it has held since."
    ),
    "child_protection_plans": (
        "972 children had a child protection plan at the end of December. The "
        "number moves around from month to month but has averaged in the 900s "
        "for two years, and the city's rate per 10,000 children remains below "
        "the national figure. Ofsted's monitoring visit pointed out that a "
        "third of plans end at the first review conference; that is being "
        "worked on."
    ),
    "cp_visits": (
        "87% of children on a plan who were due a visit were seen in December, "
        "down from an average of 94% over the previous six months. The fall is "
        "most likely the Christmas holidays. Visits have improved a great deal "
        "on a year ago, and the practice standard remains two visits a month."
    ),
    "children_in_care": (
        "Children in care, leaving out unaccompanied asylum-seeking children, "
        "came down gradually as the improvement plan intended, but have edged up "
        "in recent months to 1,758, still above the target. UASC in care have "
        "risen steadily since April 2015 and now number 151, and some children "
        "who joined relatives here from Calais have since come into care. "
        "Recent serious incidents are likely to push numbers up further."
    ),
    "care_leavers_ete": (
        "64% of care leavers aged 17 to 21 were in education, employment or "
        "training in December, against 59% over the previous six months and "
        "about 50% last year, which was close to the national average. Part of "
        "the rise comes from the DfE's new definition, which now counts 17 and "
        "18 year olds."
    ),
    "adoption_match_days": (
        "Over the last twelve months it took 232 days on average from the court "
        "authorising placement to a match with adopters, better than the target "
        "of 271. November and December improved markedly because no child who "
        "had waited a long time was matched in those months. We still have "
        "older children who are hard to place to find families for, so this "
        "level is unlikely to last."
    ),
    "adoption_placement_days": (
        "The three-year average from a child entering care to moving in with "
        "adopters is 607 days. Because the measure looks back three years it is "
        "slow to move, and finding a family for an older child after a long "
        "wait lifts it even though that is a good outcome. It has come down "
        "steadily but remains higher than the figure for England."
    ),
    "cin_supported_at_home": (
        "87% of children in need and family support cases were supported to "
        "stay at home with their families in December. This measure is new: it "
        "adds the families helped by the council's family support workers and "
        "by commissioned targeted early help to the children who have a social "
        "worker but are not looked after, and compares them with the total."
    ),
    "supervision": (
        "82% of social work staff had supervision in December, below the "
        "six-month average of 89% because of the holidays. Supervising everyone "
        "at least ten times a year means 83% in each month. Local offices keep "
        "these figures on spreadsheets."
    ),
    "average_caseload": (
        "Over the last six months caseloads averaged 15, below the target and "
        "about right for good practice, although teams with staff working part "
        "time or in their first year after qualifying leave some colleagues "
        "carrying more. After the recent deaths of two children, and with the "
        "holidays, caseloads rose to 17 in December, most of all in the "
        "assessment teams. We are watching this closely and will act if it "
        "continues."
    ),
    "agency_social_workers": (
        "119 agency social workers now fill established posts that need a "
        "social work qualification, down from 195 in March, together with 8 "
        "agency team managers at grade 6. All are covering vacancies. We are now "
        "below both our target and the national average for agency social "
        "workers."
    ),
}
