"""Published figures are final: approved values only, frozen snapshots, restatements with provenance.

Each leak of issue 11 is a test here, on the demo council (loaded once for the
module and rolled back at its end; each test runs in its own savepoint).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from lib.months import Month
from lib.vocab import Assurance, ComparatorKind, ConflictRule, Polarity, Rating, Trend, Variation, Window
from returns import services
from returns.imports import returns_import
from returns.models import ApprovedValue, ReportingMonth, Return, StateChange
from scorecard import snapshots
from scorecard.models import ScorecardSnapshot
from scorecard.pdf import render_pdf
from scorecard.services import PUBLISHED, build_scorecard, get_scorecard
from teams.models import Area, Team, TeamType
from tests.conftest import demo_for_the_module

PASSWORD = "snapshot-test-Password-1"
DECEMBER, NOVEMBER = Month(2017, 12), Month(2017, 11)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_for_the_module(django_db_blocker, password=PASSWORD):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache(demo, db):
    cache.clear()


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="scorecard.security")
    return lambda event: [
        r.getMessage() for r in caplog.records if r.name == "scorecard.security" and f"event={event} " in r.getMessage()
    ]


def user(name: str) -> User:
    return User.objects.get(username=name)


def signed_in(name: str) -> Client:
    client = Client()
    client.force_login(user(name))
    return client


def leader_json(month: str = "2017-12") -> dict:
    response = signed_in("leader").get(f"/scorecard/{month}.json")
    assert response.status_code == 200
    return json.loads(response.content)


def indicator(data: dict, code: str) -> dict:
    return next(i for i in data["indicators"] if i["code"] == code)


def demo_return(unit: str, month: Month) -> Return:
    query = Return.objects.filter(month=month.first_day)
    return query.get(team__isnull=True) if unit == "CITY" else query.get(team__code=unit)


def reopen(unit: str, month: Month, reason: str = "Checking a count") -> Return:
    return services.return_reopen(ret=demo_return(unit, month), actor=user("performance"), reason=reason)


def correct_and_approve(unit: str, month: Month, values: dict, *, comment: str = "Recounted") -> Return:
    """Reopen, correct, submit (performance) and approve (performance2): a correction through the workflow."""
    ret = reopen(unit, month)
    services.return_save_values(ret=ret, values=values, actor=user("performance"), comment=comment)
    services.return_submit(ret=ret, actor=user("performance"), comment=comment)
    return services.return_approve(ret=ret, actor=user("performance2"))


# ---------------------------------------------------------------- the leaks


def test_a_draft_in_a_reopened_november_changes_no_published_figure(demo):
    december, november = leader_json("2017-12"), leader_json("2017-11")
    ret = reopen("EAST-SG", NOVEMBER)
    services.return_save_values(ret=ret, values={"unallocated_cases": 900}, actor=user("entry.east"))
    assert leader_json("2017-12") == december  # history point, baseline, supervision baseline: all as published
    assert leader_json("2017-11") == november  # November stays published, as it was
    # Even computed afresh, approved figures ignore the draft: November's last approved values stay in force.
    fresh = build_scorecard(DECEMBER, PUBLISHED)
    unallocated = next(p for p in fresh.panels if p.spec.code == "unallocated_cases")
    assert [float(p.value.value) for p in unallocated.history if p.month == NOVEMBER] == [1]


def test_a_late_team_with_a_draft_return_adds_nothing_to_the_published_month(demo):
    before = leader_json()
    team = Team.objects.create(
        code="LATE",
        name="Late Team",
        area=Area.objects.get(code="EAST"),
        team_type=TeamType.objects.get(code="safeguarding"),
    )
    ret = services.return_get_or_create(team=team, month=DECEMBER)
    services.return_save_values(
        ret=ret, values={"unallocated_cases": 4000, "open_cases": 4000}, actor=user("performance")
    )
    assert leader_json() == before
    assert indicator(before, "unallocated_cases")["current"]["value"] == 1
    fresh = build_scorecard(DECEMBER, PUBLISHED)  # what a restatement would publish: the draft is no data
    assert next(p for p in fresh.panels if p.spec.code == "unallocated_cases").result.headline.current.value == 1


def test_a_reopened_returns_approved_values_stay_in_force_until_it_is_approved_again(demo):
    ret = reopen("EAST-SG", NOVEMBER)
    kept = dict(ApprovedValue.objects.filter(ret=ret).values_list("measure__code", "value"))
    assert kept["unallocated_cases"] == dict(ret.values.values_list("measure__code", "value"))["unallocated_cases"]
    services.return_save_values(
        ret=ret,
        values={"unallocated_cases": kept["unallocated_cases"] + 1},
        actor=user("entry.east"),
        comment="Recounted",
    )
    services.return_submit(ret=ret, actor=user("entry.east"), comment="Recounted")
    assert ApprovedValue.objects.filter(ret=ret).exists()  # submitted is not approved
    services.return_approve(ret=ret, actor=user("performance"))
    assert not ApprovedValue.objects.filter(ret=ret).exists()  # the locked values are the approved ones again
    ret.refresh_from_db()
    assert (ret.approved_version, ret.approved_by.username) == (ret.version, "performance")


def test_a_provisional_month_is_the_latest_saved_values_and_names_the_unapproved_returns(demo):
    services.return_get_or_create(team=None, month=Month(2018, 1))
    provisional = get_scorecard(Month(2018, 1), "provisional")
    assert provisional.status == "provisional"
    assert "CITY (draft)" in provisional.unapproved and "EAST-SG (not started)" in provisional.unapproved
    page = signed_in("performance").get("/scorecard/2018-01/").content.decode()
    assert "PROVISIONAL" in page and "EAST-SG (not started)" in page
    assert json.loads(signed_in("performance").get("/scorecard/2018-01.json").content)["status"] == "provisional"


# ---------------------------------------------------------------- snapshots and restatements


def test_a_published_page_and_its_json_are_read_from_the_snapshot_in_a_fixed_number_of_queries(demo):
    client = signed_in("leader")
    client.get("/")  # the session's first write
    for path, expected in (("/scorecard/2017-12/", 8), ("/scorecard/2017-12.json", 5), ("/scorecard/2014-06/", 8)):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        # Page: session, user, the month's record, the snapshot's id, the snapshot, the months list and two
        # permission lookups. JSON: session, user, the month's record, the snapshot's id, the snapshot.
        # Never a return value.
        assert len(queries) == expected, [q["sql"] for q in queries]
        assert not any("returns_returnvalue" in q["sql"] or "returns_approvedvalue" in q["sql"] for q in queries)


def test_restating_needs_a_reason_and_a_difference_and_is_logged(demo, security_log):
    with pytest.raises(snapshots.SnapshotRefused, match="reason"):
        snapshots.month_restate(month=DECEMBER, actor=user("performance"), reason="  ")
    with pytest.raises(snapshots.SnapshotRefused, match="nothing to restate"):
        snapshots.month_restate(month=DECEMBER, actor=user("performance"), reason="Just because")
    assert ScorecardSnapshot.objects.filter(month=DECEMBER.first_day).count() == 1
    assert len(security_log("month_restate_refused")) == 2


def test_only_the_performance_team_restates(demo):
    for name in ("leader", "admin", "entry.east"):
        assert signed_in(name).post("/scorecard/2017-12/restate", {"reason": "x"}).status_code == 403
    assert ScorecardSnapshot.objects.filter(month=DECEMBER.first_day).count() == 1


def test_a_restated_month_says_what_changed_and_why_and_keeps_its_earlier_version(demo, security_log):
    correct_and_approve("EAST-SG", DECEMBER, {"unallocated_cases": 3}, comment="Three cases found unallocated")
    assert leader_json()["indicators"][0]["current"]["value"] == 1  # frozen until restated
    performance = signed_in("performance")
    page = performance.get("/scorecard/2017-12/").content.decode()
    assert "Corrections since publishing" in page and "1. Unallocated cases" in page and "changed from 1 to 4" in page
    response = performance.post("/scorecard/2017-12/restate", {"reason": "EAST-SG recount"}, follow=True)
    assert "restated as version 2" in response.content.decode()
    data = leader_json()
    assert (data["version"], indicator(data, "unallocated_cases")["current"]["value"]) == (2, 4)
    [note] = data["restatements"]
    assert note["reason"] == "EAST-SG recount"
    assert "1. Unallocated cases (open > 7 days) changed from 1 to 4" in note["changes"]
    leader = signed_in("leader")
    page = leader.get("/scorecard/2017-12/").content.decode()
    assert "Restated on" in page and "changed from 1 to 4 (EAST-SG recount)" in page
    earlier = leader.get("/scorecard/2017-12/v1/")
    assert earlier.status_code == 200 and "Earlier version" in earlier.content.decode()
    assert json.loads(leader.get("/scorecard/2017-12/v1.json").content)["indicators"][0]["current"]["value"] == 1
    assert leader.get("/scorecard/2017-12/v3/").status_code == 404
    [line] = security_log("month_restated")
    assert "user=performance" in line and "version=2" in line
    pdf = PdfReader(io.BytesIO(render_pdf(get_scorecard(DECEMBER, "published"))))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Restated on" in text and "EAST-SG recount" in text


def test_the_provenance_of_a_figure_names_its_returns_approvers_and_files(demo, tmp_path):
    ret = reopen("EAST-SG", DECEMBER)
    data = b"month,team,measure,value\r\n2017-12,EAST-SG,unallocated_cases,2\r\n"
    result = returns_import(data=data, file_name="east-december.csv", actor=user("performance"))
    services.return_submit(ret=ret, actor=user("performance"), comment="From the team's sheet")
    services.return_approve(ret=ret, actor=user("performance2"))
    snapshots.month_restate(month=DECEMBER, actor=user("performance"), reason="EAST-SG sheet")
    page = signed_in("leader").get("/scorecard/2017-12/provenance/unallocated_cases/").content.decode()
    assert "east-december.csv" in page and result.sha256 in page and "performance2" in page
    assert "EAST-ASM" in page and "CITY" not in page.split("<tbody>")[1]  # team measures: team returns only
    assert signed_in("leader").get("/scorecard/2017-12/provenance/nope/").status_code == 404


def test_publishing_an_incomplete_month_is_refused_logged_and_changes_nothing(demo, security_log):
    services.return_get_or_create(team=None, month=Month(2018, 1))
    response = signed_in("performance").post("/returns/2018-01/publish", follow=True)
    assert "cannot be published yet" in response.content.decode()
    assert not ReportingMonth.objects.filter(month=Month(2018, 1).first_day, published_at__isnull=False).exists()
    assert not ScorecardSnapshot.objects.filter(month=Month(2018, 1).first_day).exists()
    assert security_log("month_publish_refused")


def test_unpublishing_is_a_logged_service_that_keeps_the_snapshots(demo, security_log):
    with pytest.raises(snapshots.SnapshotRefused):
        snapshots.month_unpublish(month=DECEMBER, actor=user("performance"), reason="")
    snapshots.month_unpublish(month=DECEMBER, actor=user("performance"), reason="Board asked to withdraw it")
    assert signed_in("leader").get("/scorecard/2017-12/").status_code == 404
    assert ScorecardSnapshot.objects.filter(month=DECEMBER.first_day).count() == 1
    assert security_log("month_unpublished")


# ---------------------------------------------------------------- four eyes and frozen submissions


def test_nobody_approves_a_return_they_last_submitted_or_changed(demo, security_log):
    ret = reopen("CITY", DECEMBER)
    services.return_save_values(ret=ret, values={"referrals": 311}, actor=user("performance"), comment="Late one")
    services.return_submit(ret=ret, actor=user("performance"), comment="Late one")
    client = signed_in("performance")
    response = client.post("/returns/2017-12/CITY/approve", {"version": ret.version}, follow=True)
    assert "someone else must approve it" in response.content.decode()
    assert Return.objects.get(pk=ret.pk).state == "submitted"
    assert security_log("return_self_approval_refused")
    services.return_approve(ret=ret, actor=user("performance2"))
    assert Return.objects.get(pk=ret.pk).state == "approved"


def test_a_one_person_team_may_relax_four_eyes_and_each_use_is_logged(demo, settings, security_log):
    settings.RETURNS_ALLOW_SELF_APPROVAL = True
    ret = reopen("CITY", DECEMBER)
    services.return_save_values(ret=ret, values={"referrals": 311}, actor=user("performance"), comment="Late one")
    services.return_submit(ret=ret, actor=user("performance"), comment="Late one")
    services.return_approve(ret=ret, actor=user("performance"))
    [line] = security_log("return_self_approved")
    assert "user=performance" in line


def test_rewriting_a_submitted_returns_comment_sends_it_back_to_draft_on_the_record(demo):
    ret = reopen("EAST-SG", DECEMBER)
    services.return_submit(ret=ret, actor=user("entry.east"), comment="As counted")
    version = ret.version
    result = services.return_save_values(ret=ret, values={}, actor=user("entry.east"), comment="Something else")
    ret.refresh_from_db()
    assert (ret.state, result.version, result.back_to_draft) == ("draft", version + 1, True)
    change = StateChange.objects.filter(ret=ret).order_by("-id").first()
    assert (change.to_state, change.actor.username) == ("draft", "entry.east")
    assert "Comment changed" in change.reason and "As counted" in change.reason


def test_a_whole_scorecard_comes_back_from_its_snapshot_equal(demo):
    scorecard = build_scorecard(DECEMBER, PUBLISHED)
    assert snapshots.decode(snapshots.encode(scorecard)) == scorecard


def test_a_stored_snapshot_s_plain_words_read_back_as_the_vocabularies_members(demo):
    stored = ScorecardSnapshot.objects.get(month=DECEMBER.first_day, version=1)
    assert '"rating":"amber"' in stored.data and '"polarity":"lower"' in stored.data  # plain words, as ever
    scorecard = get_scorecard(DECEMBER, PUBLISHED)
    assert scorecard.panels == build_scorecard(DECEMBER, PUBLISHED).panels
    for panel in scorecard.panels:
        result, spec = panel.result, panel.spec
        assert type(result.rating) is Rating and type(spec.polarity) is Polarity and type(spec.window) is Window
        assert result.trend is None or type(result.trend) is Trend
        assert type(spec.spc_conflict_rule) is ConflictRule
        assert all(type(c.kind) is ComparatorKind for c in result.comparators)
        assert type(panel.spc.variation) is Variation and type(panel.spc.polarity) is Polarity
        assert panel.spc.assurance is None or type(panel.spc.assurance) is Assurance


def test_export_scorecard_writes_the_snapshot_of_a_published_month_and_a_provisional_view_otherwise(demo, tmp_path):
    from django.core.management import call_command

    ret = reopen("EAST-SG", DECEMBER)
    services.return_save_values(ret=ret, values={"unallocated_cases": 40}, actor=user("entry.east"))
    call_command(
        "export_scorecard", "2017-12", "--format", "json", "-o", str(tmp_path / "dec.json"), stderr=io.StringIO()
    )
    published = json.loads((tmp_path / "dec.json").read_text())
    assert (published["status"], published["indicators"][0]["current"]["value"]) == ("published", 1)
    services.return_get_or_create(team=None, month=Month(2018, 1))
    call_command(
        "export_scorecard", "2018-01", "--format", "json", "-o", str(tmp_path / "jan.json"), stderr=io.StringIO()
    )
    provisional = json.loads((tmp_path / "jan.json").read_text())
    assert provisional["status"] == "provisional" and "CITY (draft)" in provisional["unapproved"]


def test_the_corrections_panel_is_not_served_stale_after_an_approval(demo):
    performance = signed_in("performance")
    page = performance.get("/scorecard/2017-12/").content.decode()
    assert "Every published month still matches approved data" in page
    correct_and_approve("EAST-SG", NOVEMBER, {"unallocated_cases": 5})
    page = performance.get("/scorecard/2017-12/").content.decode()
    assert "November 2017</a> (version 1)" in page and "December 2017</a> (version 1)" in page


def test_a_correction_to_november_flags_december_whose_chart_and_spc_limits_it_changes(demo):
    east = demo_return("EAST-SG", NOVEMBER)
    children = east.values.get(measure__code="cpp_children").value
    correct_and_approve("EAST-SG", NOVEMBER, {"cpp_children": children + 40})
    differences = {d.month: d for d in snapshots.published_differences()}
    december = differences[DECEMBER]
    assert not december.changes  # December's printed figures stand: only its chart and SPC limits move
    assert december.charts and all(c.endswith(": chart history or SPC limits change") for c in december.charts)
    assert NOVEMBER in differences and Month(2017, 10) not in differences  # earlier charts end before November
    page = signed_in("performance").get("/scorecard/2017-12/").content.decode()
    assert "chart history or SPC limits change" in page
    assert 'href="/scorecard/2017-11/#corrections-heading">restate November 2017</a>' in page
    assert "December 2017 still matches approved data" not in page
    october = signed_in("performance").get("/scorecard/2017-10/").content.decode()
    assert "October 2017 still matches approved data" in october and "Restate October 2017" in october


@pytest.fixture
def checked_months(monkeypatch):
    """The published months the corrections compute afresh, call by call."""
    calls: list[list[Month]] = []
    compute = snapshots._months_differences

    def spy(latest, until):
        calls.append(sorted(latest))
        return compute(latest, until)

    monkeypatch.setattr(snapshots, "_months_differences", spy)
    return calls


def test_after_an_approval_the_corrections_check_again_only_the_months_it_can_move(demo, checked_months):
    published = ReportingMonth.objects.filter(published_at__isnull=False).values_list("month", flat=True)
    published = [Month.of(day) for day in published]
    assert snapshots.published_differences() == [] and checked_months == [sorted(published)]
    east = demo_return("EAST-SG", NOVEMBER)
    children = east.values.get(measure__code="cpp_children").value
    correct_and_approve("EAST-SG", NOVEMBER, {"cpp_children": children + 40})
    # November's counts are in December's chart: both are checked again, and both now differ.
    assert [d.month for d in snapshots.published_differences()] == [NOVEMBER, DECEMBER]
    assert checked_months[1:] == [[NOVEMBER, DECEMBER]]
    snapshots.month_restate(month=DECEMBER, actor=user("performance"), reason="November's recount")
    # December's new snapshot is checked; November, whose inputs did not move, is not.
    assert [d.month for d in snapshots.published_differences()] == [NOVEMBER]
    assert checked_months[2:] == [[DECEMBER]]
    assert snapshots.published_differences() == snapshots.published_differences()
    assert len(checked_months) == 3


def test_a_view_checks_at_most_its_share_of_months_the_latest_first_and_later_views_the_rest(
    demo, checked_months, settings
):
    """After a release a council with years published is checked over several views, none of them long."""
    settings.CORRECTIONS_MONTHS_PER_VIEW = 20
    published = sorted(
        Month.of(day)
        for day in ReportingMonth.objects.filter(published_at__isnull=False).values_list("month", flat=True)
    )
    assert len(published) == 48
    performance = signed_in("performance")
    page = performance.get("/scorecard/2017-12/").content.decode()
    assert checked_months == [published[-20:]]
    assert f"Not checked yet: 28 published months, {published[0].long_label} to {published[27].long_label}." in page
    assert "Every published month still matches approved data" not in page
    assert "December 2017 still matches approved data" in page
    page = performance.get(f"/scorecard/{published[0]}/").content.decode()
    assert checked_months[1] == published[8:28]
    assert f"Not checked yet: 8 published months, {published[0].long_label} to {published[7].long_label}." in page
    assert f"{published[0].long_label} is not checked yet." in page
    page = performance.get(f"/scorecard/{published[0]}/").content.decode()
    assert checked_months[2] == published[:8]
    assert "Every published month still matches approved data" in page and "Not checked yet" not in page
    assert f"{published[0].long_label} still matches approved data" in page
    performance.get("/scorecard/2017-12/")
    assert len(checked_months) == 3  # the whole answer, kept


def test_a_day_later_a_save_that_moves_no_figure_has_no_month_checked_again(demo, checked_months):
    import time_machine

    with time_machine.travel("2026-06-01 09:00:00+00:00", tick=False) as clock:
        first = snapshots.published_differences()
        clock.shift(dt.timedelta(hours=25))
        # A save that changes no figure (a month's record, saved as it was) moves the page's stamp only.
        ReportingMonth.objects.get(month=DECEMBER.first_day).save()
        assert snapshots.published_differences() == first
    assert len(checked_months) == 1


def more_children() -> None:
    """Add 5,000 children to the first area's latest population: what rates per 10,000 divide by, every month."""
    from teams.models import Population

    population = Population.objects.order_by("-year", "area__order").first()
    population.population_0_17 += 5000
    population.save()


