"""Everything needs login; each role's group holds what DESIGN.md says it may do."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from scorecard import roles
from teams.models import Membership
from tests.conftest import make_user
from tests.returns.factories import make_team

# Every page of the product; extended as pages arrive.
PAGES = ["/", "/admin/"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login")) or response.url.startswith("/admin/login/")


def test_the_login_page_itself_is_open(client, db):
    assert client.get(reverse("login")).status_code == 200


def test_logout_is_by_post_only(client, leader):
    client.force_login(leader)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_the_four_roles_exist(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        roles.DATA_ENTRY,
        roles.PERFORMANCE,
        roles.LEADERS,
        roles.ADMINISTRATOR,
    }


def test_data_entry_may_enter_and_submit_but_not_approve_or_import(entry_user):
    assert entry_user.has_perm("returns.change_return")
    assert entry_user.has_perm("returns.submit_return")
    assert not entry_user.has_perm("returns.approve_return")
    assert not entry_user.has_perm("returns.import_returns")
    assert not entry_user.has_perm("returns.enter_any_return")
    assert not entry_user.has_perm("indicators.change_target")


def test_performance_team_approves_imports_publishes_and_edits_the_catalogue(performance):
    for perm in (
        "returns.approve_return",
        "returns.import_returns",
        "returns.publish_month",
        "returns.view_unpublished_month",
        "returns.enter_any_return",
        "indicators.change_indicator",
        "indicators.change_target",
        "indicators.add_comparator",
        "indicators.change_commentary",
    ):
        assert performance.has_perm(perm), perm
    assert not performance.has_perm("auth.add_user")
    assert not performance.has_perm("teams.change_team")


def test_senior_leaders_hold_no_model_permissions(leader):
    assert leader.get_all_permissions() == set()


def test_administrators_manage_users_and_reference_data_but_not_returns(administrator):
    for perm in ("auth.add_user", "teams.change_area", "teams.add_team", "teams.change_population"):
        assert administrator.has_perm(perm), perm
    assert not administrator.has_perm("returns.approve_return")
    assert not administrator.has_perm("returns.change_return")
    assert administrator.has_perm("indicators.view_indicator")
    assert administrator.has_perm("indicators.change_target")  # setting up a council from files
    assert not administrator.has_perm("indicators.change_indicator")
    assert not administrator.has_perm("indicators.change_commentary")


def test_sync_roles_is_repeatable(db):
    before = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    roles.sync_roles()
    after = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert before == after


ADMIN_CHANGELISTS = [
    "teams/council",
    "teams/area",
    "teams/teamtype",
    "teams/team",
    "teams/population",
    "teams/membership",
    "indicators/measure",
    "indicators/indicator",
    "indicators/target",
    "indicators/comparator",
    "indicators/commentary",
    "returns/return",
    "returns/reportingmonth",
    "returns/valuechange",
    "returns/statechange",
    "auth/user",
]


@pytest.mark.parametrize("page", ADMIN_CHANGELISTS)
def test_admin_pages_load_for_a_superuser(client, db, page):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    assert client.get(f"/admin/{page}/").status_code == 200


def test_an_indicator_admin_page_loads_with_its_lines(client, db):
    from indicators.models import Indicator

    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    indicator = Indicator.objects.get(code="average_caseload")
    response = client.get(f"/admin/indicators/indicator/{indicator.pk}/change/")
    assert response.status_code == 200
    assert b"Assessment teams" in response.content


def test_the_performance_team_can_reach_the_catalogue_in_the_admin(client, performance):
    client.force_login(performance)
    assert client.get("/admin/indicators/target/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


def test_the_home_page_sends_each_role_where_it_works(client, leader, entry_user, performance):
    client.force_login(leader)
    page = client.get("/").content.decode()
    assert 'href="/scorecard/"' in page and 'href="/returns/"' not in page
    Membership.objects.create(user=entry_user, team=make_team("EAST-SG"))
    client.force_login(entry_user)
    page = client.get("/").content.decode()
    assert "Enter your teams' monthly returns" in page
    client.force_login(performance)
    page = client.get("/").content.decode()
    assert "Check, approve and publish" in page and 'href="/imports/"' in page
