"""SPC beside the RAG: December 2017's readings, change points on the indicator page, and the exports."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.db import transaction

from indicators.models import ChangePoint
from lib.months import Month
from scorecard import exports
from scorecard.demo.loader import load_demo
from scorecard.services import PUBLISHED, build_scorecard
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def december(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(password="spc-test-Password-1")
        scorecard = build_scorecard(Month(2017, 12), PUBLISHED)
        transaction.set_rollback(True)
    return scorecard


@pytest.fixture
def demo(db):
    load_demo(password=PASSWORD)
    cache.clear()


def test_every_indicator_with_enough_history_has_a_variation_and_an_assurance_reading(december):
    for panel in december.panels:
        assert panel.spc is not None and panel.spc.enough_data, panel.spec.code
        assert panel.spc.variation != "not_enough_data"
        if panel.result.target is not None and panel.spec.polarity != "neither":
            assert panel.spc.assurance in ("pass", "fail", "hit_and_miss"), panel.spec.code
        else:
            assert panel.spc.assurance is None, panel.spec.code
        assert panel.spc.sentence


def test_the_demo_change_point_starts_a_new_baseline(december):
    panel = next(p for p in december.panels if p.spec.code == "children_seen_at_assessment")
    assert panel.spc.change_points == (Month(2016, 11),)
    assert panel.spc.baseline_first == Month(2016, 11)
    before, after = panel.spc.points[0], panel.spc.points[-1]
    assert before.centre != after.centre


def test_the_json_carries_limits_flags_variation_and_assurance(december):
    data = exports.scorecard_dict(december)
    spc = data["indicators"][3]["spc"]
    assert spc["variation"] and spc["assurance"] == "pass"
    last = spc["points"][-1]
    assert {"centre", "upper", "lower", "upper_near", "lower_near", "rules"} <= set(last)
    assert last["lower"] < last["centre"] < last["upper"]


def test_the_csv_carries_the_reading_on_each_headline_row(december):
    rows = list(csv.DictReader(io.StringIO(exports.scorecard_csv(december))))
    headline = [r for r in rows if r["line"] == "headline" and r["period"] == "current" and r["area"] == "CITY"]
    assert len(headline) == 14
    assert all(r["spc_variation"] for r in headline)
    seen = next(r for r in headline if r["indicator"] == "children_seen_at_assessment")
    assert seen["spc_assurance"] == "pass"
    assert float(seen["spc_lower_limit"]) < float(seen["spc_centre"]) < float(seen["spc_upper_limit"])


def test_the_indicator_page_shows_the_xmr_chart_and_its_table(client, demo):
    client.login(username="leader", password=PASSWORD)
    content = client.get("/indicators/children_seen_at_assessment/").content.decode()
    assert "Show the XmR chart&#x27;s data as a table" in content or "Show the XmR chart's data as a table" in content
    assert "Nov-16 (change point)" in content
    assert '"kind": "xmr"' in content
    assert "Record change point" not in content  # leaders read; they do not record


def test_the_performance_team_records_a_change_point_with_who_and_why(client, demo):
    client.login(username="performance", password=PASSWORD)
    response = client.post("/indicators/re_referrals/change-points/",
                           {"month": "2016-12", "reason": "New front-door model"}, follow=True)
    assert "Change point recorded from December 2016" in response.content.decode()
    change_point = ChangePoint.objects.get(indicator__code="re_referrals")
    assert change_point.reason == "New front-door model"
    assert change_point.history.first().history_user.username == "performance"
    data = json.loads(client.get("/scorecard/2017-12.json").content)
    assert data["indicators"][1]["spc"]["change_points"] == ["2016-12"]


@pytest.mark.parametrize(("month", "reason", "message"), [
    ("Dec 2016", "New front door", "Give the change point&#x27;s month as YYYY-MM"),
    ("2016-13", "New front door", "Give the change point&#x27;s month as YYYY-MM"),
    ("2099-01", "New front door", "is in the future"),
    ("2016-12", "   ", "Say why the process changed"),
    ("2016-11", "Again", "already exists"),
])
def test_a_bad_change_point_is_refused_with_a_message_and_nothing_changes(client, demo, month, reason, message):
    client.login(username="performance", password=PASSWORD)
    before = list(ChangePoint.objects.values_list("indicator__code", "month", "reason"))
    response = client.post("/indicators/children_seen_at_assessment/change-points/",
                           {"month": month, "reason": reason}, follow=True)
    assert message in response.content.decode()
    assert list(ChangePoint.objects.values_list("indicator__code", "month", "reason")) == before


def test_leaders_and_data_entry_cannot_record_or_remove_change_points(client, demo):
    change_point = ChangePoint.objects.get()
    for username in ("leader", "entry.east"):
        client.login(username=username, password=PASSWORD)
        assert client.post("/indicators/re_referrals/change-points/",
                           {"month": "2016-12", "reason": "x"}).status_code == 403
        assert client.post(f"/indicators/children_seen_at_assessment/change-points/{change_point.pk}/remove/"
                           ).status_code == 403
    assert ChangePoint.objects.count() == 1


def test_removing_a_change_point_keeps_its_history(client, demo):
    client.login(username="performance", password=PASSWORD)
    change_point = ChangePoint.objects.get()
    response = client.post(f"/indicators/children_seen_at_assessment/change-points/{change_point.pk}/remove/",
                           follow=True)
    assert "removed" in response.content.decode()
    assert not ChangePoint.objects.exists()
    removal = ChangePoint.history.filter(id=change_point.pk).order_by("-history_id").first()
    assert removal.history_type == "-" and removal.history_user.username == "performance"


def test_without_twelve_points_the_page_says_not_enough_data(client, performance):
    from lib.months import month_range
    from tests.scorecard.test_scorecard_views import load_history

    load_history(month_range(Month(2017, 3), Month(2017, 12)), teams=1)
    client.force_login(performance)
    content = client.get("/indicators/supervision/").content.decode()
    assert "Not enough data" in content
    assert '"kind": "xmr"' not in content
