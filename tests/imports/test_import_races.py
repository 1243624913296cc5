"""An import racing an approval, on PostgreSQL with two real connections: never imported values after approval.

The import locks the returns it touches (SELECT ... FOR UPDATE) before reading
their states, as the form's services do, or, a bulk import, holds the returns
tables; so whichever side commits second sees what the first did.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from returns import services
from returns.imports import returns_import
from returns.models import Return, ReturnValue, StateChange, ValueChange
from returns.spreadsheets import ImportRefused
from scorecard import roles
from tests.concurrency import HOLD, run_both
from tests.conftest import make_user
from tests.imports.conftest import csv_file

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks: set DATABASE_URL"),
    pytest.mark.django_db(transaction=True),
]

HEADER = ["month", "team", "measure", "value"]


@pytest.fixture
def submitted(transactional_db, request):
    # tests/conftest.py has put back the catalogue, rules and roles an earlier flush removed.
    request.getfixturevalue("council")
    returns_import(file_name="v1.csv", data=csv_file([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]))
    ret = Return.objects.get()
    Return.objects.filter(pk=ret.pk).update(state=Return.State.SUBMITTED)
    return ret.pk


@pytest.fixture(params=["returns locked", "tables held"])
def bulk(request, settings):
    """Both ways an import serialises with the workflow: it locks each return's row, or (a bulk import) holds the
    returns tables (returns.services.lock_for_bulk_write) and locks no row."""
    if request.param == "tables held":
        settings.IMPORT_BULK_VALUES = 1
    return request.param


def test_an_import_arriving_during_an_approval_waits_and_is_refused(submitted, bulk):
    reviewer = make_user("performance", roles.PERFORMANCE)
    approved = threading.Event()

    def approve():
        with transaction.atomic():
            services.return_approve(ret=Return.objects.get(pk=submitted), actor=reviewer)
            approved.set()
            time.sleep(HOLD)  # keep the row locked while the import tries

    def import_file():
        assert approved.wait(10)
        return returns_import(file_name="v2.csv", data=csv_file([HEADER, ["2017-12", "EAST-SG", "open_cases", "999"]]))

    approver, importer = run_both(approve, import_file)
    assert approver.outcome is None
    assert isinstance(importer.outcome, ImportRefused), importer.outcome
    assert "is approved, so it is locked" in str(importer.outcome)
    assert importer.elapsed >= HOLD * 0.8, "the import should have waited for the approval's lock"
    assert ReturnValue.objects.get().value == 120
    assert ValueChange.objects.count() == 1  # the first import's only


def test_an_approval_arriving_during_an_import_waits_and_is_refused(submitted, bulk):
    reviewer = make_user("performance", roles.PERFORMANCE)
    imported = threading.Event()

    def import_file():
        with transaction.atomic():
            returns_import(file_name="v2.csv", data=csv_file([HEADER, ["2017-12", "EAST-SG", "open_cases", "125"]]))
            imported.set()
            time.sleep(HOLD)

    def approve():
        seen = Return.objects.get(pk=submitted)
        assert imported.wait(10)
        return services.return_approve(ret=seen, actor=reviewer)

    importer, approver = run_both(import_file, approve)
    assert not isinstance(importer.outcome, Exception), importer.outcome
    assert isinstance(approver.outcome, services.InvalidTransition)
    assert approver.elapsed >= HOLD * 0.8
    # The import sent the return back to draft: the values the reviewer saw were never approved.
    assert Return.objects.get().state == Return.State.DRAFT
    assert ReturnValue.objects.get().value == 125
    assert not StateChange.objects.filter(to_state=Return.State.APPROVED).exists()
