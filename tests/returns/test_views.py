"""The returns pages per role: who sees what, what each POST changes, and what bad input gets."""

import logging

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Indicator, Target
from lib.months import Month
from returns import services
from returns.models import ReportingMonth, Return, ReturnValue, StateChange, ValueChange
from returns.validation import check_return
from tests.conftest import make_user
from tests.returns.factories import (
    COUNCIL_VALUES,
    DEC_2017,
    TEAM_VALUES,
    approved_return,
    draft_return,
    history,
    make_team,
    submitted_return,
)

FORM = "/returns/2017-12/EAST-SG/"
OTHER_FORM = "/returns/2017-12/SOUTH-SG/"
COUNCIL_FORM = "/returns/2017-12/CITY/"
MONTH_PAGE = "/returns/2017-12/"


pytestmark = pytest.mark.usefixtures("january_2018")


@pytest.fixture
def south(db):
    return make_team("SOUTH-SG", area="SOUTH")


def form_data(values=None, *, version=1, action="save", comment="", **extra):
    data = {"version": version, "action": action, "comment": comment}
    for code, value in (TEAM_VALUES if values is None else values).items():
        data[code] = "" if value is None else str(value)
    data.update(extra)
    return data


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def stored(team):
    return dict(ReturnValue.objects.filter(ret__team=team).values_list("measure__code", "value"))


# Who may reach which page


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("performance", MONTH_PAGE, 200),
        ("entry_user", MONTH_PAGE, 200),
        ("leader", MONTH_PAGE, 403),
        ("administrator", MONTH_PAGE, 403),
        ("performance", FORM, 200),
        ("entry_user", FORM, 200),
        ("leader", FORM, 404),
        ("administrator", FORM, 404),
        ("performance", OTHER_FORM, 200),
        ("entry_user", OTHER_FORM, 404),
        ("performance", COUNCIL_FORM, 200),
        ("entry_user", COUNCIL_FORM, 404),
        ("leader", COUNCIL_FORM, 404),
    ],
)
def test_each_role_reaches_only_its_pages(client, request, east, south, role, path, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(path).status_code == status


@pytest.mark.parametrize("path", [MONTH_PAGE, FORM, FORM + "submit", FORM + "approve", "/returns/2017-12/publish"])
def test_anonymous_visitors_are_sent_to_login(client, east, path):
    response = client.post(path) if path.endswith(("submit", "approve", "publish")) else client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path",
    [
        "/returns/2017-13/",
        "/returns/2017-00/EAST-SG/",
        "/returns/0000-01/",
        "/returns/2018-03/",
        "/returns/2999-01/EAST-SG/",
        "/returns/1999-12/",
        "/returns/2017-12/NOPE/",
        "/returns/2017-1/",
    ],
)
def test_impossible_future_or_unknown_months_and_units_are_404(client, performance, east, path):
    client.force_login(performance)
    assert client.get(path).status_code == 404


def test_next_month_is_open_for_an_early_start(client, performance, east):
    client.force_login(performance)
    assert client.get("/returns/2018-02/EAST-SG/").status_code == 200


def test_an_inactive_team_without_a_return_is_404(client, performance, east):
    make_team("OLD", active=False)
    client.force_login(performance)
    assert client.get("/returns/2017-12/OLD/").status_code == 404


def test_the_returns_index_goes_to_the_month_being_collected(client, performance):
    client.force_login(performance)
    response = client.get("/returns/")
    assert response.status_code == 302 and response.url == "/returns/2017-12/"


@pytest.mark.parametrize("path", ["/returns/", "/returns/?month=2017-12"])
def test_leaders_are_refused_at_the_returns_index_not_sent_to_a_page_that_refuses_them(client, leader, path):
    client.force_login(leader)
    assert client.get(path).status_code == 403


def test_the_month_page_links_to_the_scorecard_only_where_there_is_one(client, performance, east):
    submitted_return(east)
    client.force_login(performance)
    link = 'href="/scorecard/2017-12/"'
    response = client.get(MONTH_PAGE)
    assert response.context["has_scorecard"] and link in response.content.decode()
    assert client.get("/scorecard/2017-12/").status_code == 200
    # February 2018 is open for an early start but nothing is returned yet: its scorecard is 404, so no link.
    response = client.get("/returns/2018-02/")
    html = response.content.decode()
    assert "Commentary for February 2018" in html
    assert not response.context["has_scorecard"] and 'href="/scorecard/2018-02/"' not in html
    assert client.get("/scorecard/2018-02/").status_code == 404


