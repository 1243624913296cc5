"""Task lists: open months, returned returns told apart from drafts, what each return needs."""

import datetime as dt

import pytest
import time_machine

from lib.months import Month
from returns import services, tasks
from returns.models import ReportingMonth, Return
from tests.returns.factories import (
    DEC_2017,
    approved_return,
    draft_return,
    make_team,
    submitted_return,
)

TODAY = dt.date(2018, 1, 10)


pytestmark = pytest.mark.usefixtures("january_2018")


def test_it_tells_a_rejected_return_from_a_draft_saved_after_submission(east, performance, entry_user):
    rejected = submitted_return(east)
    services.return_reject(ret=rejected, actor=performance, reason="Visits look doubled")
    other = make_team("EAST-ASM", area="EAST")
    edited = submitted_return(other)
    services.return_save_values(ret=edited, values={"open_cases": 401}, actor=entry_user)
    info = tasks.returned_info([rejected, edited])
    assert set(info) == {rejected.pk}
    assert info[rejected.pk].actor == "performance" and info[rejected.pk].reason == "Visits look doubled"
    assert info[rejected.pk].verb == "Returned"


def test_a_returned_return_stays_returned_through_draft_saves_until_submitted_again(east, performance, entry_user):
    ret = submitted_return(east)
    services.return_reject(ret=ret, actor=performance, reason="Check the visits")
    services.return_save_values(ret=ret, values={"cpp_visits_made": 79}, actor=entry_user)
    assert tasks.returned_for(ret) is not None
    services.return_submit(ret=ret, actor=entry_user)
    assert tasks.returned_for(ret) is None


def test_a_reopened_return_is_returned_and_says_reopened(east, performance):
    ret = approved_return(east)
    services.return_reopen(ret=ret, actor=performance, reason="Wrong staff count")
    assert tasks.returned_for(ret).verb == "Reopened"


def test_returned_info_costs_one_query(east, performance, django_assert_num_queries):
    returns = []
    for code in ("A1", "A2", "A3"):
        ret = submitted_return(make_team(code, area="EAST"))
        services.return_reject(ret=ret, actor=performance, reason="No")
        returns.append(ret)
    with django_assert_num_queries(1):  # state changes, each with whether values changed in its version
        assert len(tasks.returned_info(returns)) == 3


def test_open_months_are_the_month_being_collected_and_unapproved_unpublished_ones(east):
    draft_return(east, Month(2017, 10))
    approved_return(east, Month(2017, 11))
    submitted_return(east, Month(2017, 9))
    ReportingMonth.objects.create(month=Month(2017, 9).first_day, published_at=dt.datetime(2017, 10, 9, tzinfo=dt.UTC))
    assert tasks.open_months(TODAY) == [DEC_2017, Month(2017, 10)]


def test_open_months_for_a_data_entry_user_look_only_at_their_teams(east):
    draft_return(make_team("SOUTH-SG", area="SOUTH"), Month(2017, 8))
    assert tasks.open_months(TODAY, team_ids=frozenset({east.pk})) == [DEC_2017]
    assert Month(2017, 8) in tasks.open_months(TODAY)


def test_the_latest_active_month_is_the_newest_with_a_return_else_the_month_being_collected(east):
    assert tasks.latest_active_month(TODAY) == DEC_2017
    approved_return(east, Month(2017, 6))
    assert tasks.latest_active_month(TODAY) == Month(2017, 6)
    draft_return(east, Month(2018, 2))
    assert tasks.latest_active_month(TODAY) == Month(2018, 2)


def test_the_latest_active_month_when_only_old_returns_exist(east):
    Return.objects.all().delete()
    approved_return(east, Month(2016, 3))
    assert tasks.latest_active_month(dt.date(2026, 12, 2)) == Month(2016, 3)


def test_entry_tasks_say_what_needs_doing_and_summarise_the_month(east, performance, entry_user):
    other = make_team("EAST-ASM", area="EAST", members=[entry_user])
    make_team("EAST-CIC", area="EAST", members=[entry_user])
    ret = submitted_return(other)
    services.return_reject(ret=ret, actor=performance, reason="Supervisions missing")
    draft_return(east)
    team_ids = frozenset(entry_user.teams.values_list("pk", flat=True))
    [month] = tasks.entry_tasks(TODAY, team_ids)
    assert month.month == DEC_2017
    todo = {t.row.unit.code: (t.state_label, t.todo) for t in month.tasks}
    assert todo["EAST-ASM"] == ("Returned", "Correct and submit again: Supervisions missing")
    assert todo["EAST-SG"] == ("Draft", "Finish and submit (was due Mon 8 Jan)")
    assert todo["EAST-CIC"] == ("Not started", "Enter and submit (was due Mon 8 Jan)")
    assert month.summary == "2 overdue since Mon 8 Jan, 1 returned"


def test_the_summary_before_the_due_date(east):
    with time_machine.travel("2018-01-02 10:00:00+00:00", tick=False):
        [month] = tasks.entry_tasks(dt.date(2018, 1, 2), frozenset({east.pk}))
    assert month.summary == "1 due Mon 8 Jan"


def test_review_months_list_what_awaits_approval(east):
    submitted_return(east)
    [review] = tasks.review_months(TODAY)
    assert [t.row.unit.code for t in review.awaiting] == ["EAST-SG"]
    assert len(review.not_approved) == 2  # the team and the council
