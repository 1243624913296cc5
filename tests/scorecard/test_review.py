"""The performance team's review: ratings on the commentary list, bulk approval, readiness, preview, emails."""

import logging

import pytest
from django.contrib.messages import get_messages
from django.core import mail

from indicators.models import Commentary, Indicator, Target
from lib.months import Month
from returns import services
from returns.models import ReportingMonth, Return, StateChange
from scorecard import roles
from tests.conftest import make_user
from tests.returns.factories import DEC_2017, approved_return, draft_return, make_council, make_team, submitted_return

MONTH_PAGE = "/returns/2017-12/"
PREVIEW = "/returns/2017-12/publish/preview"
APPROVE = "/returns/2017-12/approve-submitted"
COMMENTARY = "/indicators/unallocated_cases/commentary/2017-12/"


pytestmark = pytest.mark.usefixtures("january_2018")


@pytest.fixture(autouse=True)
def _mail_kept_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def east(db, entry_user):
    make_council()
    # Unallocated cases: target 0, lower is better; the factories' teams have 2, so it is red.
    Target.objects.create(
        indicator=Indicator.objects.get(code="unallocated_cases"),
        effective_from=Month(2017, 4).first_day,
        value=0,
        tolerance=0,
    )
    return make_team("EAST-SG", area="EAST", members=[entry_user])


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def explain_unallocated():
    Commentary.objects.create(
        indicator=Indicator.objects.get(code="unallocated_cases"),
        month=DEC_2017.first_day,
        text="Two cases, both allocated since.",
    )


# The month page


def test_the_commentary_list_shows_each_indicators_rating_and_what_is_needed(client, performance, east):
    approved_return(east)
    client.force_login(performance)
    html = client.get(MONTH_PAGE).content.decode()
    row = html[html.index('<th scope="row">1. Unallocated cases') :]
    row = row[: row.index("</tr>")]
    assert '<span class="rag rag-red">' in row and "Red" in row and "needed" in row


def test_a_month_not_ready_lists_what_is_missing_once_and_offers_no_publish_button(client, performance, east):
    submitted_return(east)
    client.force_login(performance)
    html = client.get(MONTH_PAGE).content.decode()
    assert "cannot be published yet. Still needed:" in html
    assert "2 returns approved: EAST-SG (submitted), CITY (not started)" in html
    assert "commentary on 1. Unallocated cases (open &gt; 7 days) (rated red)" in html
    assert "Publish December 2017</button>" not in html and PREVIEW not in html


def test_a_ready_month_offers_the_preview(client, performance, east):
    approved_return(east)
    approved_return(None)
    explain_unallocated()
    client.force_login(performance)
    html = client.get(MONTH_PAGE).content.decode()
    assert f'href="{PREVIEW}"' in html and "is ready" in html


# Bulk approval


def test_ticked_submitted_returns_are_approved_one_by_one_and_audited(client, performance, east, caplog):
    south = make_team("SOUTH-SG", area="SOUTH")
    first, second = submitted_return(east), submitted_return(south)
    client.force_login(performance)
    html = client.get(MONTH_PAGE).content.decode()
    assert 'name="version-EAST-SG" value="2"' in html and 'id="approve-SOUTH-SG" checked' in html
    with caplog.at_level(logging.INFO, logger="scorecard.security"):
        response = client.post(
            APPROVE, {"unit": ["EAST-SG", "SOUTH-SG"], "version-EAST-SG": "2", "version-SOUTH-SG": "2"}
        )
    assert response.url == MONTH_PAGE
    assert texts(response) == ["Approved 2 returns: EAST-SG, SOUTH-SG."]
    for ret in (first, second):
        ret.refresh_from_db()
        assert ret.state == Return.State.APPROVED
        assert StateChange.objects.get(ret=ret, to_state="approved").actor == performance
    assert caplog.text.count("event=return_approved") == 2


def test_refusals_are_reported_one_by_one_and_the_rest_approved(client, performance, east, monkeypatch):
    south, nwc = make_team("SOUTH-SG", area="SOUTH"), make_team("NWC-SG", area="NWC")
    submitted_return(east), submitted_return(south), draft_return(nwc)
    real_approve = services.return_approve

    def four_eyes(*, ret, actor, expected_version=None):
        if ret.team.code == "SOUTH-SG":  # as the four-eyes check would refuse it
            raise services.ReturnError("You last changed this return, so someone else must approve it.")
        return real_approve(ret=ret, actor=actor, expected_version=expected_version)

    monkeypatch.setattr(services, "return_approve", four_eyes)
    client.force_login(performance)
    response = client.post(
        APPROVE,
        {
            "unit": ["EAST-SG", "SOUTH-SG", "NWC-SG", "NOPE"],
            "version-EAST-SG": "2",
            "version-SOUTH-SG": "2",
            "version-NWC-SG": "1",
            "version-NOPE": "1",
        },
    )
    messages = texts(response)
    assert messages[0] == "Approved 1 return: EAST-SG."
    assert "SOUTH-SG not approved: You last changed this return, so someone else must approve it." in messages
    assert any(m.startswith("NWC-SG not approved: The NWC-SG return for December 2017 is draft") for m in messages)
    assert "Not approved: there is no NOPE return for December 2017." in messages
    assert list(Return.objects.filter(state="approved").values_list("team__code", flat=True)) == ["EAST-SG"]


