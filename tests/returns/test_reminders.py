"""Daily reminders: who is emailed about what, and a failing mail server breaks nothing."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from lib.months import Month
from returns import reminders
from scorecard import roles
from tests.conftest import make_user
from tests.returns.factories import DEC_2017, approved_return, draft_return, make_council, make_team, submitted_return

# December 2017's returns were due on Monday 8 January 2018: 1 January was a bank holiday.
AFTER_DUE = dt.date(2018, 1, 9)
ON_DUE = dt.date(2018, 1, 8)


@pytest.fixture
def setup(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_council()
    east_user = make_user("entry.east", roles.DATA_ENTRY, email="east@example.org")
    south_user = make_user("entry.south", roles.DATA_ENTRY, email="south@example.org")
    make_user("no.email", roles.DATA_ENTRY)
    reviewer = make_user("performance", roles.PERFORMANCE, email="perf@example.org")
    make_user("root", is_superuser=True, email="root@example.org")
    east = make_team("EAST-SG", members=[east_user])
    south = make_team("SOUTH-SG", area="SOUTH", members=[south_user])
    return {"east": east, "south": south, "reviewer": reviewer}


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_data_entry_users_hear_only_of_their_own_teams_overdue_returns(setup):
    draft_return(setup["east"])  # overdue
    submitted_return(setup["south"])  # awaiting approval, not overdue
    approved_return(None)
    sent, failed = reminders.send_reminders(reminders.build_reminders(AFTER_DUE, look_back=1))
    assert (sent, failed) == (2, 0)
    east = next(m for m in mail.outbox if m.to == ["east@example.org"])
    assert "EAST-SG, December 2017: draft, due 08 January 2018. /returns/2017-12/EAST-SG/" in east.body
    assert "SOUTH" not in east.body
    assert recipients() == ["east@example.org", "perf@example.org"]


def test_the_performance_team_hears_what_awaits_approval_and_what_is_overdue(setup):
    submitted_return(setup["south"])
    reminders.send_reminders(reminders.build_reminders(AFTER_DUE, look_back=1))
    [review] = [m for m in mail.outbox if m.to == ["perf@example.org"]]
    assert review.subject == "Returns: 1 awaiting approval, 2 overdue"
    assert "SOUTH-SG, December 2017: submitted" in review.body
    assert "EAST-SG, December 2017: not started" in review.body and "CITY, December 2017" in review.body


def test_nothing_is_overdue_on_the_due_day_itself(setup):
    assert reminders.build_reminders(ON_DUE, look_back=1) == []


def test_older_months_still_outstanding_are_included(setup):
    messages = reminders.build_reminders(AFTER_DUE)  # three months back by default
    review = next(m for m in messages if m.to == ["perf@example.org"])
    assert "EAST-SG, October 2017: not started" in review.body


def test_nobody_gets_an_empty_email(setup):
    approved_return(setup["east"])
    approved_return(setup["south"])
    approved_return(None)
    for month in Month(2017, 9), Month(2017, 10), Month(2017, 11), Month(2018, 1):
        for team in setup["east"], setup["south"], None:
            approved_return(team, month)
    assert reminders.build_reminders(AFTER_DUE) == []


def test_a_failing_mail_server_is_logged_and_breaks_nothing(setup, settings, caplog):
    settings.EMAIL_BACKEND = "tests.returns.test_reminders.BrokenBackend"
    draft_return(setup["east"])
    with caplog.at_level(logging.ERROR, logger="returns.reminders"):
        sent, failed = reminders.send_reminders(reminders.build_reminders(AFTER_DUE, look_back=1))
    assert (sent, failed) == (0, 3)  # entry.east, entry.south (not started), performance
    assert "could not be sent" in caplog.text


def test_a_backend_that_cannot_even_start_is_logged(setup, settings, caplog):
    settings.EMAIL_BACKEND = "no.such.Backend"
    draft_return(setup["east"])
    with caplog.at_level(logging.ERROR, logger="returns.reminders"):
        assert reminders.send_reminders(reminders.build_reminders(AFTER_DUE, look_back=1)) == (0, 3)
    assert "could not be set up" in caplog.text


def test_the_command_sends_and_reports(setup, capsys):
    draft_return(setup["east"], DEC_2017)
    call_command("send_return_reminders", "--date", "2018-01-09", "--months", "1")
    assert "3 reminder(s) sent, 0 failed." in capsys.readouterr().out
    assert recipients() == ["east@example.org", "perf@example.org", "south@example.org"]


def test_the_command_dry_run_sends_nothing(setup, capsys):
    call_command("send_return_reminders", "--date", "2018-01-09", "--dry-run")
    out = capsys.readouterr().out
    assert "Would email perf@example.org" in out and mail.outbox == []


@pytest.mark.parametrize(
    ("args", "says"), [(["--date", "2018-13-01"], "not a day"), (["--months", "99"], "between 0 and 24")]
)
def test_the_command_refuses_bad_arguments(setup, args, says):
    with pytest.raises(CommandError, match=says):
        call_command("send_return_reminders", *args)


def test_the_settings_default_backend_prints_to_the_console(monkeypatch):
    # The test runner swaps the backend for its outbox, so read the settings module itself.
    import scorecard.settings

    monkeypatch.delenv("DJANGO_EMAIL_BACKEND", raising=False)
    assert scorecard.settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


class BrokenBackend:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