def test_a_reference_data_change_has_every_published_month_checked_again(demo, checked_months):
    snapshots.published_differences()
    more_children()
    differences = snapshots.published_differences()
    assert checked_months[1] == checked_months[0]
    assert DECEMBER in [d.month for d in differences]


@pytest.fixture
def decoded(monkeypatch):
    """The snapshots decoded whole, counted."""
    calls: list[int] = []
    decode = snapshots.decode

    def spy(*args, **kwargs):
        calls.append(1)
        return decode(*args, **kwargs)

    monkeypatch.setattr(snapshots, "decode", spy)
    return calls


def test_months_checked_again_compare_with_the_charts_already_decoded(demo, checked_months, decoded):
    """A published snapshot never changes: its charts are decoded once, and a later check compares with them."""
    assert snapshots.published_differences() == []
    assert len(decoded) == len(checked_months[0])  # each published month's snapshot, once
    east = demo_return("EAST-SG", NOVEMBER)
    children = east.values.get(measure__code="cpp_children").value
    correct_and_approve("EAST-SG", NOVEMBER, {"cpp_children": children + 40})
    december = next(d for d in snapshots.published_differences() if d.month == DECEMBER)
    assert not december.changes and december.charts  # found against the charts kept, not a fresh decoding
    more_children()
    assert DECEMBER in [d.month for d in snapshots.published_differences()]
    assert checked_months[2] == checked_months[0]  # every month checked again...
    assert len(decoded) == len(checked_months[0])  # ...and not one snapshot decoded again