def test_a_stale_or_missing_version_is_refused(client, performance, east):
    submitted_return(east)
    client.force_login(performance)
    assert "page was out of date" in texts(client.post(APPROVE, {"unit": "EAST-SG"}))[0]
    assert (
        "changed this return after you opened it"
        in texts(client.post(APPROVE, {"unit": "EAST-SG", "version-EAST-SG": "1"}))[-1]
    )
    assert Return.objects.get().state == Return.State.SUBMITTED


def test_nothing_ticked_says_so(client, performance, east):
    client.force_login(performance)
    assert texts(client.post(APPROVE, {})) == ["Tick at least one return to approve."]


@pytest.mark.parametrize("role", ["entry_user", "leader"])
def test_only_approvers_approve_in_bulk(client, request, east, role):
    submitted_return(east)
    client.force_login(request.getfixturevalue(role))
    assert client.post(APPROVE, {"unit": "EAST-SG", "version-EAST-SG": "2"}).status_code == 403
    assert client.get(APPROVE).status_code == 405
    assert Return.objects.get().state == Return.State.SUBMITTED


# The publish preview and the leaders' email


def test_the_preview_shows_what_leaders_will_see_and_the_publish_button_when_ready(client, performance, east):
    approved_return(east)
    approved_return(None)
    explain_unallocated()
    client.force_login(performance)
    html = client.get(PREVIEW).content.decode()
    assert "Preview: what senior leaders will see for December 2017" in html
    assert "Rated red or amber (1)" in html and "Two cases, both allocated since." in html
    assert 'action="/returns/2017-12/publish"' in html


def test_the_preview_of_a_month_not_ready_says_why_and_offers_no_button(client, performance, east):
    submitted_return(east)
    client.force_login(performance)
    html = client.get(PREVIEW).content.decode()
    assert "The EAST-SG return is submitted, not approved." in html
    assert "is rated red and has no commentary" in html
    assert 'action="/returns/2017-12/publish"' not in html


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("leader", PREVIEW, 403),
        ("entry_user", PREVIEW, 403),
        ("performance", "/returns/2017-13/publish/preview", 404),
        ("performance", "/returns/2016-01/publish/preview", 404),
    ],
)
def test_the_preview_is_the_performance_teams_only(client, request, east, role, path, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(path).status_code == status


def test_publishing_emails_the_leaders_naming_red_and_amber(client, performance, east):
    make_user("leader", roles.LEADERS, email="leader@example.org")
    make_user("leader.nomail", roles.LEADERS)
    make_user("leader.gone", roles.LEADERS, email="gone@example.org", is_active=False)
    approved_return(east)
    approved_return(None)
    explain_unallocated()
    client.force_login(performance)
    response = client.post("/returns/2017-12/publish")
    assert "Emailed 1 senior leader." in texts(response)
    [message] = mail.outbox
    assert message.to == ["leader@example.org"] and message.subject == "Scorecard published: December 2017"
    assert "/scorecard/2017-12/" in message.body and "1. Unallocated cases (open > 7 days) (Red)" in message.body


def test_a_mail_failure_after_publishing_is_logged_and_the_month_stays_published(
    client, performance, east, monkeypatch, caplog
):
    make_user("leader", roles.LEADERS, email="leader@example.org")
    approved_return(east)
    approved_return(None)
    explain_unallocated()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    client.force_login(performance)
    with caplog.at_level(logging.ERROR):
        client.post("/returns/2017-12/publish")
    assert ReportingMonth.objects.get().is_published
    assert "could not be sent" in caplog.text


# The commentary page


def test_the_commentary_page_shows_the_figure_rating_trend_and_last_months_commentary(client, performance, east):
    approved_return(east)
    Commentary.objects.create(
        indicator=Indicator.objects.get(code="unallocated_cases"),
        month=(DEC_2017 - 1).first_day,
        text="November: one case waiting.",
    )
    client.force_login(performance)
    html = client.get(COMMENTARY).content.decode()
    assert "<dt>Figure</dt><dd>2</dd>" in html
    assert '<span class="rag rag-red">' in html and "(target 0)" in html
    assert "<dt>Trend</dt>" in html and "Provisional: not yet published" in html
    assert "November: one case waiting." in html
    html = client.get(COMMENTARY + "?copy=previous").content.decode()
    assert ">\nNovember: one case waiting.</textarea>" in html or ">November: one case waiting.</textarea>" in html
    assert not Commentary.objects.filter(month=DEC_2017.first_day).exists()  # copied into the box, not saved


def test_the_commentary_page_without_last_months_says_so(client, performance, east):
    client.force_login(performance)
    html = client.get(COMMENTARY + "?copy=previous").content.decode()
    assert "None was written." in html
    assert client.get("/indicators/unallocated_cases/commentary/2017-13/").status_code == 404
