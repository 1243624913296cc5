"""SPC beside the RAG: December 2017's readings, change points on the indicator page, and the exports."""

import csv
import io
import json

import pytest
from django.core.cache import cache

from indicators.models import ChangePoint, Indicator
from lib.months import Month
from scorecard import exports
from scorecard.services import PUBLISHED, build_scorecard
from tests.conftest import PASSWORD, demo_for_the_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _demo_once(django_db_setup, django_db_blocker):
    with demo_for_the_module(django_db_blocker):
        yield


@pytest.fixture(scope="module")
def december(_demo_once, django_db_blocker):
    with django_db_blocker.unblock():
        return build_scorecard(Month(2017, 12), PUBLISHED)


@pytest.fixture
def demo(_demo_once, db):
    cache.clear()


def test_every_indicator_has_a_reading_and_a_sentence_naming_the_period_of_its_limits(december):
    for panel in december.panels:
        result = panel.spc
        assert result is not None and result.sentence, panel.spec.code
        if result.enough_data:
            assert result.variation != "not_enough_data"
            assert result.period.startswith("since ") and result.period in result.sentence, panel.spec.code
            assert (result.assurance is not None) == (
                panel.result.target is not None and panel.spec.polarity != "neither"
            ), panel.spec.code
        else:
            assert result.sentence.startswith("Not enough data for limits:"), panel.spec.code
            assert result.assurance is None


def test_the_demo_change_point_starts_a_new_segment(december):
    panel = next(p for p in december.panels if p.spec.code == "supervision")
    assert panel.spc.change_points == (Month(2016, 1),)
    assert (panel.spc.segment_first, panel.spc.baseline_first, panel.spc.baseline_last) == (
        Month(2016, 1),
        Month(2016, 1),
        Month(2017, 12),
    )
    before, after = panel.spc.points[0], panel.spc.points[-1]
    assert before.centre != after.centre


def test_the_json_carries_limits_flags_variation_and_assurance(december):
    data = exports.scorecard_dict(december)
    spc = data["indicators"][11]["spc"]  # supervision
    assert spc["variation"] == "common_cause" and spc["assurance"] == "hit_and_miss"
    assert spc["period"] == "since Jan-16" and spc["segment_first"] == "2016-01"
    last = spc["points"][-1]
    assert {"centre", "upper", "lower", "upper_near", "lower_near", "rules"} <= set(last)
    assert last["lower"] < last["centre"] < last["upper"]


def test_the_csv_carries_the_reading_on_each_headline_row(december):
    rows = list(csv.DictReader(io.StringIO(exports.scorecard_csv(december))))
    headline = [r for r in rows if r["line"] == "headline" and r["period"] == "current" and r["area"] == "CITY"]
    assert len(headline) == 14
    assert all(r["spc_variation"] for r in headline)
    supervision = next(r for r in headline if r["indicator"] == "supervision")
    assert supervision["spc_assurance"] == "hit_and_miss"
    assert (
        float(supervision["spc_lower_limit"]) < float(supervision["spc_centre"]) < float(supervision["spc_upper_limit"])
    )


def test_the_indicator_page_shows_the_xmr_chart_and_its_table(client, demo):
    client.login(username="leader", password=PASSWORD)
    content = client.get("/indicators/supervision/").content.decode()
    assert "Show the XmR chart&#x27;s data as a table" in content or "Show the XmR chart's data as a table" in content
    assert "Jan-16 (change point)" in content
    assert '"kind": "xmr"' in content
    assert "Record change point" not in content  # leaders read; they do not record


def test_the_performance_team_records_a_change_point_with_who_and_why(client, demo):
    client.login(username="performance", password=PASSWORD)
    response = client.post(
        "/indicators/re_referrals/change-points/", {"month": "2016-12", "reason": "New front-door model"}, follow=True
    )
    assert "Change point recorded from December 2016" in response.content.decode()
    change_point = ChangePoint.objects.get(indicator__code="re_referrals")
    assert change_point.reason == "New front-door model"
    assert change_point.history.first().history_user.username == "performance"
    # Published December is frozen; restating it publishes the chart with the change point.
    assert json.loads(client.get("/scorecard/2017-12.json").content)["indicators"][1]["spc"]["change_points"] == []
    client.post("/scorecard/2017-12/restate", {"reason": "Change point recorded"})
    data = json.loads(client.get("/scorecard/2017-12.json").content)
    assert data["indicators"][1]["spc"]["change_points"] == ["2016-12"]


