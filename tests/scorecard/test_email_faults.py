"""A mail server that is down never stops a return being saved or submitted.

Reminders are the only email the app sends, from a daily command that logs
each failure and carries on (tests/returns/test_reminders.py); this guards the
web path against a future notification that forgets to be best effort.
"""

import pytest
import time_machine

from returns.models import Return
from tests.returns.factories import TEAM_VALUES, make_council, make_team


class MailServerDown(Exception):
    pass


@pytest.fixture
def mail_server_down(settings, monkeypatch):
    """Every attempt to send email, by any path, fails loudly."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    def refuse(*args, **kwargs):
        raise MailServerDown("connection refused")

    monkeypatch.setattr("django.core.mail.backends.smtp.EmailBackend.open", refuse)
    monkeypatch.setattr("django.core.mail.backends.smtp.EmailBackend.send_messages", refuse)


@time_machine.travel("2018-01-10 10:00:00+00:00", tick=False)
def test_a_return_is_submitted_while_the_mail_server_is_down(client, entry_user, mail_server_down):
    make_council()
    make_team("EAST-SG", members=[entry_user])
    client.force_login(entry_user)
    data = {"version": 1, "action": "submit", "comment": "", **{k: str(v) for k, v in TEAM_VALUES.items()}}
    response = client.post("/returns/2017-12/EAST-SG/", data)
    assert response.status_code == 302
    assert Return.objects.get(team__code="EAST-SG").state == Return.State.SUBMITTED


def test_the_fixture_really_breaks_email(mail_server_down):
    from django.core.mail import send_mail

    with pytest.raises(MailServerDown):
        send_mail("subject", "body", "from@example.org", ["to@example.org"])
