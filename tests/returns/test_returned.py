"""A rejected or reopened return is "returned": said at the top, listed so everywhere, emailed to its team."""

import logging

import pytest
from django.core import mail

from returns import notifications, services
from returns.models import Return
from scorecard import roles
from tests.conftest import make_user
from tests.returns.factories import TEAM_VALUES, approved_return, make_council, make_team, submitted_return

FORM = "/returns/2017-12/EAST-SG/"


pytestmark = pytest.mark.usefixtures("january_2018")


@pytest.fixture(autouse=True)
def _mail_kept_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def east(db, entry_user):
    make_council()
    entry_user.email = "east@example.org"
    entry_user.save()
    make_user("entry.east2", roles.DATA_ENTRY, email="east2@example.org")
    team = make_team("EAST-SG", area="EAST", members=[entry_user])
    team.membership_set.create(user=make_user("entry.nomail", roles.DATA_ENTRY))
    team.membership_set.create(
        user=make_user("entry.gone", roles.DATA_ENTRY, email="gone@example.org", is_active=False)
    )
    return team


def reject(client, performance, reason="Visits made look doubled"):
    client.force_login(performance)
    return client.post(FORM + "reject", {"version": 2, "reason": reason})


def test_a_rejected_return_says_who_when_and_why_at_the_top(client, east, performance, entry_user):
    submitted_return(east)
    reject(client, performance)
    client.force_login(entry_user)
    page = client.get(FORM).content.decode()
    assert 'id="returned-reason">Returned by performance on 10 January 2018: Visits made look doubled</p>' in page
    assert page.index("returned-reason") < page.index("return-form")
    assert '<span class="state state-returned">Returned</span>' in page


def test_the_banner_stays_through_draft_saves_and_goes_when_submitted_again(client, east, performance, entry_user):
    submitted_return(east)
    reject(client, performance)
    client.force_login(entry_user)
    data = {"version": 3, "action": "save", "comment": "", **{k: str(v) for k, v in TEAM_VALUES.items()}}
    data["cpp_visits_made"] = "81"
    client.post(FORM, data)
    assert "returned-reason" in client.get(FORM).content.decode()
    data.update(version=4, action="submit")
    client.post(FORM, data)
    assert Return.objects.get(team=east).state == Return.State.SUBMITTED
    assert "returned-reason" not in client.get(FORM).content.decode()


def test_a_reopened_return_says_reopened(client, east, performance, entry_user):
    approved_return(east)
    client.force_login(performance)
    client.post(FORM + "reopen", {"version": 3, "reason": "Staff count is last year's"})
    client.force_login(entry_user)
    assert (
        "Reopened by performance on 10 January 2018: Staff count is last year&#x27;s"
        in client.get(FORM).content.decode()
    )


def test_the_month_page_lists_it_as_returned_and_filters_by_it(client, east, performance):
    submitted_return(east)
    reject(client, performance)
    response = client.get("/returns/2017-12/")
    rows = {row.unit.code: row for row in response.context["table"].data}
    assert rows["EAST-SG"].state_label == "Returned"
    assert dict(response.context["counts"])["Returned"] == 1
    response = client.get("/returns/2017-12/?state=returned")
    assert [row.unit.code for row in response.context["table"].data] == ["EAST-SG"]


def test_the_teams_data_entry_users_are_emailed_once_each(client, east, performance):
    submitted_return(east)
    response = reject(client, performance)
    assert [m.to for m in mail.outbox] == [["east@example.org"]]  # not other teams, the inactive or the mail-less
    message = mail.outbox[0]
    assert message.subject == "Returned: EAST-SG return for December 2017"
    assert "Returned by performance on 10 January 2018: Visits made look doubled" in message.body
    assert "/returns/2017-12/EAST-SG/" in message.body
    assert response.status_code == 302


def test_a_mail_failure_is_logged_and_the_rejection_stands(client, east, performance, caplog, monkeypatch):
    submitted_return(east)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with caplog.at_level(logging.ERROR, logger="returns.reminders"):
        response = reject(client, performance)
    assert response.status_code == 302
    assert Return.objects.get(team=east).state == Return.State.DRAFT
    assert "could not be sent" in caplog.text


def test_nobody_is_emailed_about_a_draft_that_was_never_returned(east):
    ret = submitted_return(east)
    assert notifications.notify_returned(ret) == (0, 0)
    assert mail.outbox == []


def test_the_council_return_has_no_team_to_email(east, performance):
    ret = submitted_return(None)
    services.return_reject(ret=ret, actor=performance, reason="No")
    assert notifications.notify_returned(ret) == (0, 0)


def test_reminders_list_a_returned_return_as_returned(east, performance):
    import datetime as dt

    from returns import reminders

    ret = submitted_return(east)
    services.return_reject(ret=ret, actor=performance, reason="Check the visits")
    overdue, _ = reminders.outstanding(dt.date(2018, 1, 9))
    line = next(
        reminders._line(item) for item in overdue if item.unit_code == "EAST-SG" and str(item.month) == "2017-12"
    )
    assert "EAST-SG, December 2017: returned, due 08 January 2018." in line