@pytest.mark.parametrize(
    ("month", "reason", "message"),
    [
        ("Dec 2016", "New front door", "Give the change point&#x27;s month as YYYY-MM"),
        ("2016-13", "New front door", "Give the change point&#x27;s month as YYYY-MM"),
        ("2099-01", "New front door", "is in the future"),
        ("2016-12", "   ", "Say why the process changed"),
        ("2016-11", "Again", "already exists"),
    ],
)
def test_a_bad_change_point_is_refused_with_a_message_and_nothing_changes(client, demo, month, reason, message):
    client.login(username="performance", password=PASSWORD)
    before = list(ChangePoint.objects.values_list("indicator__code", "month", "reason"))
    response = client.post(
        "/indicators/children_seen_at_assessment/change-points/", {"month": month, "reason": reason}, follow=True
    )
    assert message in response.content.decode()
    assert list(ChangePoint.objects.values_list("indicator__code", "month", "reason")) == before


def test_leaders_and_data_entry_cannot_record_or_remove_change_points(client, demo):
    change_point = ChangePoint.objects.get(indicator__code="children_seen_at_assessment")
    count = ChangePoint.objects.count()
    for username in ("leader", "entry.east"):
        client.login(username=username, password=PASSWORD)
        assert (
            client.post("/indicators/re_referrals/change-points/", {"month": "2016-12", "reason": "x"}).status_code
            == 403
        )
        assert (
            client.post(f"/indicators/children_seen_at_assessment/change-points/{change_point.pk}/remove/").status_code
            == 403
        )
    assert ChangePoint.objects.count() == count


def test_removing_a_change_point_keeps_its_history(client, demo):
    client.login(username="performance", password=PASSWORD)
    change_point = ChangePoint.objects.get(indicator__code="children_seen_at_assessment")
    response = client.post(
        f"/indicators/children_seen_at_assessment/change-points/{change_point.pk}/remove/", follow=True
    )
    assert "removed" in response.content.decode()
    assert not ChangePoint.objects.filter(indicator__code="children_seen_at_assessment").exists()
    removal = ChangePoint.history.filter(id=change_point.pk).order_by("-history_id").first()
    assert removal.history_type == "-" and removal.history_user.username == "performance"


# --- December 2017 as an analyst would sign it ------------------------------------------------------------------

# (variation, assurance, the period the limits come from) for each panel of the published December 2017.
DECEMBER_READINGS = {
    "unallocated_cases": ("improvement_low", "fail", "since Dec-15"),
    "re_referrals": ("common_cause", "hit_and_miss", "since Jan-14"),
    "assessments_in_timescale": ("improvement_high", "hit_and_miss", "since Jan-16"),
    "children_seen_at_assessment": ("not_enough_data", None, "since Nov-16"),
    "child_protection_plans": ("common_cause", None, "since Mar-16"),
    "cp_visits": ("common_cause", "hit_and_miss", "since Jan-16"),
    "children_in_care": ("concern_high", "fail", "since Mar-16"),
    "care_leavers_ete": ("not_enough_data", None, "since Apr-17"),
    "adoption_match_days": ("improvement_low", "fail", "since Jun-16"),
    "adoption_placement_days": ("not_enough_data", None, "since Dec-16"),
    "cin_supported_at_home": ("improvement_high", "hit_and_miss", "since Jun-16"),
    "supervision": ("common_cause", "hit_and_miss", "since Jan-16"),
    "average_caseload": ("concern_high", "hit_and_miss", "since Jun-16"),
    "agency_social_workers": ("improvement_low", "fail", "since Sep-16"),
}


def test_december_2017_reads_as_the_analyst_signed_it(december):
    readings = {p.spec.code: (p.spc.variation, p.spc.assurance, p.spc.period) for p in december.panels}
    assert readings == DECEMBER_READINGS


def test_no_published_demo_panel_pairs_improvement_with_a_worse_trend_unexplained(december):
    for panel in december.panels:
        improvement = panel.spc.variation.startswith("improvement")
        if improvement and panel.result.trend == "declining":
            assert "worse than its baseline" in panel.spc.note, panel.spec.code
        if improvement and panel.result.rating in ("red", "amber"):
            assert "still misses the target" in panel.spc.note, panel.spec.code
        if panel.spc.variation.startswith("concern") and panel.result.rating == "green":
            assert "still meets the target" in panel.spc.note, panel.spec.code


