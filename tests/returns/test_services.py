"""Values with audit, each transition, locks, conflicts and publishing, through the services directly."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.expressions import names_in
from lib.months import Month
from returns import services, validation
from returns.models import ReportingMonth, Return, ReturnValue, Source, StateChange, ValueChange
from tests.returns.factories import (
    COUNCIL_VALUES,
    DEC_2017,
    TEAM_VALUES,
    approved_return,
    draft_return,
    history,
    make_council,
    make_team,
    submitted_return,
)


@pytest.fixture
def team(db):
    return make_team("EAST-SG")


def values_of(ret):
    return {
        row.measure.code: (row.value, row.unavailable_reason)
        for row in ReturnValue.objects.filter(ret=ret).select_related("measure")
    }


# Saving values


def test_saving_values_stores_them_and_audits_each_change(team, entry_user):
    ret = draft_return(team)
    result = services.return_save_values(
        ret=ret,
        values={"open_cases": 10, "cpp_children": 0},
        actor=entry_user,
        source=Source.FORM,
        expected_version=1,
        comment="first go",
    )
    assert result.changed == ("open_cases", "cpp_children") and result.version == 2
    assert values_of(ret) == {"open_cases": (10, ""), "cpp_children": (0, "")}
    audit = ValueChange.objects.filter(ret=ret).order_by("measure__order")
    assert [(c.measure.code, c.old_value, c.new_value, c.actor, c.source, c.reason, c.version) for c in audit] == [
        ("open_cases", None, 10, entry_user, "form", "first go", 2),
        ("cpp_children", None, 0, entry_user, "form", "first go", 2),
    ]
    ret.refresh_from_db()
    assert (ret.version, ret.updated_by, ret.comment) == (2, entry_user, "first go")


def test_saving_unchanged_values_writes_nothing_and_keeps_the_version(team, entry_user):
    ret = draft_return(team, values={"open_cases": 10})
    result = services.return_save_values(ret=ret, values={"open_cases": 10}, actor=entry_user, expected_version=1)
    assert result.changed == () and result.version == 1
    assert not ValueChange.objects.exists()


def test_only_changed_values_are_audited(team, entry_user):
    ret = draft_return(team, values={"open_cases": 10, "cpp_children": 5})
    services.return_save_values(ret=ret, values={"open_cases": 10, "cpp_children": 6}, actor=entry_user)
    assert list(ValueChange.objects.values_list("measure__code", "old_value", "new_value")) == [("cpp_children", 5, 6)]


def test_a_blank_removes_the_row_so_it_reads_as_not_known_never_zero(team, entry_user):
    ret = draft_return(team, values={"open_cases": 10})
    services.return_save_values(ret=ret, values={"open_cases": None}, actor=entry_user)
    assert values_of(ret) == {}
    assert ValueChange.objects.get().new_value is None


def test_a_blank_with_a_reason_is_kept_as_not_available(team, entry_user):
    ret = draft_return(team)
    services.return_save_values(
        ret=ret, values={"open_cases": None}, unavailable={"open_cases": " System down "}, actor=entry_user
    )
    assert values_of(ret) == {"open_cases": (None, "System down")}
    assert ValueChange.objects.get().unavailable_reason == "System down"


def test_measures_not_named_are_left_alone(team, entry_user):
    ret = draft_return(team, values={"open_cases": 10, "cpp_children": 5})
    services.return_save_values(ret=ret, values={"open_cases": 11}, actor=entry_user)
    assert values_of(ret) == {"open_cases": (11, ""), "cpp_children": (5, "")}


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"referrals": 5}, "not measures this unit returns: referrals"),
        ({"no_such_measure": 5}, "not measures this unit returns: no_such_measure"),
        ({"open_cases": -1}, "cannot be negative"),
        ({"open_cases": "3.5"}, "decimal point"),
        ({"open_cases": 10**10}, "too large"),
    ],
)
def test_bad_values_are_refused_naming_the_problem_and_nothing_is_saved(team, entry_user, values, says):
    ret = draft_return(team, values={"open_cases": 10})
    with pytest.raises(services.InvalidValues, match=says):
        services.return_save_values(ret=ret, values={"cpp_children": 4, **values}, actor=entry_user)
    assert values_of(ret) == {"open_cases": (10, "")}
    assert not ValueChange.objects.exists()


def test_the_council_return_takes_authority_level_measures_only(db, performance):
    make_council()
    ret = draft_return(None)
    services.return_save_values(ret=ret, values={"referrals": 100}, actor=performance)
    with pytest.raises(services.InvalidValues, match="open_cases"):
        services.return_save_values(ret=ret, values={"open_cases": 100}, actor=performance)


# Locked means locked


def test_an_approved_return_refuses_a_direct_service_call(team, performance):
    ret = approved_return(team)
    with pytest.raises(services.ReturnLocked, match="approved, so it is locked"):
        services.return_save_values(ret=ret, values={"open_cases": 1}, actor=performance, source=Source.IMPORT)
    assert values_of(ret)["open_cases"] == (TEAM_VALUES["open_cases"], "")
    assert not ValueChange.objects.exists()


def test_a_stale_python_object_does_not_bypass_the_lock(team, performance):
    ret = submitted_return(team)
    stale = Return.objects.get(pk=ret.pk)
    services.return_approve(ret=ret, actor=performance)
    assert stale.state == Return.State.SUBMITTED  # the caller's copy is old; the service re-reads the row
    with pytest.raises(services.ReturnLocked):
        services.return_save_values(ret=stale, values={"open_cases": 1}, actor=performance)


# Optimistic locking


def test_a_stale_version_is_refused_showing_what_changed_meanwhile(team, entry_user, performance):
    ret = draft_return(team, values={"open_cases": 10})
    services.return_save_values(
        ret=Return.objects.get(pk=ret.pk), values={"open_cases": 12}, actor=performance, expected_version=1
    )
    with pytest.raises(services.StaleReturn) as caught:
        services.return_save_values(ret=ret, values={"open_cases": 15}, actor=entry_user, expected_version=1)
    assert caught.value.current_version == 2
    [change] = caught.value.changes
    assert (change.actor, change.description) == ("performance", "open_cases: 10 → 12")
    assert values_of(ret)["open_cases"] == (12, "")
    assert ValueChange.objects.count() == 1


def test_repeating_the_same_save_with_the_old_version_is_harmless(team, entry_user):
    ret = draft_return(team)
    for _ in range(2):  # a double-clicked Save posts the same version twice
        services.return_save_values(
            ret=Return.objects.get(pk=ret.pk), values={"open_cases": 7}, actor=entry_user, expected_version=1
        )
    assert ValueChange.objects.count() == 1
    assert Return.objects.get(pk=ret.pk).version == 2


def test_changing_a_submitted_return_sends_it_back_to_draft(team, entry_user):
    ret = submitted_return(team)
    result = services.return_save_values(ret=ret, values={"open_cases": 401}, actor=entry_user)
    assert result.back_to_draft
    ret.refresh_from_db()
    assert ret.state == Return.State.DRAFT
    change = StateChange.objects.get()
    assert (change.from_state, change.to_state, change.version) == ("submitted", "draft", ret.version)


# Transitions


def complete_draft(team, **overrides):
    return draft_return(team, values={**TEAM_VALUES, **overrides})


def test_submitting_a_complete_valid_draft_records_who_and_when(team, entry_user):
    ret = complete_draft(team)
    services.return_submit(ret=ret, actor=entry_user, expected_version=1)
    ret.refresh_from_db()
    assert (ret.state, ret.version) == (Return.State.SUBMITTED, 2)
    change = StateChange.objects.get()
    assert (change.from_state, change.to_state, change.actor) == ("draft", "submitted", entry_user)
    assert change.at is not None


def test_submitting_with_an_error_is_refused_with_the_findings(team, entry_user):
    ret = complete_draft(team, unallocated_cases=500)
    with pytest.raises(services.SubmissionRefused) as caught:
        services.return_submit(ret=ret, actor=entry_user)
    assert [f.code for f in caught.value.findings if f.is_error] == ["unallocated_le_open_cases"]
    assert Return.objects.get(pk=ret.pk).state == Return.State.DRAFT
    assert not StateChange.objects.exists()


def test_submitting_with_a_blank_needs_it_marked_not_available(team, entry_user):
    values = {**TEAM_VALUES}
    del values["supervisions"]
    ret = draft_return(team, values=values)
    with pytest.raises(services.SubmissionRefused) as caught:
        services.return_submit(ret=ret, actor=entry_user)
    assert [f.fields for f in caught.value.findings] == [("supervisions",)]
    ReturnValue.objects.create(ret=ret, measure_id=_measure_id("supervisions"), unavailable_reason="Manager off")
    services.return_submit(ret=ret, actor=entry_user)
    assert Return.objects.get(pk=ret.pk).state == Return.State.SUBMITTED


def _measure_id(code):
    from indicators.models import Measure

    return Measure.objects.get(code=code).pk


def test_a_warning_needs_a_comment_to_submit(team, entry_user):
    history(team, DEC_2017, values=TEAM_VALUES)
    ret = complete_draft(team, open_cases=900)
    with pytest.raises(services.SubmissionRefused, match="explain them in the comment") as caught:
        services.return_submit(ret=ret, actor=entry_user)
    assert [f.code for f in caught.value.findings] == ["outlier:open_cases"]
    services.return_submit(ret=ret, actor=entry_user, comment="A new estate opened.")
    ret.refresh_from_db()
    assert (ret.state, ret.comment) == (Return.State.SUBMITTED, "A new estate opened.")
    assert StateChange.objects.get().reason == "A new estate opened."


def test_submitting_twice_records_one_state_change(team, entry_user):
    ret = complete_draft(team)
    services.return_submit(ret=ret, actor=entry_user)
    with pytest.raises(services.InvalidTransition, match="is submitted, so it cannot be submitted"):
        services.return_submit(ret=Return.objects.get(pk=ret.pk), actor=entry_user)
    assert StateChange.objects.count() == 1


def test_save_and_submit_saves_nothing_when_the_submission_is_refused(team, entry_user):
    ret = complete_draft(team)
    with pytest.raises(services.SubmissionRefused):
        services.return_save_and_submit(
            ret=ret, values={"unallocated_cases": 999}, actor=entry_user, expected_version=1
        )
    assert values_of(ret)["unallocated_cases"] == (TEAM_VALUES["unallocated_cases"], "")
    assert not ValueChange.objects.exists()
    assert Return.objects.get(pk=ret.pk).version == 1


def test_save_and_submit_does_both(team, entry_user):
    ret = complete_draft(team)
    services.return_save_and_submit(ret=ret, values={"open_cases": 401}, actor=entry_user, expected_version=1)
    ret.refresh_from_db()
    assert ret.state == Return.State.SUBMITTED and ret.version == 3
    assert values_of(ret)["open_cases"] == (401, "")


def test_approving_a_submitted_return_locks_it(team, performance):
    ret = submitted_return(team)
    services.return_approve(ret=ret, actor=performance, expected_version=2)
    ret.refresh_from_db()
    assert ret.state == Return.State.APPROVED and ret.is_locked
    assert StateChange.objects.get().actor == performance


@pytest.mark.parametrize("maker", [draft_return, approved_return])
def test_only_submitted_returns_can_be_approved_or_rejected(team, performance, maker):
    ret = maker(team)
    with pytest.raises(services.InvalidTransition):
        services.return_approve(ret=ret, actor=performance)
    with pytest.raises(services.InvalidTransition):
        services.return_reject(ret=ret, actor=performance, reason="Wrong")
    assert not StateChange.objects.exists()


def test_approving_a_version_other_than_the_one_seen_is_refused(team, performance):
    ret = submitted_return(team, version=5)
    with pytest.raises(services.StaleReturn):
        services.return_approve(ret=ret, actor=performance, expected_version=4)
    assert Return.objects.get(pk=ret.pk).state == Return.State.SUBMITTED


def test_rejecting_needs_a_reason_and_records_it(team, performance):
    ret = submitted_return(team)
    with pytest.raises(services.ReturnError, match="Give a reason"):
        services.return_reject(ret=ret, actor=performance, reason="   ")
    services.return_reject(ret=ret, actor=performance, reason="Supervisions look doubled")
    ret.refresh_from_db()
    assert ret.state == Return.State.DRAFT
    change = StateChange.objects.get()
    assert (change.from_state, change.to_state, change.reason) == ("submitted", "draft", "Supervisions look doubled")


def test_reopening_needs_a_reason_and_unlocks(team, performance):
    ret = approved_return(team)
    with pytest.raises(services.ReturnError, match="Give a reason"):
        services.return_reopen(ret=ret, actor=performance, reason="")
    services.return_reopen(ret=ret, actor=performance, reason="Late correction from the team")
    ret.refresh_from_db()
    assert ret.state == Return.State.DRAFT
    services.return_save_values(ret=ret, values={"open_cases": 1}, actor=performance)
    assert StateChange.objects.get().reason == "Late correction from the team"


def test_only_approved_returns_can_be_reopened(team, performance):
    with pytest.raises(services.InvalidTransition):
        services.return_reopen(ret=submitted_return(team), actor=performance, reason="x")


# Publishing


@pytest.fixture
def month_ready(team):
    make_council()
    approved_return(team)
    approved_return(None)
    return DEC_2017


def test_a_month_publishes_when_every_expected_return_is_approved(month_ready, performance):
    row = services.month_publish(month=month_ready, actor=performance, needs_commentary=[])
    assert row.is_published and row.published_by == performance
    assert row.history.first().history_user == performance


def test_publishing_is_refused_while_an_indicator_needs_commentary(month_ready, performance):
    with pytest.raises(services.PublishRefused) as caught:
        services.month_publish(month=month_ready, actor=performance, needs_commentary=["% re-referrals"])
    assert caught.value.reasons == ["“% re-referrals” is rated red or amber and has no commentary"]
    assert not ReportingMonth.objects.filter(published_at__isnull=False).exists()


def test_publishing_is_refused_until_every_expected_return_is_approved(team, performance):
    make_council()
    make_team("EAST-ASM", team_type="assessment")
    make_team("OLD", active=False)  # inactive teams are not expected
    submitted_return(team)
    approved_return(None)
    with pytest.raises(services.PublishRefused) as caught:
        services.month_publish(month=DEC_2017, actor=performance, needs_commentary=[])
    assert sorted(caught.value.reasons) == [
        "the EAST-ASM return is not started, not approved",
        "the EAST-SG return is submitted, not approved",
    ]


def test_publishing_twice_is_refused_and_changes_nothing(month_ready, performance, administrator):
    services.month_publish(month=month_ready, actor=performance, needs_commentary=[])
    with pytest.raises(services.PublishRefused, match="already published"):
        services.month_publish(month=month_ready, actor=administrator, needs_commentary=[])
    assert ReportingMonth.objects.get().published_by == performance


def test_reopening_a_return_of_a_published_month_keeps_it_published_and_its_approved_values(
    month_ready, team, performance
):
    services.month_publish(month=month_ready, actor=performance, needs_commentary=[])
    ret = Return.objects.get(team=team)
    approved = dict(ret.values.values_list("measure__code", "value"))
    services.return_reopen(ret=ret, actor=performance, reason="Correction")
    assert ReportingMonth.objects.get().is_published
    assert dict(ret.approved_values.values_list("measure__code", "value")) == approved


def test_reopening_in_an_unpublished_month_leaves_other_months_alone(team, performance):
    make_council()
    approved_return(team, Month(2017, 11))
    approved_return(None, Month(2017, 11))
    services.month_publish(month=Month(2017, 11), actor=performance, needs_commentary=[])
    services.return_reopen(ret=approved_return(team), actor=performance, reason="x")
    assert ReportingMonth.objects.get(month=Month(2017, 11).first_day).is_published


def test_starting_a_return_for_an_inactive_team_is_refused(db):
    with pytest.raises(services.ReturnError, match="not an active team"):
        services.return_get_or_create(team=make_team("OLD", active=False), month=DEC_2017)


def test_get_or_create_returns_the_same_return(team):
    first = services.return_get_or_create(team=team, month=DEC_2017)
    assert services.return_get_or_create(team=team, month=DEC_2017) == first
    council = services.return_get_or_create(team=None, month=DEC_2017)
    assert services.return_get_or_create(team=None, month=DEC_2017) == council
    assert Return.objects.count() == 2


def test_the_council_values_fixture_passes_every_rule(db, performance):
    rules = validation.load_rules()
    # The rules that name only the council's measures all apply to the fixture...
    applying = {rule.code for rule in rules if names_in(rule.left) | names_in(rule.right) <= COUNCIL_VALUES.keys()}
    assert applying == {
        "re_referrals_le_referrals",
        "children_seen_le_assessments",
        "care_leavers_ete_le_care_leavers",
        "cin_at_home_le_total",
        "agency_sw_le_posts",
        "agency_tm_le_posts",
    }
    # ...and it meets every one, so the council's return submits.
    assert validation.check_return(COUNCIL_VALUES, rules=rules) == []
    make_council()
    submitted = services.return_submit(ret=draft_return(None, values=COUNCIL_VALUES), actor=performance)
    assert submitted.state == Return.State.SUBMITTED
    # The same check sees a value that breaks a rule.
    broken = {**COUNCIL_VALUES, "care_leavers_ete": COUNCIL_VALUES["care_leavers"] + 1}
    assert [f.code for f in validation.check_return(broken, rules=rules)] == ["care_leavers_ete_le_care_leavers"]


def test_last_hands_of_many_returns_are_read_in_one_query_and_match_each_returns_own(
    team, entry_user, performance, django_assert_num_queries
):
    south = make_team("SOUTH-SG")
    east = draft_return(team, values=TEAM_VALUES)
    services.return_submit(ret=east, actor=entry_user)
    other = draft_return(south, values=TEAM_VALUES)
    services.return_save_values(ret=other, values={"open_cases": TEAM_VALUES["open_cases"] + 1}, actor=entry_user)
    services.return_submit(ret=other, actor=performance)
    untouched = submitted_return(make_team("WEST-SG"))
    with django_assert_num_queries(1):
        hands = services.last_hands_by_return([east, other, untouched])
    assert hands == {east.pk: {entry_user.pk}, other.pk: {entry_user.pk, performance.pk}, untouched.pk: set()}
    assert all(hands[ret.pk] == services.last_hands(ret) for ret in (east, other, untouched))
    with django_assert_num_queries(0):
        assert services.last_hands_by_return([]) == {}


# Loading figures that arrive approved (the demo's history)


def test_loaded_figures_are_audited_at_the_versions_a_form_save_and_an_approval_give(team, entry_user, performance):
    by_form = draft_return(make_team("SOUTH-SG"))
    services.return_save_values(ret=by_form, values={"open_cases": 10}, actor=entry_user)
    written = services.returns_load_approved(
        values={(team, DEC_2017, "open_cases"): 10, (team, DEC_2017, "cpp_children"): 0},
        actor=performance,
        source=Source.SYSTEM,
        reason="Loaded",
    )
    ret = Return.objects.get(team=team)
    assert written == 2 and values_of(ret) == {"open_cases": (10, ""), "cpp_children": (0, "")}
    form_version = ValueChange.objects.get(ret=by_form).version
    audit = ValueChange.objects.filter(ret=ret)
    assert {(c.old_value, c.new_value, c.source, c.reason, c.version) for c in audit} == {
        (None, 10, "system", "Loaded", form_version),
        (None, 0, "system", "Loaded", form_version),
    }
    moves = StateChange.objects.filter(ret=ret)
    assert [(c.from_state, c.to_state, c.actor, c.version) for c in moves] == [("draft", "approved", performance, 3)]
    assert (ret.state, ret.version, ret.approved_version, ret.approved_by) == ("approved", 3, 3, performance)


def test_loading_the_same_figures_again_writes_nothing(team, performance):
    values = {(team, DEC_2017, "open_cases"): 10}
    services.returns_load_approved(values=values, actor=performance, source=Source.SYSTEM, reason="Loaded")
    counts = (ValueChange.objects.count(), StateChange.objects.count(), Return.objects.get().version)
    assert services.returns_load_approved(values=values, actor=performance, source=Source.SYSTEM, reason="x") == 0
    assert (ValueChange.objects.count(), StateChange.objects.count(), Return.objects.get().version) == counts


def test_new_figures_for_an_approved_return_reopen_and_approve_it_on_the_record(team, performance):
    ret = approved_return(team, values={"open_cases": 10}, version=3)
    services.returns_load_approved(
        values={(team, DEC_2017, "open_cases"): 12}, actor=performance, source=Source.SYSTEM, reason="Loaded"
    )
    ret.refresh_from_db()
    assert values_of(ret) == {"open_cases": (12, "")}
    moves = StateChange.objects.filter(ret=ret).order_by("version")
    assert [(c.from_state, c.to_state, c.version) for c in moves] == [
        ("approved", "draft", 4),
        ("draft", "approved", 6),
    ]
    assert [(c.old_value, c.new_value, c.version) for c in ValueChange.objects.filter(ret=ret)] == [(10, 12, 5)]
    assert (ret.state, ret.version, ret.approved_version) == ("approved", 6, 6)


def test_one_load_leaves_each_return_at_its_own_version_approved_by_the_loader(team, performance):
    reopened = approved_return(team, values={"open_cases": 10}, version=3)
    south = make_team("SOUTH-SG")
    services.returns_load_approved(
        values={(team, DEC_2017, "open_cases"): 12, (south, DEC_2017, "open_cases"): 7},
        actor=performance,
        source=Source.SYSTEM,
        reason="Loaded",
    )
    started = Return.objects.get(team=south)
    reopened.refresh_from_db()
    assert [(r.state, r.version, r.approved_version) for r in (reopened, started)] == [
        ("approved", 6, 6),
        ("approved", 3, 3),
    ]
    assert {(r.approved_by, r.updated_by, r.approved_at == r.updated_at) for r in (reopened, started)} == {
        (performance, performance, True)
    }


@pytest.mark.parametrize(
    ("unit", "code", "value", "message"),
    [
        ("team", "no_such_measure", 1, "no_such_measure is not a measure EAST-SG returns"),
        ("council", "open_cases", 1, "open_cases is not a measure the council returns"),
        ("team", "open_cases", -1, "open_cases: "),
        ("team", "open_cases", None, "open_cases: a loaded figure cannot be blank"),
    ],
)
def test_figures_that_cannot_be_loaded_are_named_and_nothing_is_written(team, performance, unit, code, value, message):
    make_council()
    values = {(team, DEC_2017, "cpp_children"): 1, (team if unit == "team" else None, DEC_2017, code): value}
    with pytest.raises(services.InvalidValues, match=message):
        services.returns_load_approved(values=values, actor=performance, source=Source.SYSTEM, reason="Loaded")
    assert not Return.objects.exists() and not ValueChange.objects.exists()


def test_loading_approved_figures_costs_the_same_queries_for_one_return_or_many(team, performance):
    def queries(values) -> int:
        with CaptureQueriesContext(connection) as captured:
            services.returns_load_approved(values=values, actor=performance, source=Source.SYSTEM, reason="Loaded")
        return len(captured)

    one = queries({(team, DEC_2017, "open_cases"): 10})
    south, west = make_team("SOUTH-SG"), make_team("WEST-SG")
    many = {(unit, month, code): 10 for unit in (south, west) for month in DEC_2017.previous(3) for code in TEAM_VALUES}
    assert queries(many) == one
