"""The admin writes nothing behind the workflow: history pages are read-only, rights never grow by the admin."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.forms.models import model_to_dict
from django.test import Client
from simple_history.admin import SimpleHistoryAdmin

from scorecard import roles
from tests.conftest import demo_for_the_module, make_user

HISTORY_MODELS = sorted(
    (model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, SimpleHistoryAdmin)),
    key=lambda model: model._meta.label,
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_for_the_module(django_db_blocker):
        yield


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="scorecard.security")
    return lambda event: [
        r.getMessage() for r in caplog.records if r.name == "scorecard.security" and f"event={event} " in r.getMessage()
    ]


# The module's demo already holds users named as conftest's: these are their own.
@pytest.fixture
def administrator(db) -> User:
    return make_user("admin.two", roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def leader(db) -> User:
    return make_user("leader.two", roles.LEADERS)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_issue_s_models_all_have_read_only_history_pages():
    names = {model._meta.model_name for model in HISTORY_MODELS}
    assert {
        "reportingmonth",
        "population",
        "validationrule",
        "measure",
        "indicator",
        "target",
        "comparator",
        "commentary",
        "changepoint",
    } <= names


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda model: model._meta.label)
@pytest.mark.parametrize("who", ["superuser", "performance"])
def test_posting_to_a_history_page_is_refused_logged_and_changes_nothing(demo, db, model, who, security_log):
    obj = model.objects.order_by("pk").first() or _make_one(model)
    assert obj is not None, f"the demo holds no {model._meta.label}"
    obj.save()  # a history row to revert to
    history_id = obj.history.order_by("history_id").first().history_id
    before = model_to_dict(obj)
    user = (
        User.objects.create_superuser("root.two", password="x-Password-12345")
        if who == "superuser"
        else User.objects.get(username="performance")
    )
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/history/{history_id}/"
    client = signed_in(user)
    assert client.get(url).status_code == 200 if who == "superuser" else client.get(url).status_code in (200, 403)
    data = {
        **{k: ("" if v is None else v) for k, v in before.items() if not isinstance(v, (list, dict))},
        "published_at_0": "",
        "published_at_1": "",
        "text": "Rewritten",
        "population_0_17": 999999,
    }
    assert client.post(url, data).status_code == 405
    obj.refresh_from_db()
    assert model_to_dict(obj) == before
    assert security_log("admin_history_write_refused")


def _make_one(model):
    """Make a row of a kind the demo holds none of, so its history page is tried too."""
    from indicators.models import DismissedChangePoint, Indicator
    from teams.models import Team, TeamNameMapping

    if model is DismissedChangePoint:
        return DismissedChangePoint.objects.create(indicator=Indicator.objects.first(), month=datetime.date(2017, 6, 1))
    if model is TeamNameMapping:
        return TeamNameMapping.objects.create(name="Children in Care Team 1", team=Team.objects.first())
    return None


@pytest.mark.parametrize(
    "url",
    [
        "/admin/returns/reportingmonth/abc/history/1/",
        "/admin/returns/reportingmonth/1/history/abc/",
        "/admin/nope/nothing/1/history/1/",
    ],
)
def test_a_malformed_history_url_is_not_found(db, url):
    root = User.objects.create_superuser("root.two", password="x-Password-12345")
    assert signed_in(root).get(url).status_code == 404


def user_form(user: User, **changes) -> dict:
    """Return the admin change form's fields for the user as they are, with `changes`."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": "00:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "groups": list(user.groups.values_list("pk", flat=True)),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_an_administrator_cannot_make_themself_superuser_or_change_their_own_groups(administrator):
    performance_group = Group.objects.get(name=roles.PERFORMANCE)
    client = signed_in(administrator)
    client.post(
        f"/admin/auth/user/{administrator.pk}/change/",
        user_form(administrator, is_superuser="on", groups=[performance_group.pk]),
    )
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert list(administrator.groups.values_list("name", flat=True)) == [roles.ADMINISTRATOR]


def test_an_administrator_cannot_grant_superuser_or_a_group_beyond_their_rights(administrator, leader, security_log):
    client = signed_in(administrator)
    url = f"/admin/auth/user/{leader.pk}/change/"
    client.post(url, user_form(leader, is_superuser="on"))
    leader.refresh_from_db()
    assert not leader.is_superuser
    response = client.post(url, user_form(leader, groups=[Group.objects.get(name=roles.PERFORMANCE).pk]))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert list(leader.groups.values_list("name", flat=True)) == [roles.LEADERS]
    assert not security_log("user_rights_changed")


def test_granting_a_group_within_their_rights_is_a_security_event(administrator, security_log):
    newcomer = make_user("newcomer")
    response = signed_in(administrator).post(
        f"/admin/auth/user/{newcomer.pk}/change/",
        user_form(newcomer, groups=[Group.objects.get(name=roles.LEADERS).pk]),
    )
    assert response.status_code == 302
    assert list(newcomer.groups.values_list("name", flat=True)) == [roles.LEADERS]
    [line] = security_log("user_rights_changed")
    assert "user=admin.two" in line and "target=newcomer" in line and 'added="Senior leaders"' in line


def test_an_administrator_cannot_change_a_superuser(administrator):
    root = User.objects.create_superuser("root.two", password="x-Password-12345")
    client = signed_in(administrator)
    client.post(f"/admin/auth/user/{root.pk}/change/", user_form(root, is_active=""))
    root.refresh_from_db()
    assert root.is_active