def test_no_process_that_meets_its_target_most_months_reads_consistently_fails(december):
    for panel in december.panels:
        segment = [
            p
            for p in panel.spc.points
            if panel.spc.segment_first and p.month >= panel.spc.segment_first and p.value is not None
        ]
        if panel.spc.assurance != "fail" or not segment:
            continue
        target, lower = panel.spc.target, panel.spec.polarity == "lower"
        met = sum((p.value <= target) if lower else (p.value >= target) for p in segment)
        assert met < len(segment) / 2, panel.spec.code


def test_every_published_sentence_names_the_period_of_its_limits(client, demo):
    client.login(username="leader", password=PASSWORD)
    content = client.get("/scorecard/2017-12/").content.decode()
    for reading in DECEMBER_READINGS.values():
        assert reading[2] in content
    assert content.count('class="spc-sentence"') == 14


# --- the panel's chart: the current segment's limits, the same y axis on the page and in the PDF --------------


def test_the_panel_chart_carries_the_current_segments_average_and_limits(december):
    from scorecard.views import _chart

    panel = next(p for p in december.panels if p.spec.code == "children_in_care")
    data = _chart(panel, panel.chart_history, with_limits=True)
    limits = panel.spc.limits
    assert data["centre"] == [limits.centre] * 13 and data["upper"] == [limits.upper] * 13
    assert data["limits_period"] == "since Mar-16"
    # A segment that starts inside the chart's 13 months draws its lines from its first month only.
    seen = next(p for p in december.panels if p.spec.code == "care_leavers_ete")
    assert set(_chart(seen, seen.chart_history, with_limits=True)["centre"]) == {None}  # a run chart: none


def test_a_segment_starting_inside_the_chart_draws_from_its_first_month(december):
    from dataclasses import replace

    from indicators import spc as spc_engine
    from scorecard.charts import segment_lines

    panel = next(p for p in december.panels if p.spec.code == "supervision")
    series = [(h.month, float(h.value.value)) for h in panel.history]
    # A change point in Jun-17, with limits allowed on its seven months, starts inside the 13 months charted.
    result = spc_engine.xmr(
        series, polarity="higher", change_points=[Month(2017, 6)], options=spc_engine.SpcOptions(min_points=5)
    )
    lines = segment_lines(replace(panel, spc=result))
    months = [h.month for h in panel.chart_history]
    centres = list(zip(months, lines["centre"], strict=True))
    assert [v for m, v in centres if m < Month(2017, 6)] == [None] * 6
    assert [v for m, v in centres if m >= Month(2017, 6)] == [result.limits.centre] * 7


def test_the_page_and_the_pdf_draw_the_same_y_axis(december):
    from scorecard.charts import chart_axis, history_chart
    from scorecard.views import _chart

    for panel in december.panels:
        data = _chart(panel, panel.chart_history, with_limits=True)
        low, high, step = chart_axis(panel)
        assert (data["y_min"], data["y_max"], data["y_step"]) == (low, high, step), panel.spec.code
        svg = history_chart(panel)
        assert f">{exports_tick(panel, high, step)}</text>" in svg, panel.spec.code


def exports_tick(panel, value, step):
    """Format a tick as the PDF does."""
    import math

    from lib.numbers import format_number

    places = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return format_number(value, places, unit=panel.spec.unit)


def test_the_pdf_chart_draws_the_limits_and_names_their_period(december):
    from scorecard.charts import history_chart

    panel = next(p for p in december.panels if p.spec.code == "children_in_care")
    svg = history_chart(panel)
    assert "Upper limit" in svg and "Average" in svg
    assert "Usual range since Mar-16" in svg


# --- panel 14: one series, one name ----------------------------------------------------------------------------


def test_panel_14_names_its_chart_and_history_after_the_series_they_plot(client, demo):
    client.login(username="leader", password=PASSWORD)
    content = client.get("/scorecard/2017-12/").content.decode()
    section = content[content.index('id="indicator-14"') :]
    data = json.loads(content[content.index('<script id="chart-data"') :].split(">", 1)[1].split("</script>")[0])
    chart = data["agency_social_workers"]
    assert chart["title"] == "% agency SW qualified total"
    assert chart["values"][-1] == pytest.approx(14.0, abs=0.05)  # the qualified total, 14%
    assert "% agency SW qualified total: monthly history" in section
    assert "% agency SW qualified total from Dec-16 to Dec-17" in section  # the chart's text alternative


def test_other_panels_keep_their_short_title_as_the_series_name(december):
    from scorecard.charts import series_title

    assert series_title(december.panels[0].spec) == "Unallocated cases (open > 7 days)"


