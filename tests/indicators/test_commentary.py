"""The performance team writes and edits an indicator's commentary for a month; every version is kept."""

import pytest
from django.contrib.messages import get_messages

from indicators import services
from indicators.models import Commentary
from lib.months import Month

DEC = Month(2017, 12)
PAGE = "/indicators/re_referrals/commentary/2017-12/"


@pytest.fixture(autouse=True)
def _january_2018(january_2018):
    """Every test here runs on 10 January 2018."""


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_writing_commentary_keeps_each_version_with_its_author(indicator, performance, administrator):
    first, changed = services.commentary_save(
        indicator=indicator, month=DEC, text=" Up on November. ", actor=performance, expected_version=None
    )
    assert changed and first.text == "Up on November."
    version = services.latest_history_id(first)
    services.commentary_save(
        indicator=indicator,
        month=DEC,
        text="Up on November; audit under way.",
        actor=administrator,
        expected_version=version,
    )
    commentary = Commentary.objects.get()
    assert commentary.updated_by == administrator
    assert [(h.text, h.history_user) for h in commentary.history.order_by("history_id")] == [
        ("Up on November.", performance),
        ("Up on November; audit under way.", administrator),
    ]


def test_saving_the_same_text_writes_no_new_version(indicator, performance):
    commentary, _ = services.commentary_save(indicator=indicator, month=DEC, text="Stable.", actor=performance)
    _, changed = services.commentary_save(
        indicator=indicator,
        month=DEC,
        text="Stable.",
        actor=performance,
        expected_version=services.latest_history_id(commentary),
    )
    assert not changed and commentary.history.count() == 1


def test_a_stale_version_is_refused_and_nothing_is_overwritten(indicator, performance):
    services.commentary_save(indicator=indicator, month=DEC, text="Theirs.", actor=performance)
    with pytest.raises(services.CommentaryConflict) as caught:
        services.commentary_save(indicator=indicator, month=DEC, text="Mine.", actor=performance, expected_version=None)
    assert caught.value.current.text == "Theirs."
    assert Commentary.objects.get().text == "Theirs."


def test_empty_commentary_is_refused(indicator, performance):
    with pytest.raises(services.CommentaryEmpty):
        services.commentary_save(indicator=indicator, month=DEC, text="   ", actor=performance)
    assert not Commentary.objects.exists()


# Commentary is the performance team's voice: administrators read it but do not write it (scorecard/roles.py).
@pytest.mark.parametrize(
    ("role", "allowed"), [("performance", True), ("administrator", False), ("entry_user", False), ("leader", False)]
)
def test_only_users_who_may_edit_the_catalogue_reach_the_commentary_form(client, request, indicator, role, allowed):
    client.force_login(request.getfixturevalue(role))
    assert client.get(PAGE).status_code == (200 if allowed else 403)
    assert client.post(PAGE, {"text": "x"}).status_code == (302 if allowed else 403)
    assert Commentary.objects.filter(text="x").exists() == allowed


@pytest.mark.parametrize(
    "path",
    [
        "/indicators/no_such_indicator/commentary/2017-12/",
        "/indicators/re_referrals/commentary/2017-13/",
        "/indicators/re_referrals/commentary/2019-01/",
    ],
)
def test_unknown_indicators_and_bad_months_are_404(client, performance, path):
    client.force_login(performance)
    assert client.get(path).status_code == 404


def test_the_form_saves_and_returns_to_where_it_was_opened_from(client, performance, indicator):
    client.force_login(performance)
    response = client.post(PAGE, {"text": "Re-referrals fell.", "version": "", "next": "/scorecard/2017-12/"})
    assert response.status_code == 302 and response.url == "/scorecard/2017-12/"
    assert Commentary.objects.get(indicator=indicator, month=DEC.first_day).text == "Re-referrals fell."


def test_the_form_never_redirects_to_another_site(client, performance, indicator):
    client.force_login(performance)
    response = client.post(PAGE, {"text": "Fell.", "version": "", "next": "https://evil.example/"})
    assert response.url == PAGE


def test_the_form_shows_the_history_of_versions(client, performance, indicator):
    services.commentary_save(indicator=indicator, month=DEC, text="First take.", actor=performance)
    client.force_login(performance)
    response = client.get(PAGE)
    html = response.content.decode()
    assert "First take." in html and "Versions" in html


def test_an_empty_post_gets_a_message_next_to_the_field(client, performance, indicator):
    client.force_login(performance)
    response = client.post(PAGE, {"text": "  ", "version": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "cannot be empty" in html and 'id="text-error"' in html
    assert not Commentary.objects.exists()


def test_a_second_writer_is_shown_the_first_ones_text(client, performance, indicator):
    client.force_login(performance)
    client.get(PAGE)
    services.commentary_save(indicator=indicator, month=DEC, text="Written meanwhile.", actor=performance)
    response = client.post(PAGE, {"text": "My take.", "version": ""})
    assert response.status_code == 409
    assert "Written meanwhile." in response.content.decode()
    assert Commentary.objects.get().text == "Written meanwhile."
    response = client.post(PAGE, {"text": "My take.", "version": response.context["form"]["version"].value()})
    assert response.status_code == 302 and Commentary.objects.get().text == "My take."
    assert "saved" in texts(response)[0]


def test_a_tampered_version_is_refused(client, performance, indicator):
    client.force_login(performance)
    response = client.post(PAGE, {"text": "x", "version": "abc"})
    assert "out of date" in response.content.decode()
    assert not Commentary.objects.exists()
