"""The scorecard page, the indicator page and the JSON: who sees what, and what it costs."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import Measure
from lib.months import Month, month_range
from returns.dataset import scorecard_dataset
from returns.models import ReportingMonth, Return, ReturnValue
from scorecard import roles
from scorecard.services import build_scorecard
from teams.models import Area, Council, Team, TeamType
from tests.conftest import make_user


def load_history(months: list[Month], teams: int, *, publish_last: bool = True) -> None:
    """Create a council with `teams` teams and approved values for every team-level measure in every month."""
    Council.objects.create(code="CITY", name="Test Council")
    area = Area.objects.create(code="EAST", name="East", kind="locality")
    team_type = TeamType.objects.get(code="assessment")
    team_objs = [
        Team.objects.create(code=f"T{n}", name=f"Team {n}", area=area, team_type=team_type) for n in range(teams)
    ]
    measures = list(Measure.objects.filter(level="team"))
    returns = Return.objects.bulk_create(
        Return(team=team, month=month.first_day, state=Return.State.APPROVED) for team in team_objs for month in months
    )
    ReturnValue.objects.bulk_create(
        ReturnValue(ret=ret, measure=measure, value=10 + n % 7) for ret in returns for n, measure in enumerate(measures)
    )
    for month in months:
        published = timezone.now() if (publish_last or month != months[-1]) else None
        ReportingMonth.objects.create(month=month.first_day, published_at=published)


DEC = Month(2017, 12)


@pytest.fixture
def history(db):
    load_history(month_range(Month(2017, 1), DEC), teams=3, publish_last=False)


@pytest.fixture
def data_entry(db):
    return make_user("entry.east", roles.DATA_ENTRY)


def test_a_leader_is_sent_to_the_latest_published_month(client, leader, history):
    client.force_login(leader)
    response = client.get("/scorecard/")
    assert response.status_code == 302
    assert response.url == "/scorecard/2017-11/"


def test_a_leader_gets_404_for_an_unpublished_month(client, leader, history):
    client.force_login(leader)
    assert client.get("/scorecard/2017-12/").status_code == 404
    assert client.get("/scorecard/2017-12.json").status_code == 404
    assert client.get("/indicators/supervision/?month=2017-12").status_code == 404


def test_data_entry_users_see_published_months_only(client, data_entry, history):
    client.force_login(data_entry)
    assert client.get("/scorecard/2017-11/").status_code == 200
    assert client.get("/scorecard/2017-12/").status_code == 404


def test_the_performance_team_sees_a_provisional_month_with_its_banner(client, performance, history):
    client.force_login(performance)
    response = client.get("/scorecard/2017-12/")
    assert response.status_code == 200
    assert b"PROVISIONAL" in response.content
    assert b"not yet published" in response.content


def test_a_published_month_has_no_draft_banner(client, leader, history):
    client.force_login(leader)
    response = client.get("/scorecard/2017-11/")
    assert response.status_code == 200
    assert b"DRAFT" not in response.content
    assert b"Performance scorecard \xe2\x80\x93 November 2017" in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/scorecard/2019-01/",
        "/scorecard/2017-13/",
        "/scorecard/17-12/",
        "/scorecard/2019-01.json",
        "/indicators/no_such_indicator/",
    ],
)
def test_unknown_months_and_indicators_are_404(client, performance, history, path):
    client.force_login(performance)
    assert client.get(path).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, history):
    for path in ("/scorecard/", "/scorecard/2017-11/", "/scorecard/2017-11.json", "/indicators/supervision/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), path


def test_month_navigation_links_neighbouring_months(client, leader, history):
    client.force_login(leader)
    content = client.get("/scorecard/2017-06/").content.decode()
    assert 'href="/scorecard/2017-05/" rel="prev"' in content
    assert 'href="/scorecard/2017-07/" rel="next"' in content


def test_choosing_a_month_redirects_to_its_page(client, leader, history):
    client.force_login(leader)
    response = client.get("/scorecard/", {"month": "2017-03"})
    assert response.status_code == 302 and response.url == "/scorecard/2017-03/"
    assert client.get("/scorecard/", {"month": "March"}).status_code == 404


def test_the_json_has_the_contract_shape(client, leader, history):
    client.force_login(leader)
    data = json.loads(client.get("/scorecard/2017-11.json").content)
    assert data["month"] == "2017-11" and data["status"] == "published"
    assert [i["number"] for i in data["indicators"]] == list(range(1, 15))
    first = data["indicators"][0]
    for key in (
        "code",
        "number",
        "title",
        "unit",
        "polarity",
        "target",
        "rating",
        "trend",
        "current",
        "baseline",
        "breakdown",
        "comparators",
        "commentary",
    ):
        assert key in first, key
    assert set(first["current"]) >= {"value", "numerator", "denominator"}
    assert set(first["baseline"]) >= {"label", "value"}
    assert set(first["breakdown"][0]) >= {"area", "value", "numerator", "denominator"}


def test_the_page_shows_ratings_in_words_and_charts_with_table_alternatives(client, performance, history):
    client.force_login(performance)
    content = client.get("/scorecard/2017-12/").content.decode()
    assert content.count('role="img"') == 14
    assert content.count("Show the chart's data as a table") == 14
    assert 'id="chart-data"' in content
    assert "<script>" not in content  # no inline scripts: a strict CSP must be possible


def test_the_performance_team_gets_a_commentary_link_on_each_panel_and_leaders_none(
    client, performance, leader, history
):
    client.force_login(performance)
    assert client.get("/scorecard/2017-12/").content.decode().count("/commentary/2017-12/") == 14
    client.force_login(leader)
    assert "/commentary/" not in client.get("/scorecard/2017-11/").content.decode()


def test_the_indicator_page_shows_definition_and_whole_history(client, leader, history):
    client.force_login(leader)
    response = client.get("/indicators/supervision/", {"month": "2017-11"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "supervisions" in content and "social_work_staff" in content
    assert content.count('<th scope="row">') >= 11  # every month of the history table


def query_count(client, path) -> int:
    client.get("/")  # the first request after login writes the session; measure the page alone
    client.get(path)  # a month published before snapshots is frozen when first read; measure reading it
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("teams", [5, 50])
def test_the_page_costs_the_same_queries_for_12_and_60_months_of_history(client, db, teams):
    performance = make_user("performance", roles.PERFORMANCE)
    client.force_login(performance)
    load_history(month_range(Month(2013, 1), DEC), teams=teams)
    long_history = query_count(client, "/scorecard/2017-12/")
    assert query_count(client, "/scorecard/2013-12/") == long_history  # 12 months of history behind it
    # The performance team's page also reads today's approved data, to show which published months it would change.
    assert long_history <= 25


def test_the_page_costs_the_same_queries_for_5_and_50_teams(client, db):
    performance = make_user("performance", roles.PERFORMANCE)
    client.force_login(performance)
    load_history(month_range(Month(2016, 1), DEC), teams=5)
    five = query_count(client, "/scorecard/2017-12/")
    Return.objects.all().delete()
    ReportingMonth.objects.all().delete()
    Team.objects.all().delete()
    Area.objects.all().delete()
    Council.objects.all().delete()
    load_history(month_range(Month(2016, 1), DEC), teams=50)
    assert query_count(client, "/scorecard/2017-12/") == five


def test_a_published_month_is_served_from_the_cache_in_a_handful_of_queries(client, leader, history):
    client.force_login(leader)
    cache.clear()
    client.get("/scorecard/2017-11/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/scorecard/2017-11/")
    # session, user, the month's record, the data stamp, the months list, the user's two permission lookups
    assert len(queries) == 7


def test_a_corrected_month_is_served_frozen_until_restated_and_then_not_stale_from_the_cache(
    client, leader, performance, performance2, history
):
    from returns import services
    from scorecard import snapshots

    client.force_login(leader)
    cache.clear()
    open_cases = lambda data: data["indicators"][0]["lines"][1]["current"]["value"]  # noqa: E731
    before = open_cases(json.loads(client.get("/scorecard/2017-10.json").content))
    assert "Restated on" not in client.get("/scorecard/2017-10/").content.decode()  # cached now
    ret = Return.objects.filter(month=dt.date(2017, 10, 1)).first()
    value = ret.values.get(measure__code="open_cases").value
    ret = services.return_reopen(ret=ret, actor=performance, reason="Open cases miscounted")
    consistent = dict.fromkeys(Measure.objects.filter(level="team").values_list("code", flat=True), 5)
    services.return_save_values(
        ret=ret, values={**consistent, "open_cases": value + 100}, actor=performance, expected_version=ret.version
    )
    services.return_submit(ret=ret, actor=performance, comment="Recounted")
    services.return_approve(ret=ret, actor=performance2)
    # Published means final: the correction reaches leaders only when the month is restated.
    assert open_cases(json.loads(client.get("/scorecard/2017-10.json").content)) == before
    snapshots.month_restate(month=Month(2017, 10), actor=performance, reason="Open cases miscounted")
    assert open_cases(json.loads(client.get("/scorecard/2017-10.json").content)) == before + 100
    page = client.get("/scorecard/2017-10/").content.decode()
    assert "Restated on" in page and "Open cases miscounted" in page


def test_missing_measures_show_as_no_data_not_zero(db):
    load_history([DEC], teams=1)
    scorecard = build_scorecard(DEC, "published")
    re_referrals = next(p for p in scorecard.panels if p.spec.code == "re_referrals")
    assert re_referrals.result.headline.current.value is None  # authority-level: nobody returned it
    assert re_referrals.result.rating == "none"


def test_a_team_with_supervisions_not_available_is_left_out_of_the_percentage_not_counted_as_zero(
    client, performance, history, django_assert_num_queries
):
    blank = ReturnValue.objects.get(ret__team__code="T0", ret__month=DEC.first_day, measure__code="supervisions")
    blank.value, blank.unavailable_reason = None, "Supervision records system down"
    blank.save()
    with django_assert_num_queries(3):
        data = scorecard_dataset(until=DEC)
    assert ("T0", DEC, "supervisions") in data.blanks
    scorecard = build_scorecard(DEC, "provisional")
    supervision = next(p for p in scorecard.panels if p.spec.code == "supervision").result
    staff = ReturnValue.objects.get(
        ret__team__code="T1", ret__month=DEC.first_day, measure__code="social_work_staff"
    ).value
    supervised = ReturnValue.objects.get(
        ret__team__code="T1", ret__month=DEC.first_day, measure__code="supervisions"
    ).value
    current = supervision.headline.current
    assert (current.numerator, current.denominator, current.excluded) == (2 * supervised, 2 * staff, 1)
    east = next(a.figure for a in supervision.headline.breakdown if a.area == "EAST")
    assert (east.numerator, east.denominator, east.excluded) == (2 * supervised, 2 * staff, 1)
    client.force_login(performance)
    page = client.get("/scorecard/2017-12/").content.decode()
    assert "Excludes 1 team whose figures are not available." in page


def test_months_built_from_one_read_compute_each_charted_point_once_and_chart_as_built_alone(history, monkeypatch):
    from scorecard import services

    computed: list[Month] = []
    headline_history = services.headline_history

    def counted(totals, spec, months):
        months = list(months)
        computed.extend(months)
        return headline_history(totals, spec, months)

    monkeypatch.setattr(services, "headline_history", counted)
    inputs = services.read_inputs(DEC, approved_only=False)
    year = [
        build_scorecard(month, "provisional", inputs=inputs, approved_only=False)
        for month in month_range(Month(2017, 1), DEC)
    ]
    # Twelve months charted for each indicator: each point computed once, not once for each later month too.
    assert len(computed) == 12 * len(inputs.specs)
    alone = build_scorecard(Month(2017, 6), "provisional", approved_only=False)
    assert [panel.history for panel in year[5].panels] == [panel.history for panel in alone.panels]
    assert all(len(panel.history) == 12 for panel in year[-1].panels)