# --- suggested change points on the indicator page ---------------------------------------------------------------


def test_the_indicator_page_suggests_a_change_point_with_the_limits_it_would_give(client, demo):
    client.login(username="performance", password=PASSWORD)
    content = client.get("/indicators/unallocated_cases/").content.decode()
    assert "Suggested change point: February 2017" in content
    assert "for 11 months in a row" in content
    assert "Accept the change point" in content and "Dismiss: the process did not change" in content


def test_a_leader_sees_the_suggestion_but_cannot_act_on_it(client, demo):
    client.login(username="leader", password=PASSWORD)
    content = client.get("/indicators/unallocated_cases/").content.decode()
    assert "Suggested change point: February 2017" in content
    assert "Accept the change point" not in content and "Dismiss: the process" not in content
    assert client.post("/indicators/unallocated_cases/change-points/dismiss/", {"month": "2017-02"}).status_code == 403


def test_accepting_a_suggestion_records_it_with_the_reason(client, demo):
    client.login(username="performance", password=PASSWORD)
    response = client.post(
        "/indicators/unallocated_cases/change-points/", {"month": "2017-02", "reason": "Duty team created"}, follow=True
    )
    assert "Change point recorded from February 2017" in response.content.decode()
    assert ChangePoint.objects.filter(
        indicator__code="unallocated_cases", month="2017-02-01", reason="Duty team created"
    ).exists()
    assert "Suggested change point: February 2017" not in response.content.decode()
    # The published month keeps the reading it was published with until it is restated, and says so.
    assert "recorded after this version was published" in response.content.decode()


def test_dismissing_a_suggestion_stops_it_and_keeps_who(client, demo):
    from indicators.models import DismissedChangePoint

    client.login(username="performance", password=PASSWORD)
    response = client.post("/indicators/unallocated_cases/change-points/dismiss/", {"month": "2017-02"}, follow=True)
    content = response.content.decode()
    assert "Suggested change point of February 2017 dismissed" in content
    assert "Suggested change point: February 2017" not in content
    dismissal = DismissedChangePoint.objects.get(indicator__code="unallocated_cases")
    assert dismissal.dismissed_by.username == "performance"
    assert dismissal.history.first().history_user.username == "performance"


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("Feb 2017", "Give the suggested month as YYYY-MM"),
        ("2015-12", "is already a change point"),
    ],
)
def test_a_bad_dismissal_is_refused_with_a_message_and_nothing_changes(client, demo, month, message):
    from indicators.models import DismissedChangePoint

    client.login(username="performance", password=PASSWORD)
    response = client.post("/indicators/unallocated_cases/change-points/dismiss/", {"month": month}, follow=True)
    assert message in response.content.decode()
    assert not DismissedChangePoint.objects.exists()


def test_dismissing_the_same_month_twice_is_refused(client, demo):
    from indicators.models import DismissedChangePoint

    client.login(username="performance", password=PASSWORD)
    client.post("/indicators/unallocated_cases/change-points/dismiss/", {"month": "2017-02"})
    response = client.post("/indicators/unallocated_cases/change-points/dismiss/", {"month": "2017-02"}, follow=True)
    assert "already exists" in response.content.decode()
    assert DismissedChangePoint.objects.count() == 1


def test_the_indicator_page_flags_limits_resting_on_special_causes(client, demo):
    client.login(username="leader", password=PASSWORD)
    content = client.get("/indicators/unallocated_cases/").content.decode()
    assert "The limits rest on months that are special causes themselves" in content
    clean = client.get("/indicators/re_referrals/").content.decode()
    assert "The limits rest on months" not in clean


def test_each_indicators_conflict_rule_and_screening_and_the_run_length_settings_reach_its_chart(demo, settings):
    Indicator.objects.filter(code="supervision").update(spc_conflict_rule="concern", spc_screen_outliers=True)
    settings.SPC_SHIFT_LENGTH, settings.SPC_TREND_LENGTH = 8, 6
    panel = build_scorecard(Month(2017, 12), PUBLISHED, codes=["supervision", "cp_visits"]).panels
    supervision, visits = (next(p for p in panel if p.spec.code == code) for code in ("supervision", "cp_visits"))
    assert supervision.spc.options == spc_options(
        shift_length=8, trend_length=6, screen_outliers=True, conflict_rule="concern"
    )
    assert visits.spc.options == spc_options(shift_length=8, trend_length=6)


def spc_options(**options):
    from indicators.spc import SpcOptions

    return SpcOptions(**options)
