"""manage.py demo: refused with debug off, idempotent, and its users can sign in."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from indicators.models import ChangePoint, Commentary, Comparator, Target
from returns.models import ReportingMonth, Return, ReturnValue, StateChange, ValueChange
from teams.models import Area, Membership, Team

PASSWORD = "demo-test-Password-42"


def row_counts() -> dict[str, int]:
    models = (
        Area,
        Team,
        Membership,
        Target,
        Comparator,
        Commentary,
        ChangePoint,
        Return,
        ReturnValue,
        ValueChange,
        StateChange,
        ReportingMonth,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_it_is_refused_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refused when DJANGO_DEBUG is off"):
        call_command("demo", password=PASSWORD)
    assert not Team.objects.exists()


def test_it_refuses_a_weak_password_and_loads_nothing(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="too weak"):
        call_command("demo", password="password")
    assert not Team.objects.exists()


def test_a_second_run_changes_nothing(db, settings):
    settings.DEBUG = True
    first = io.StringIO()
    call_command("demo", password=PASSWORD, stdout=first)
    loaded = row_counts()
    second = io.StringIO()
    call_command("demo", password=PASSWORD, stdout=second)
    assert "(0 values written)" in second.getvalue()
    assert row_counts() == loaded
    assert loaded["Return"] == 48 * 14 and loaded["ReportingMonth"] == 48  # 13 teams and the council, 48 months


def test_the_demo_s_returns_carry_the_audit_the_services_write(db, settings):
    settings.DEBUG = True
    call_command("demo", password=PASSWORD, stdout=io.StringIO())
    assert not ValueChange.objects.filter(version__isnull=True).exists()
    assert not StateChange.objects.filter(version__isnull=True).exists()
    # Values saved at version 2 of a new return, then approved at 3, as a form save and an approval would.
    assert set(ValueChange.objects.values_list("version", flat=True)) == {2}
    approvals = StateChange.objects.filter(to_state=Return.State.APPROVED)
    assert set(approvals.values_list("from_state", "version")) == {(Return.State.DRAFT, 3)}
    assert set(Return.objects.values_list("state", "version", "approved_version")) == {(Return.State.APPROVED, 3, 3)}


def test_it_prints_the_generated_password_and_the_demo_users_sign_in(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo", stdout=out)
    password = out.getvalue().strip().splitlines()[-1].rsplit(" ", 1)[-1]
    for username in ("admin", "performance", "leader", "entry.east", "entry.south"):
        assert authenticate(username=username, password=password) is not None, username
    east = Team.objects.filter(membership__user__username="entry.east").values_list("area__code", flat=True)
    assert set(east) == {"EAST"}
