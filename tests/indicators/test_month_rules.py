"""Which months a change point, a dismissed suggestion and commentary may be for: the model, the service and the
page each refuse the rest, and nothing is written."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.forms import modelform_factory

from indicators import services
from indicators.models import ChangePoint, Commentary, DismissedChangePoint
from lib.months import Month

# Today is 10 January 2018: change points up to January 2018, commentary up to February 2018 (ahead of the board).
THIS_MONTH = Month(2018, 1)


@pytest.fixture(autouse=True)
def _january_2018(january_2018):
    """Every test here runs on 10 January 2018."""


def messages_of(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


# ---------------------------------------------------------------- change points and dismissed suggestions

TOO_LATE = [(THIS_MONTH + 1, "is in the future"), (Month(2099, 1), "is in the future")]
TOO_EARLY = [(Month(1999, 12), "before January 2000"), (Month(1, 1), "before January 2000")]
REFUSED_CHANGE_POINT_MONTHS = TOO_LATE + TOO_EARLY


@pytest.mark.parametrize(("month", "says"), REFUSED_CHANGE_POINT_MONTHS)
def test_the_change_point_service_refuses_a_month_outside_the_past(indicator, performance, month, says):
    with pytest.raises(ValidationError, match=says) as caught:
        services.change_point_add(indicator=indicator, month=month, reason="New front door", actor=performance)
    assert list(caught.value.message_dict) == ["month"]
    assert not ChangePoint.objects.exists() and not ChangePoint.history.exists()


@pytest.mark.parametrize("month", [THIS_MONTH, Month(2000, 1)])
def test_the_change_point_service_records_this_month_and_the_earliest(indicator, performance, month):
    services.change_point_add(indicator=indicator, month=month, reason="New front door", actor=performance)
    assert ChangePoint.objects.get().month == month.first_day


@pytest.mark.parametrize(("month", "says"), REFUSED_CHANGE_POINT_MONTHS)
def test_a_form_over_the_change_point_model_refuses_the_month_with_a_field_error(indicator, month, says):
    # What an admin form (or any ModelForm) runs: the model's own clean().
    form = modelform_factory(ChangePoint, fields=["indicator", "month", "reason"])(
        {"indicator": indicator.pk, "month": month.first_day.isoformat(), "reason": "New front door"}
    )
    assert not form.is_valid()
    assert says in " ".join(form.errors["month"])
    assert not ChangePoint.objects.exists()


def test_the_admin_refuses_to_add_a_change_point(client, indicator, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    response = client.post(
        "/admin/indicators/changepoint/add/",
        {"indicator": indicator.pk, "month": "2099-01-01", "reason": "New front door"},
    )
    assert response.status_code == 403
    assert not ChangePoint.objects.exists()


@pytest.mark.parametrize(("month", "says"), REFUSED_CHANGE_POINT_MONTHS)
def test_the_page_says_why_a_change_point_month_is_refused_and_records_nothing(
    client, performance, indicator, month, says
):
    client.force_login(performance)
    response = client.post(
        f"/indicators/{indicator.code}/change-points/", {"month": str(month), "reason": "New front door"}
    )
    assert response.status_code == 302
    assert says in messages_of(response)
    assert not ChangePoint.objects.exists()


@pytest.mark.parametrize(("month", "says"), REFUSED_CHANGE_POINT_MONTHS)
def test_a_suggestion_cannot_be_dismissed_for_a_month_outside_the_past(client, performance, indicator, month, says):
    with pytest.raises(ValidationError, match=says):
        services.change_point_dismiss(indicator=indicator, month=month, actor=performance)
    client.force_login(performance)
    response = client.post(f"/indicators/{indicator.code}/change-points/dismiss/", {"month": str(month)})
    assert says in messages_of(response)
    assert not DismissedChangePoint.objects.exists()


# ---------------------------------------------------------------- commentary

REFUSED_COMMENTARY_MONTHS = [THIS_MONTH + 2, Month(1999, 12), Month(1, 1)]


@pytest.mark.parametrize("month", REFUSED_COMMENTARY_MONTHS)
def test_the_commentary_service_refuses_a_month_outside_the_window(indicator, performance, month):
    with pytest.raises(ValidationError, match="Commentary can be written for January 2000 to February 2018"):
        services.commentary_save(indicator=indicator, month=month, text="Fell.", actor=performance)
    assert not Commentary.objects.exists() and not Commentary.history.exists()


@pytest.mark.parametrize("month", [THIS_MONTH + 1, Month(2000, 1)])
def test_the_commentary_service_accepts_next_month_and_the_earliest(indicator, performance, month):
    services.commentary_save(indicator=indicator, month=month, text="Fell.", actor=performance)
    assert Commentary.objects.get().month == month.first_day


@pytest.mark.parametrize("month", REFUSED_COMMENTARY_MONTHS)
def test_a_form_over_the_commentary_model_refuses_the_month_with_a_field_error(indicator, month):
    form = modelform_factory(Commentary, fields=["indicator", "month", "text"])(
        {"indicator": indicator.pk, "month": month.first_day.isoformat(), "text": "Fell."}
    )
    assert not form.is_valid()
    assert "Commentary can be written for" in " ".join(form.errors["month"])


@pytest.mark.parametrize("month", REFUSED_COMMENTARY_MONTHS)
def test_the_commentary_page_is_not_found_outside_the_window_and_saves_nothing(client, performance, indicator, month):
    client.force_login(performance)
    page = f"/indicators/{indicator.code}/commentary/{month}/"
    assert client.get(page).status_code == 404
    assert client.post(page, {"text": "Fell.", "version": ""}).status_code == 404
    assert not Commentary.objects.exists()


def test_the_admin_refuses_to_add_commentary(client, indicator, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    response = client.post(
        "/admin/indicators/commentary/add/", {"indicator": indicator.pk, "month": "2099-01-01", "text": "Fell."}
    )
    assert response.status_code == 403
    assert not Commentary.objects.exists()