# The form


def test_the_form_has_one_field_per_team_measure_named_by_its_code(client, entry_user, east):
    client.force_login(entry_user)
    form = client.get(FORM).context["form"]
    assert form.measure_codes == list(TEAM_VALUES)
    assert "referrals" not in form.fields


def test_the_council_form_has_the_authority_level_measures(client, performance, east):
    client.force_login(performance)
    form = client.get(COUNCIL_FORM).context["form"]
    assert form.measure_codes == list(COUNCIL_VALUES)


def test_the_form_shows_last_month_and_the_same_month_last_year(client, entry_user, east):
    approved_return(east, Month(2017, 11), values={**TEAM_VALUES, "open_cases": 411})
    approved_return(east, Month(2016, 12), values={**TEAM_VALUES, "open_cases": 377})
    client.force_login(entry_user)
    response = client.get(FORM)
    row = next(r for r in response.context["rows"] if r.measure.code == "open_cases")
    assert (row.last_month, row.last_year) == (411, 377)
    html = response.content.decode()
    assert 'aria-describedby="open_cases-hint open_cases-context"' in html
    assert '<label for="id_open_cases">Open cases</label>' in html


def test_saving_a_draft_stores_the_values_and_redirects(client, entry_user, east):
    client.force_login(entry_user)
    response = client.post(FORM, form_data({"open_cases": "1,234", "cpp_children": "0", "cic_children": ""}))
    assert response.status_code == 302 and response.url == FORM
    assert stored(east) == {"open_cases": 1234, "cpp_children": 0}  # blank stays blank, never 0
    ret = Return.objects.get(team=east)
    assert (ret.state, ret.version, ret.updated_by) == ("draft", 2, entry_user)
    assert set(ValueChange.objects.values_list("source", flat=True)) == {"form"}


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("3.5", "decimal point"),
        ("1e3", "exponent form"),
        ("12a", "not a whole number"),
        ("1,234x", "not a whole number"),
        ("-4", "cannot be negative"),
        ("١٢", "digits other than 0-9"),
        ("10000000000", "too large"),
    ],
)
def test_bad_numbers_are_refused_next_to_the_field_and_nothing_is_saved(client, entry_user, east, typed, says):
    draft_return(east, values={"cpp_children": 5})
    client.force_login(entry_user)
    response = client.post(FORM, form_data({"open_cases": typed, "cpp_children": "6"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert says in html
    assert 'id="open_cases-error"' in html and 'aria-invalid="true"' in html
    assert '<a href="#id_open_cases">' in html  # the error summary links to the field
    assert 'aria-describedby="open_cases-hint open_cases-context open_cases-error"' in html
    assert stored(east) == {"cpp_children": 5}
    assert not ValueChange.objects.exists()


def test_a_value_and_a_not_available_reason_together_are_refused(client, entry_user, east):
    client.force_login(entry_user)
    response = client.post(FORM, form_data({"open_cases": "4"}, **{"open_cases-unavailable": "Down"}))
    assert "not both" in response.content.decode()
    assert not Return.objects.exists()  # a refused first save leaves no empty draft behind


def test_a_blank_marked_not_available_is_saved_with_its_reason(client, entry_user, east):
    client.force_login(entry_user)
    client.post(FORM, form_data({"open_cases": ""}, **{"open_cases-unavailable": "Case system down"}))
    row = ReturnValue.objects.get(ret__team=east)
    assert (row.value, row.unavailable_reason) == (None, "Case system down")


def test_submitting_a_complete_valid_return(client, entry_user, east):
    client.force_login(entry_user)
    response = client.post(FORM, form_data(action="submit"))
    assert response.status_code == 302
    ret = Return.objects.get(team=east)
    assert ret.state == "submitted"
    assert "is submitted" in texts(response)[0]


def test_submitting_with_a_rule_error_saves_nothing_and_names_the_values(client, entry_user, east):
    client.force_login(entry_user)
    response = client.post(FORM, form_data({**TEAM_VALUES, "cpp_visits_made": "90"}, action="submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Child protection visits made cannot be more than visits due." in html
    assert "(cpp_visits_made) = 90 is more than" in html and "(cpp_visits_due) = 85" in html
    assert not Return.objects.exists()


def test_submitting_with_blanks_needs_reasons(client, entry_user, east):
    client.force_login(entry_user)
    response = client.post(FORM, form_data({**TEAM_VALUES, "supervisions": ""}, action="submit"))
    assert "(supervisions) is blank" in response.content.decode()
    assert not Return.objects.exists()
    client.post(
        FORM,
        form_data(
            {**TEAM_VALUES, "supervisions": ""}, action="submit", **{"supervisions-unavailable": "Manager on leave"}
        ),
    )
    assert Return.objects.get().state == "submitted"


def test_a_warning_needs_a_comment_to_submit(client, entry_user, east):
    history(east, DEC_2017, values=TEAM_VALUES)
    client.force_login(entry_user)
    response = client.post(FORM, form_data({**TEAM_VALUES, "open_cases": "900"}, action="submit"))
    html = response.content.decode()
    assert "looks unusual" in html and "explain each warning" in " ".join(texts(response))
    assert not Return.objects.filter(month=DEC_2017.first_day).exists()
    response = client.post(
        FORM, form_data({**TEAM_VALUES, "open_cases": "900"}, action="submit", comment="New estate opened")
    )
    ret = Return.objects.get(month=DEC_2017.first_day)
    assert (ret.state, ret.comment) == ("submitted", "New estate opened")


def test_each_warning_has_its_own_explanation_kept_with_it_in_the_history(client, entry_user, east):
    history(east, DEC_2017, values=TEAM_VALUES)
    client.force_login(entry_user)
    client.post(FORM, form_data({**TEAM_VALUES, "open_cases": "900"}))
    html = client.get(FORM).content.decode()
    assert '<label class="explain-label" for="explain-open_cases">Explain this warning</label>' in html
    assert 'name="explain-cic_children"' not in html  # only beside a warning
    response = client.post(
        FORM,
        form_data(
            {**TEAM_VALUES, "open_cases": "900"},
            version=2,
            action="submit",
            **{"explain-open_cases": "New estate opened"},
        ),
    )
    assert response.status_code == 302
    ret = Return.objects.get(month=DEC_2017.first_day)
    assert ret.state == "submitted"
    assert ret.comment.startswith("Open cases (open_cases) = 900 looks unusual")
    assert ret.comment.endswith("Explained: New estate opened")
    submitted = StateChange.objects.get(ret=ret, to_state="submitted")
    assert submitted.reason == ret.comment
    # The comment is filed with the submission, not against the value that changed last.
    assert set(ValueChange.objects.filter(ret=ret).values_list("reason", flat=True)) == {""}


def test_an_unexplained_warning_is_refused_and_the_other_explanations_are_kept(client, entry_user, east):
    history(east, DEC_2017, values=TEAM_VALUES)
    client.force_login(entry_user)
    values = {**TEAM_VALUES, "open_cases": "900", "cic_children": "400"}
    response = client.post(FORM, form_data(values, action="submit", **{"explain-open_cases": "New estate"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert ">New estate</textarea>" in html and 'id="explain-cic_children"' in html
    assert not Return.objects.filter(month=DEC_2017.first_day).exists()


def test_the_saved_figures_checks_show_on_the_page(client, entry_user, east):
    draft_return(east, values={**TEAM_VALUES, "unallocated_cases": 999})
    client.force_login(entry_user)
    html = client.get(FORM).content.decode()
    assert 'id="error-summary"' in html  # focused by static/js/returns.js
    assert '<a href="#id_unallocated_cases">Unallocated cases cannot be more than open cases.' in html
    start = html.index('name="unallocated_cases"')
    assert 'aria-invalid="true"' in html[start : html.index(">", start)]
    assert html.count('aria-invalid="true"') == 1


def test_a_draft_saved_with_a_rule_error_comes_back_with_the_error_summary_and_the_field_invalid(
    client, entry_user, east
):
    client.force_login(entry_user)
    response = client.post(FORM, form_data({**TEAM_VALUES, "cpp_visits_made": "90"}), follow=True)
    html = response.content.decode()
    assert "Saved 12 changes as a draft." in html
    assert "<title>Error: " in html and '<a href="#id_cpp_visits_made">' in html
    start = html.index('name="cpp_visits_made"')
    assert 'aria-invalid="true"' in html[start : html.index(">", start)]


@pytest.mark.parametrize(
    ("state", "says"),
    [
        ("draft", "submit by Monday 8 January 2018"),
        ("submitted", "Changing a figure now sends it back to draft"),
        ("approved", "Approved and locked. If a figure is wrong, ask the performance team to reopen it."),
    ],
)
def test_the_guidance_fits_the_state(client, entry_user, east, state, says):
    {"draft": draft_return, "submitted": submitted_return, "approved": approved_return}[state](east)
    client.force_login(entry_user)
    html = client.get(FORM).content.decode()
    assert says in html
    assert "To submit, correct the figure" not in html


def test_submitting_from_the_form_confirms_on_a_page_of_its_own(client, entry_user, east):
    make_team("EAST-ASM", area="EAST", members=[entry_user])
    client.force_login(entry_user)
    response = client.post(FORM, form_data(action="submit"))
    assert response.url == FORM + "submitted/"
    html = client.get(response.url).content.decode()
    assert "<h1>Return submitted</h1>" in html and "What happens next" in html
    assert 'href="/returns/2017-12/EAST-ASM/">Team EAST-ASM, December 2017</a>: Enter and submit' in html


def test_the_confirmation_of_a_draft_goes_back_to_the_form(client, entry_user, east):
    draft_return(east)
    client.force_login(entry_user)
    assert client.get(FORM + "submitted/").url == FORM
    assert client.get(OTHER_FORM + "submitted/").status_code == 404


# Tampering and double posts


def test_a_data_entry_user_posting_to_another_teams_return_gets_404_and_changes_nothing(
    client, entry_user, east, south
):
    client.force_login(entry_user)
    assert client.post(OTHER_FORM, form_data()).status_code == 404
    assert client.post(OTHER_FORM + "submit").status_code == 404
    assert client.post(COUNCIL_FORM, form_data(COUNCIL_VALUES)).status_code == 404
    assert not Return.objects.exists()


def test_a_tampered_version_is_refused_with_a_message(client, entry_user, east):
    client.force_login(entry_user)
    response = client.post(FORM, form_data(version="abc"))
    assert "reload it" in response.content.decode()
    assert not Return.objects.exists()


def test_a_field_for_a_measure_the_team_does_not_return_is_ignored(client, entry_user, east):
    client.force_login(entry_user)
    client.post(FORM, form_data({"open_cases": "5"}, referrals="99", **{"referrals-unavailable": "x"}))
    assert stored(east) == {"open_cases": 5}


def test_a_tampered_action_is_refused(client, entry_user, east):
    client.force_login(entry_user)
    response = client.post(FORM, form_data(action="approve"))
    assert response.status_code == 200
    assert not Return.objects.exists()


def test_a_double_posted_save_writes_once(client, entry_user, east):
    client.force_login(entry_user)
    client.post(FORM, form_data())
    response = client.post(FORM, form_data())  # same data, same version: the browser posted twice
    assert response.status_code == 302
    assert ValueChange.objects.count() == len(TEAM_VALUES)
    assert Return.objects.get().version == 2


def test_a_double_posted_submit_records_one_state_change(client, entry_user, east):
    client.force_login(entry_user)
    client.post(FORM, form_data(action="submit"))
    response = client.post(FORM, form_data(action="submit"))
    assert response.status_code == 409
    assert StateChange.objects.count() == 1
    assert ValueChange.objects.count() == len(TEAM_VALUES)


def test_a_double_posted_approval_records_one_state_change(client, performance, east):
    ret = submitted_return(east)
    client.force_login(performance)
    client.post(FORM + "approve", {"version": ret.version})
    response = client.post(FORM + "approve", {"version": ret.version})
    assert "is approved, so it cannot be approved" in texts(response)[-1]
    assert StateChange.objects.count() == 1


# Optimistic locking


def test_the_second_of_two_editors_is_refused_and_shown_what_changed(client, entry_user, performance, east):
    draft_return(east, values={"open_cases": 10})
    client.force_login(performance)
    client.post(FORM, form_data({"open_cases": "12"}, version=1))
    client.force_login(entry_user)
    response = client.post(FORM, form_data({"open_cases": "15"}, version=1))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Changed since you opened this page" in html
    assert "performance: open_cases: 10 → 12" in html
    assert stored(east) == {"open_cases": 12}
    # Their figures stay in the form, now against the current version: saving again is a deliberate choice.
    assert response.context["form"]["open_cases"].value() == "15"
    assert response.context["form"]["version"].value() == "2"


# Locked means locked (the form path)


def test_an_approved_return_shows_read_only_and_refuses_a_post(client, entry_user, east):
    approved_return(east)
    client.force_login(entry_user)
    response = client.get(FORM)
    assert not response.context["editable"]
    assert b'name="open_cases"' not in response.content
    response = client.post(FORM, form_data({**TEAM_VALUES, "open_cases": "1"}, version=3))
    assert response.status_code == 409
    assert "locked" in " ".join(texts(response))
    assert stored(east)["open_cases"] == TEAM_VALUES["open_cases"]
    assert not ValueChange.objects.exists()


# Workflow buttons


@pytest.mark.parametrize("action", ["approve", "reject", "reopen"])
def test_data_entry_users_may_not_approve_reject_or_reopen_their_returns(client, entry_user, east, action):
    ret = submitted_return(east) if action != "reopen" else approved_return(east)
    client.force_login(entry_user)
    assert client.post(FORM + action, {"version": ret.version, "reason": "x"}).status_code == 403
    assert Return.objects.get().state == ret.state


def test_transitions_are_post_only(client, performance, east):
    submitted_return(east)
    client.force_login(performance)
    assert client.get(FORM + "approve").status_code == 405


def test_the_performance_team_rejects_with_a_reason_then_approves(client, performance, performance2, east):
    ret = submitted_return(east)
    client.force_login(performance)
    response = client.post(FORM + "reject", {"version": ret.version, "reason": ""})
    assert "Give a reason" in texts(response)[-1]
    assert Return.objects.get().state == "submitted"
    client.post(FORM + "reject", {"version": ret.version, "reason": "Supervisions doubled"})
    ret.refresh_from_db()
    assert ret.state == "draft"
    client.post(FORM + "submit", {"version": ret.version})
    ret.refresh_from_db()
    client.force_login(performance2)  # four eyes: performance submitted it
    client.post(FORM + "approve", {"version": ret.version})
    assert Return.objects.get().state == "approved"
    assert list(StateChange.objects.order_by("at", "id").values_list("to_state", "reason")) == [
        ("draft", "Supervisions doubled"),
        ("submitted", ""),
        ("approved", ""),
    ]


def test_approvals_and_reopenings_go_to_the_security_log(client, performance, east, caplog):
    ret = submitted_return(east)
    client.force_login(performance)
    with caplog.at_level(logging.INFO, logger="scorecard.security"):
        client.post(FORM + "approve", {"version": ret.version})
        client.post(FORM + "reopen", {"version": ret.version + 1, "reason": "Late correction"})
        client.post(FORM + "reopen", {"reason": "again"})  # refused: not approved any more, so not logged
    lines = [
        r.getMessage() for r in caplog.records if r.name == "scorecard.security" and "event=return_" in r.getMessage()
    ]
    assert len(lines) == 2
    assert "event=return_approved user=performance" in lines[0] and "unit=EAST-SG month=2017-12" in lines[0]
    assert "event=return_reopened user=performance" in lines[1] and 'reason="Late correction"' in lines[1]


def test_reopening_is_not_said_to_unpublish_a_published_month(client, performance, east):
    # Published figures are final: a reopened return leaves the month published until it is restated.
    approved_return(east)
    ReportingMonth.objects.create(month=DEC_2017.first_day, published_at="2018-01-09T10:00:00+00:00")
    client.force_login(performance)
    for path in (MONTH_PAGE, FORM):
        html = client.get(path).content.decode()
        assert "unpublishes" not in html
        assert "stays published" in html or "does not unpublish" in html
        assert "restated" in html


FOUR_EYES = "Needs another member of the performance team to approve (four eyes)"


def submitted_by(user, team):
    ret = draft_return(team, values=TEAM_VALUES if team is not None else None)
    return services.return_submit(ret=ret, actor=user)


def test_approval_is_not_offered_on_a_return_the_user_last_submitted(client, performance, performance2, east):
    submitted_by(performance, east)
    client.force_login(performance)
    response = client.get(FORM)
    html = response.content.decode()
    assert not response.context["can_approve"] and FOUR_EYES in html
    assert "action='approve'" not in html and f'action="{FORM}approve"' not in html
    assert f'action="{FORM}reject"' in html  # sending it back is still theirs to do
    client.force_login(performance2)
    response = client.get(FORM)
    assert response.context["can_approve"] and FOUR_EYES not in response.content.decode()


def test_a_one_person_team_is_offered_approval_of_its_own_return(client, settings, performance, east):
    settings.RETURNS_ALLOW_SELF_APPROVAL = True
    submitted_by(performance, east)
    client.force_login(performance)
    response = client.get(FORM)
    assert response.context["can_approve"] and FOUR_EYES not in response.content.decode()


def test_bulk_approval_lists_apart_the_returns_the_user_last_submitted(
    client, performance, performance2, east, entry_user
):
    south = make_team("SOUTH-SG", area="SOUTH", members=[entry_user])
    submitted_by(performance, east)
    submitted_by(entry_user, south)
    client.force_login(performance)
    response = client.get(MONTH_PAGE)
    assert [row.unit.code for row in response.context["awaiting"]] == ["SOUTH-SG"]
    assert [row.unit.code for row in response.context["four_eyes_blocked"]] == ["EAST-SG"]
    html = response.content.decode()
    assert 'value="SOUTH-SG"' in html and 'value="EAST-SG"' not in html and FOUR_EYES in html
    client.force_login(performance2)
    response = client.get(MONTH_PAGE)
    assert len(response.context["awaiting"]) == 2 and not response.context["four_eyes_blocked"]


def test_approving_a_version_the_reviewer_did_not_see_is_refused(client, performance, east):
    submitted_return(east, version=4)
    client.force_login(performance)
    response = client.post(FORM + "approve", {"version": 3})
    assert "Someone else changed this return" in texts(response)[0]
    assert Return.objects.get().state == "submitted"


def test_a_transition_of_a_return_not_started_says_so(client, performance, east):
    client.force_login(performance)
    response = client.post(FORM + "submit")
    assert "has not been started" in texts(response)[0]
    assert not Return.objects.exists()


def test_a_bad_version_in_a_transition_is_refused(client, performance, east):
    submitted_return(east)
    client.force_login(performance)
    response = client.post(FORM + "approve", {"version": "x"})
    assert texts(response) and Return.objects.get().state == "submitted"


def test_the_history_shows_value_and_state_changes(client, entry_user, east):
    client.force_login(entry_user)
    client.post(FORM, form_data({"open_cases": "7"}, comment="first figures"))
    client.post(FORM, form_data({**TEAM_VALUES}, version=2, action="submit"))
    html = client.get(FORM).content.decode()
    assert "blank → 7 (first figures)" in html
    assert "Draft → Submitted" in html


# The completeness page


def test_the_month_page_lists_every_expected_return_with_counts(client, performance, east, south):
    make_team("NWC-SG", area="NWC")
    make_team("OLD", active=False)
    submitted_return(east)
    draft_return(south)
    client.force_login(performance)
    response = client.get(MONTH_PAGE)
    rows = {row.unit.code: row for row in response.context["table"].data}
    assert set(rows) == {"EAST-SG", "SOUTH-SG", "NWC-SG", "CITY"}
    assert rows["EAST-SG"].state == "submitted" and not rows["EAST-SG"].overdue
    assert rows["SOUTH-SG"].overdue and rows["NWC-SG"].overdue and rows["CITY"].overdue
    assert dict(response.context["counts"]) == {
        "Not started": 2,
        "Draft": 1,
        "Submitted": 1,
        "Approved": 0,
        "Returned": 0,
    }
    assert response.context["overdue_count"] == 3
    assert str(response.context["due"]) == "2018-01-08"


def test_a_data_entry_user_sees_only_their_teams_on_the_month_page(client, entry_user, east, south):
    client.force_login(entry_user)
    response = client.get(MONTH_PAGE)
    assert [row.unit.code for row in response.context["table"].data] == ["EAST-SG"]
    assert b"SOUTH-SG" not in response.content and not response.context["can_publish"]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("?area=SOUTH", ["SOUTH-SG"]),
        ("?state=submitted", ["EAST-SG"]),
        ("?state=not_started", ["CITY"]),
        ("?state=overdue", ["SOUTH-SG", "CITY"]),
        ("?area=EAST&state=draft", []),
    ],
)
def test_the_month_page_filters_by_area_and_state(client, performance, east, south, query, codes):
    submitted_return(east)
    draft_return(south)
    client.force_login(performance)
    response = client.get(MONTH_PAGE + query)
    assert [row.unit.code for row in response.context["table"].data] == codes


def test_an_unknown_filter_value_is_reported_and_ignored(client, performance, east, south):
    client.force_login(performance)
    response = client.get(MONTH_PAGE + "?area=MARS&state=lost")
    assert response.status_code == 200
    assert "There is a problem with the filters" in response.content.decode()
    assert len(response.context["table"].data) == 3


def queries_of(client, path):
    """Return the SQL a GET of the page runs, after a first request has warmed per-session caches."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def own(queries):
    """The queries of this app's views: sessions, sign-in and security middleware are counted elsewhere."""
    tables = ('"returns_', '"indicators_', '"teams_', '"auth_permission"')
    return [sql for sql in queries if any(table in sql.split(" WHERE ")[0] for table in tables)]


def test_the_month_page_costs_the_same_queries_whatever_the_number_of_teams(client, performance, east):
    draft_return(east)
    submitted_return(None)
    client.force_login(performance)
    client.get(MONTH_PAGE)  # the first request after sign-in also writes the session
    few = queries_of(client, MONTH_PAGE)
    for n in range(20):
        team = make_team(f"T{n}", area=["EAST", "SOUTH", "NWC"][n % 3])
        draft_return(team) if n % 2 else submitted_return(team)
    many = queries_of(client, MONTH_PAGE)
    assert len(many) == len(few)
    # user's permissions, group permissions; for the ratings (scorecard/review.py): the month's publication,
    # whether it has returns, and the scorecard's 10 queries; then active teams with areas, council, the month's
    # returns with who changed them, the drafts' state changes (returned or not), areas for the filter, the
    # months with returns (the picker), the month's publication, commentary written, indicators, closure days
    # (for the due date), who last submitted or changed each submitted return (four eyes, one query)
    assert len(own(many)) == 25, "\n".join(own(many))


def test_the_form_costs_a_fixed_number_of_queries_whatever_the_history(client, entry_user, east):
    draft_return(east, values=TEAM_VALUES)
    client.force_login(entry_user)
    client.get(FORM)  # the first request after sign-in also writes the session
    short = queries_of(client, FORM)
    history(east, DEC_2017, 36, values=TEAM_VALUES)
    long = queries_of(client, FORM)
    assert len(long) == len(short)
    # team by code, user's permissions, group permissions, memberships, the return, the team's measures,
    # twelve months of history, stored values, whether it was returned, active rules, value changes, state changes,
    # closure days (for the due date)
    assert len(own(long)) == 13, "\n".join(own(long))


# Publishing (the view lives in scorecard: it asks the scorecard which indicators need commentary)


def test_the_performance_team_publishes_a_month_whose_returns_are_approved(client, performance, east):
    approved_return(east)
    approved_return(None)
    client.force_login(performance)
    response = client.post("/returns/2017-12/publish")
    assert response.status_code == 302 and response.url == MONTH_PAGE
    assert "is published" in texts(response)[0]
    assert client.get(MONTH_PAGE).context["reporting"].is_published


def test_publishing_is_refused_with_what_is_missing(client, performance, east):
    submitted_return(east)
    client.force_login(performance)
    response = client.post("/returns/2017-12/publish")
    messages = texts(response)
    assert "cannot be published yet" in messages[0]
    assert "Not ready: the EAST-SG return is submitted, not approved." in messages
    assert "Not ready: the CITY return is not started, not approved." in messages


def test_publishing_waits_for_commentary_on_a_red_indicator(client, performance, east):
    # Unallocated cases: target 0, lower is better; EAST-SG has 2, so the indicator is red.
    indicator = Indicator.objects.get(code="unallocated_cases")
    Target.objects.create(indicator=indicator, effective_from=Month(2017, 4).first_day, value=0, tolerance=0)
    approved_return(east)
    approved_return(None)
    client.force_login(performance)
    response = client.post("/returns/2017-12/publish")
    assert "Not ready: “1. Unallocated cases (open > 7 days)” is rated red or amber and has no commentary." in texts(
        response
    )
    assert not ReportingMonth.objects.filter(published_at__isnull=False).exists()
    commentary_page = client.get(MONTH_PAGE).content.decode()
    assert "/indicators/unallocated_cases/commentary/2017-12/?next=" in commentary_page
    client.post("/indicators/unallocated_cases/commentary/2017-12/", {"text": "One case in NWC, allocated since."})
    response = client.post("/returns/2017-12/publish")
    assert "is published" in texts(response)[-1]


@pytest.mark.parametrize("role", ["entry_user", "leader", "administrator"])
def test_only_the_performance_team_publishes(client, request, east, role):
    approved_return(east)
    approved_return(None)
    client.force_login(request.getfixturevalue(role))
    assert client.post("/returns/2017-12/publish").status_code == 403
    assert client.get("/returns/2017-12/publish").status_code in (403, 405)


def test_publishing_a_bad_month_is_404(client, performance):
    client.force_login(performance)
    assert client.post("/returns/2017-13/publish").status_code == 404


# Locked means locked (the admin path)


def test_the_admin_cannot_change_an_approved_return_or_its_values(client, east):
    ret = approved_return(east)
    root = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get(f"/admin/returns/return/{ret.pk}/change/").status_code == 200  # viewable, read only
    response = client.post(f"/admin/returns/return/{ret.pk}/change/", {"state": "draft", "version": 9})
    assert response.status_code == 403
    assert client.post(f"/admin/returns/return/{ret.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/returns/returnvalue/").status_code == 404  # values have no admin of their own
    ret.refresh_from_db()
    assert (ret.state, ret.version) == ("approved", 3)
    assert stored(east) == TEAM_VALUES


def test_the_admin_shows_a_months_publishing_history_read_only(client, performance, east):
    approved_return(east)
    approved_return(None)
    row = services.month_publish(month=DEC_2017, actor=performance, needs_commentary=[])
    client.force_login(performance)
    response = client.get(f"/admin/returns/reportingmonth/{row.pk}/history/")
    assert response.status_code == 200 and "Published" in response.content.decode()
    assert client.post(f"/admin/returns/reportingmonth/{row.pk}/change/", {}).status_code == 403


def test_the_performance_team_adds_a_validation_rule_in_the_admin(client, performance, east):
    client.force_login(performance)
    response = client.post(
        "/admin/returns/validationrule/add/",
        {
            "code": "visits_le_children",
            "left": "cpp_visits_due",
            "operator": "<=",
            "right": "cpp_children",
            "severity": "warning",
            "message": "More visits due than children on plans.",
            "active": "on",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/returns/validationrule/add/",
        {
            "code": "bad",
            "left": "cpp_visits_du",
            "operator": "<=",
            "right": "cpp_children",
            "severity": "warning",
            "message": "x",
            "active": "on",
        },
    )
    assert response.status_code == 200 and "Unknown measure code" in response.content.decode()
    findings = check_return({**TEAM_VALUES, "cpp_visits_due": 95})
    assert [f.code for f in findings] == ["visits_le_children"]
