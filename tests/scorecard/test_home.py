"""The home page as each role's task list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import Commentary, Indicator, Target
from lib.months import Month
from returns import services
from returns.models import ReportingMonth
from tests.returns.factories import (
    DEC_2017,
    approved_return,
    draft_return,
    make_team,
    submitted_return,
)

pytestmark = pytest.mark.usefixtures("january_2018")


@pytest.fixture
def red_unallocated(db):
    # Unallocated cases: target 0, lower is better; the factories' teams have 2, so it is red.
    Target.objects.create(
        indicator=Indicator.objects.get(code="unallocated_cases"),
        effective_from=Month(2017, 4).first_day,
        value=0,
        tolerance=0,
    )


def publish(month: Month) -> None:
    ReportingMonth.objects.update_or_create(month=month.first_day, defaults={"published_at": timezone.now()})


def test_data_entry_sees_each_return_due_with_its_state_and_what_to_do(client, entry_user, east, performance):
    other = make_team("EAST-ASM", area="EAST", members=[entry_user])
    ret = submitted_return(other)
    services.return_reject(ret=ret, actor=performance, reason="Supervisions missing")
    client.force_login(entry_user)
    page = client.get("/").content.decode()
    assert 'December 2017: <span class="task-summary">1 overdue since Mon 8 Jan, 1 returned</span>' in page
    assert "Correct and submit again: Supervisions missing" in page
    assert "Enter and submit (was due Mon 8 Jan)" in page
    assert 'href="/returns/2017-12/EAST-SG/"' in page
    assert "Enter your teams' monthly returns (December 2017)" in page


def test_data_entry_without_a_team_is_told_so(client, entry_user, db):
    client.force_login(entry_user)
    assert "You are not a member of any team yet" in client.get("/").content.decode()


def test_the_performance_team_sees_what_awaits_approval_and_commentary_needed(
    client, performance, east, red_unallocated
):
    submitted_return(east)
    approved_return(None)
    client.force_login(performance)
    page = client.get("/").content.decode()
    assert "1 awaiting your approval:</strong>" in page and 'href="/returns/2017-12/EAST-SG/">EAST-SG</a>' in page
    assert "Commentary still needed (1)" in page
    assert 'href="/indicators/unallocated_cases/commentary/2017-12/">1. Unallocated cases' in page
    assert "Not ready to publish" in page


def test_a_month_with_everything_approved_and_explained_is_ready(client, performance, east, red_unallocated):
    approved_return(east)
    approved_return(None)
    Commentary.objects.create(
        indicator=Indicator.objects.get(code="unallocated_cases"),
        month=DEC_2017.first_day,
        text="Two cases, allocated since.",
    )
    client.force_login(performance)
    page = client.get("/").content.decode()
    assert "Ready to publish" in page


def test_a_month_all_approved_but_without_commentary_is_not_ready(client, performance, east, red_unallocated):
    approved_return(east)
    approved_return(None)
    client.force_login(performance)
    page = client.get("/").content.decode()
    assert "Not ready to publish" in page and "Commentary still needed (1)" in page


def test_leaders_see_the_latest_published_month_its_red_indicators_and_every_indicator(
    client, leader, east, red_unallocated
):
    approved_return(east)
    approved_return(None)
    publish(DEC_2017)
    client.force_login(leader)
    page = client.get("/").content.decode()
    assert "Latest published scorecard: December 2017" in page
    assert "Rated red or amber (1)" in page
    assert 'href="/scorecard/2017-12/#indicator-1">1. Unallocated cases' in page
    for indicator in Indicator.objects.filter(active=True):
        assert f'href="/indicators/{indicator.code}/?month=2017-12"' in page
    assert 'href="/returns/' not in page


def test_leaders_before_anything_is_published(client, leader, db):
    client.force_login(leader)
    assert "No scorecard has been published yet." in client.get("/").content.decode()


def test_the_returns_index_defaults_to_the_latest_month_with_a_return(client, performance, east):
    approved_return(east, Month(2017, 6))
    client.force_login(performance)
    assert client.get("/returns/").url == "/returns/2017-06/"


def test_the_month_picker_goes_to_the_month_chosen_and_refuses_nonsense(client, performance, east):
    approved_return(east, Month(2017, 6))
    client.force_login(performance)
    page = client.get("/returns/2017-06/").content.decode()
    assert '<option value="2017-06" selected>June 2017</option>' in page
    assert client.get("/returns/?month=2017-03").url == "/returns/2017-03/"
    assert client.get("/returns/?month=2017-13").status_code == 404
    assert client.get("/returns/?month=x" * 3).status_code == 404


def test_the_data_entry_home_costs_the_same_queries_whatever_the_number_of_teams(client, entry_user, east):
    client.force_login(entry_user)
    client.get("/")  # the first request after sign-in also writes the session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    draft_return(east)
    few = count()
    for n in range(10):
        draft_return(make_team(f"EAST-{n}", area="EAST", members=[entry_user]))
    assert count() == few