def test_a_release_that_computes_differently_has_every_published_month_checked_again(
    demo, checked_months, settings, monkeypatch
):
    snapshots.published_differences()
    settings.SPC_TREND_LENGTH += 1  # read once a process, at start: a restart with another value
    snapshots.published_differences()
    monkeypatch.setattr(snapshots, "_source_digest", lambda: "another-release")
    snapshots.published_differences()
    assert checked_months[1] == checked_months[2] == checked_months[0]


def test_the_source_digest_moves_with_the_source_of_any_computing_app(settings, tmp_path, monkeypatch):
    for app in snapshots._COMPUTING_APPS:
        (tmp_path / app / "sub").mkdir(parents=True)
        (tmp_path / app / "sub" / "module.py").write_text("FIGURE = 1\n")
    monkeypatch.setattr(settings, "BASE_DIR", tmp_path)
    snapshots._source_digest.cache_clear()
    try:
        before = snapshots._source_digest()
        (tmp_path / "lib" / "sub" / "module.py").write_text("FIGURE = 2\n")
        assert snapshots._source_digest() == before  # read once a process
        snapshots._source_digest.cache_clear()
        assert snapshots._source_digest() != before
    finally:
        snapshots._source_digest.cache_clear()


def test_recording_a_change_point_changes_the_corrections_stamp(db):
    from indicators.models import Indicator
    from indicators.services import change_point_add
    from scorecard import roles
    from tests.conftest import make_user

    performance = make_user("cp.recorder", roles.PERFORMANCE)
    before = snapshots.inputs_stamp()
    change_point_add(
        indicator=Indicator.objects.get(code="supervision"), month=Month(2017, 2), reason="New model", actor=performance
    )
    assert snapshots.inputs_stamp() != before


def test_the_corrections_stamp_is_one_query_with_a_part_for_each_history_in_its_list(db, monkeypatch):
    from teams.models import Council

    # A history added to the list is read: a council's change moves its part of the stamp.
    monkeypatch.setattr(snapshots, "_INPUT_HISTORIES", (*snapshots._INPUT_HISTORIES, Council.history.model))
    with CaptureQueriesContext(connection) as queries:
        before = snapshots.inputs_stamp()
    assert len(queries) == 1
    assert len(before.split("-")) == 4 + len(snapshots._INPUT_HISTORIES)
    Council.objects.create(code="STAMP-TEST", name="A council")
    after = snapshots.inputs_stamp()
    assert after.split("-")[:-1] == before.split("-")[:-1] and after != before


def test_the_corrections_stamp_reads_table_names_from_the_models(db, monkeypatch):
    from django.db import DatabaseError

    from teams.models import Population

    # Renamed in the model but not in the database: the stamp fails loudly instead of reading a stale table.
    monkeypatch.setattr(Population.history.model._meta, "db_table", "teams_historicalpopulation_renamed")
    with pytest.raises(DatabaseError, match="teams_historicalpopulation_renamed"), transaction.atomic():
        snapshots.inputs_stamp()
