"""Property: whatever happens to returns after publishing, a published version's figures never move.

Random sequences of saves, submissions, approvals, reopenings, publishes and
restatements on a small council: after every step, each published version
reads exactly as it did when it was published, and the month's current
version changes only when it is restated.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.months import Month
from returns import services
from returns.models import Return
from scorecard import exports, roles, snapshots
from scorecard.services import PUBLISHED, get_scorecard
from tests.conftest import make_user
from tests.returns.factories import approved_return, make_council, make_team

HISTORY = [Month(2017, 9), Month(2017, 10)]
MONTHS = [Month(2017, 11), Month(2017, 12)]  # published at the start; the steps act on these
UNITS = ["EAST-SG", "CITY"]

step = st.one_of(
    st.tuples(st.just("save"), st.sampled_from(UNITS), st.sampled_from(MONTHS), st.integers(0, 60)),
    st.tuples(st.just("comment"), st.sampled_from(UNITS), st.sampled_from(MONTHS), st.text(max_size=5)),
    st.tuples(st.just("submit"), st.sampled_from(UNITS), st.sampled_from(MONTHS), st.none()),
    st.tuples(st.just("approve"), st.sampled_from(UNITS), st.sampled_from(MONTHS), st.none()),
    st.tuples(st.just("reopen"), st.sampled_from(UNITS), st.sampled_from(MONTHS), st.none()),
    st.tuples(st.just("publish"), st.none(), st.sampled_from(MONTHS), st.none()),
    st.tuples(st.just("restate"), st.none(), st.sampled_from(MONTHS), st.none()),
)


def figures(month: Month, version: int | None = None) -> str:
    """Return a published version's figures as the leaders' JSON has them (restatement notes aside)."""
    data = exports.scorecard_dict(get_scorecard(month, PUBLISHED, version=version))
    data.pop("restatements"), data.pop("version")
    return json.dumps(data, sort_keys=True)


def ret_of(unit: str, month: Month) -> Return:
    query = Return.objects.filter(month=month.first_day)
    return query.get(team__isnull=True) if unit == "CITY" else query.get(team__code=unit)


def apply(action, unit, month, argument, people) -> None:
    entry, performance, performance2 = people
    try:
        if action == "save":
            services.return_save_values(
                ret=ret_of(unit, month),
                actor=entry if unit != "CITY" else performance,
                values={"unallocated_cases" if unit != "CITY" else "re_referrals": argument},
            )
        elif action == "comment":
            services.return_save_values(ret=ret_of(unit, month), actor=performance, values={}, comment=argument)
        elif action == "submit":
            services.return_submit(
                ret=ret_of(unit, month), actor=entry if unit != "CITY" else performance, comment="Checked"
            )
        elif action == "approve":
            services.return_approve(ret=ret_of(unit, month), actor=performance2)
        elif action == "reopen":
            services.return_reopen(ret=ret_of(unit, month), actor=performance, reason="Property test")
        elif action == "publish":
            snapshots.month_publish(month=month, actor=performance)
        else:
            snapshots.month_restate(month=month, actor=performance, reason="Property test")
    except (services.ReturnError, snapshots.SnapshotRefused):
        pass  # refused: and a refusal changes nothing, which the property checks too


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=14))
def test_published_versions_never_change_unless_restated(steps):
    with transaction.atomic():
        make_council()
        east_sg, east_asm = make_team("EAST-SG"), make_team("EAST-ASM", team_type="assessment")
        people = (make_user("entry.p"), make_user("perf.p", roles.PERFORMANCE), make_user("perf2.p", roles.PERFORMANCE))
        for month in HISTORY + MONTHS:
            for team in (east_sg, east_asm, None):
                approved_return(team, month)
        published = {}
        for month in MONTHS:
            snapshots.month_publish(month=month, actor=people[1])
            published[(month, 1)] = figures(month, 1)
        for action, unit, month, argument in steps:
            apply(action, unit, month, argument, people)
            for m in MONTHS:
                for version in snapshots.versions(m):
                    published.setdefault((m, version.version), figures(m, version.version))
            for (m, version), expected in published.items():
                assert figures(m, version) == expected, (m, version)
        transaction.set_rollback(True)
