"""Due dates by working day, which months are open, and the policy's predicates per role."""

import datetime as dt

import pytest

from lib.months import Month
from returns import dates, policy, selectors
from returns.models import ClosureDay
from tests.conftest import make_user
from tests.returns.factories import make_team


def test_returns_are_due_on_the_fifth_working_day_of_the_next_month(db):
    # 1 January 2018 was a bank holiday, so Tuesday 2nd was the first working day and Monday 8th the fifth.
    assert dates.due_date(Month(2017, 12)) == dt.date(2018, 1, 8)
    assert dates.due_date(Month(2018, 8)) == dt.date(2018, 9, 7)  # 1 September 2018 is a Saturday
    assert dates.due_date(Month(2018, 3)) == dt.date(2018, 4, 9)  # Easter Monday 2 April 2018


def test_the_councils_closure_days_are_not_working_days(db):
    ClosureDay.objects.create(day=dt.date(2018, 1, 2), name="Council closure day")
    assert dates.due_date(Month(2017, 12)) == dt.date(2018, 1, 9)


def test_a_return_is_not_overdue_on_the_day_it_is_due(db):
    assert not selectors.is_overdue("draft", Month(2017, 12), dt.date(2018, 1, 8))
    assert selectors.is_overdue("draft", Month(2017, 12), dt.date(2018, 1, 9))


def test_the_due_working_day_is_a_setting(db, settings):
    settings.RETURNS_DUE_WORKING_DAY = 1
    assert dates.due_date(Month(2018, 8)) == dt.date(2018, 9, 3)


def test_a_due_working_day_past_the_months_working_days_falls_in_the_month_after(db, settings):
    settings.RETURNS_DUE_WORKING_DAY = 20  # December 2017 had 19 working days
    assert dates.due_date(Month(2017, 11)) == dt.date(2018, 1, 2)


def test_a_working_day_count_below_one_is_refused(db):
    with pytest.raises(ValueError):
        dates.working_day(Month(2018, 1), 0)


@pytest.mark.parametrize(
    ("month", "open_"),
    [
        (Month(2018, 2), True),
        (Month(2018, 1), True),
        (Month(2000, 1), True),
        (Month(2018, 3), False),
        (Month(1999, 12), False),
    ],
)
def test_months_are_open_from_2000_up_to_next_month(month, open_):
    assert dates.is_reportable(month, dt.date(2018, 1, 10)) == open_


@pytest.fixture
def teams(db, entry_user):
    return make_team("EAST-SG", members=[entry_user]), make_team("SOUTH-SG", area="SOUTH")


def test_data_entry_users_see_change_and_submit_only_their_own_teams(entry_user, teams):
    own, other = teams
    for check in (
        policy.has_view_return_permission,
        policy.has_change_return_permission,
        policy.has_submit_permission,
        policy.has_import_permission,
    ):
        assert check(entry_user, own), check.__name__
        assert not check(entry_user, other), check.__name__
        assert not check(entry_user, None), check.__name__  # the council's own return
    assert not policy.has_approve_permission(entry_user, own)
    assert not policy.has_publish_permission(entry_user)
    assert policy.visible_team_ids(entry_user) == {own.pk}


def test_the_performance_team_may_do_everything_with_every_unit(performance, teams):
    for team in (*teams, None):
        assert policy.has_view_return_permission(performance, team)
        assert policy.has_change_return_permission(performance, team)
        assert policy.has_submit_permission(performance, team)
        assert policy.has_approve_permission(performance, team)
        assert policy.has_import_permission(performance, team)
    assert policy.has_publish_permission(performance)
    assert policy.visible_team_ids(performance) is None


@pytest.mark.parametrize("role", ["leader", "administrator"])
def test_leaders_and_administrators_cannot_reach_returns_outside_the_admin(request, teams, role):
    user = request.getfixturevalue(role)
    for team in (*teams, None):
        assert not policy.has_view_return_permission(user, team)
        assert not policy.has_change_return_permission(user, team)
    assert not policy.has_view_completeness_permission(user)
    assert not policy.has_publish_permission(user)


def test_a_deactivated_user_may_do_nothing(performance, teams):
    performance.is_active = False
    assert not policy.has_view_return_permission(performance, teams[0])
    assert not policy.has_approve_permission(performance)


def test_a_data_entry_user_in_no_team_has_no_month_page(db):
    user = make_user("lonely", "Data entry")
    assert not policy.has_view_completeness_permission(user)
