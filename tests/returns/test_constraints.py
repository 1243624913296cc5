"""The database itself refuses duplicate and negative values, months not stored as their first day and states
outside their choices, on every backend."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from indicators.models import Measure
from returns.models import ImportJob, ReportingMonth, Return, ReturnValue, Source, StateChange, ValueChange
from teams.models import Area, Team, TeamType

DEC = dt.date(2017, 12, 1)


@pytest.fixture
def team(db):
    area = Area.objects.create(code="EAST", name="East", kind=Area.Kind.LOCALITY)
    return Team.objects.create(
        code="EAST-SG", name="East safeguarding", area=area, team_type=TeamType.objects.get(code="safeguarding")
    )


@pytest.fixture
def team_return(team):
    return Return.objects.create(team=team, month=DEC)


def test_it_refuses_a_second_value_for_the_same_unit_month_and_measure(team_return):
    measure = Measure.objects.get(code="cpp_children")
    ReturnValue.objects.create(ret=team_return, measure=measure, value=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnValue.objects.create(ret=team_return, measure=measure, value=11)


def test_it_refuses_a_second_return_for_the_same_team_and_month(team, team_return):
    with pytest.raises(IntegrityError), transaction.atomic():
        Return.objects.create(team=team, month=DEC)


def test_it_refuses_a_second_council_return_for_the_same_month(db):
    Return.objects.create(team=None, month=DEC)
    with pytest.raises(IntegrityError), transaction.atomic():
        Return.objects.create(team=None, month=DEC)


def test_it_allows_council_returns_for_different_months(db):
    Return.objects.create(team=None, month=DEC)
    Return.objects.create(team=None, month=dt.date(2017, 11, 1))
    assert Return.objects.filter(team=None).count() == 2


def test_it_refuses_a_negative_value(team_return):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnValue.objects.create(ret=team_return, measure=Measure.objects.get(code="open_cases"), value=-1)


def test_it_refuses_a_blank_value_without_a_reason(team_return):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnValue.objects.create(ret=team_return, measure=Measure.objects.get(code="open_cases"), value=None)


def test_it_keeps_a_blank_value_marked_not_available(team_return):
    row = ReturnValue.objects.create(
        ret=team_return, measure=Measure.objects.get(code="open_cases"), value=None, unavailable_reason="System outage"
    )
    assert ReturnValue.objects.get(pk=row.pk).value is None


def test_it_stores_zero_as_zero_not_as_blank(team_return):
    row = ReturnValue.objects.create(ret=team_return, measure=Measure.objects.get(code="open_cases"), value=0)
    assert ReturnValue.objects.get(pk=row.pk).value == 0


@pytest.fixture
def user(db):
    return User.objects.create_user("writer")


def _bad_writes():
    """Direct writes the database refuses: a month not on its first day, a state or source outside its choices,
    a negative count in the audit trail."""

    def value_change(ret, user, **fields):
        defaults = {"measure": Measure.objects.get(code="open_cases"), "at": timezone.now(), "source": Source.FORM}
        return ValueChange.objects.create(ret=ret, actor=user, **{**defaults, **fields})

    def state_change(ret, user, **fields):
        return StateChange.objects.create(ret=ret, actor=user, at=timezone.now(), **fields)

    def import_job(user, **fields):
        return ImportJob.objects.create(token="t", user=user, file_name="f.csv", **{"step": "preview", **fields})

    return {
        "reporting month on the 2nd": lambda team, ret, user: ReportingMonth.objects.create(month=dt.date(2017, 12, 2)),
        "team return on the 31st": lambda team, ret, user: Return.objects.create(
            team=team, month=dt.date(2017, 11, 30)
        ),
        "council return on the 2nd": lambda team, ret, user: Return.objects.create(
            team=None, month=dt.date(2017, 11, 2)
        ),
        "return state not a state": lambda team, ret, user: Return.objects.filter(pk=ret.pk).update(state="published"),
        "negative new value": lambda team, ret, user: value_change(ret, user, old_value=None, new_value=-1),
        "negative old value": lambda team, ret, user: value_change(ret, user, old_value=-5, new_value=3),
        "source not a source": lambda team, ret, user: value_change(ret, user, new_value=3, source="email"),
        "state change to no state": lambda team, ret, user: state_change(
            ret, user, from_state="draft", to_state="gone"
        ),
        "state change from no state": lambda team, ret, user: state_change(ret, user, from_state="", to_state="draft"),
        "import job step": lambda team, ret, user: import_job(user, step="undo"),
        "import job state": lambda team, ret, user: import_job(user, state="paused"),
    }


@pytest.mark.parametrize("write", list(_bad_writes()))
def test_the_database_refuses(write, team, team_return, user):
    counts = [model.objects.count() for model in (ReportingMonth, Return, ValueChange, StateChange, ImportJob)]
    with pytest.raises(IntegrityError), transaction.atomic():
        _bad_writes()[write](team, team_return, user)
    assert [model.objects.count() for model in (ReportingMonth, Return, ValueChange, StateChange, ImportJob)] == counts
    assert Return.objects.get(pk=team_return.pk).state == Return.State.DRAFT


def test_the_audit_trail_keeps_blank_and_zero_counts(team_return, user):
    measure = Measure.objects.get(code="open_cases")
    ValueChange.objects.create(ret=team_return, measure=measure, at=timezone.now(), source=Source.IMPORT, new_value=0)
    ValueChange.objects.create(ret=team_return, measure=measure, at=timezone.now(), source=Source.FORM, old_value=0)
    assert ValueChange.objects.count() == 2


@pytest.fixture
def audited(team_return):
    """A value change recorded by a user."""
    user = User.objects.create_user("entry", password="a long enough password")
    measure = Measure.objects.create(
        code="audited_only", name="Audited only", kind=Measure.Kind.FLOW, level=Measure.Level.TEAM, order=99
    )
    return ValueChange.objects.create(
        ret=team_return, measure=measure, new_value=3, actor=user, at=timezone.now(), source=Source.FORM
    )


def test_a_user_named_in_the_audit_cannot_be_deleted(audited):
    with pytest.raises(ProtectedError):
        audited.actor.delete()
    assert ValueChange.objects.get().actor == audited.actor


def test_a_measure_named_in_the_audit_cannot_be_deleted(audited):
    with pytest.raises(ProtectedError):
        audited.measure.delete()


def test_deleting_a_return_deletes_its_audit(audited, team_return):
    team_return.delete()
    assert not ValueChange.objects.exists()


def test_a_measure_with_values_cannot_be_deleted(team_return):
    measure = Measure.objects.get(code="cpp_children")
    ReturnValue.objects.create(ret=team_return, measure=measure, value=10)
    with pytest.raises(ProtectedError):
        measure.delete()
    assert ReturnValue.objects.get().measure == measure


@pytest.mark.parametrize("link", ["ret_id", "measure_id", "actor_id"])
def test_the_database_checks_every_link_of_the_audit(audited, link):
    """Django's PROTECT and CASCADE guard deletes through the ORM; the database guards every other write."""
    table = ValueChange._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic():
        ValueChange.objects.filter(pk=audited.pk).update(**{link: 987654})
        connection.check_constraints(table_names=[table])


def test_the_database_checks_a_values_measure(team_return):
    row = ReturnValue.objects.create(ret=team_return, measure=Measure.objects.get(code="open_cases"), value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnValue.objects.filter(pk=row.pk).update(measure_id=987654)
        connection.check_constraints(table_names=[ReturnValue._meta.db_table])
