"""An approval racing an edit, on PostgreSQL with two real connections: never an edit after approval.

Each side runs in its own thread, so on its own database connection and
transaction. The services lock the return's row (SELECT ... FOR UPDATE), so
whichever side commits second sees what the first did. Without that lock the
editor would read "submitted", wait for nothing, and write after the approval.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from returns import services
from returns.models import Return, ReturnValue, StateChange, ValueChange
from scorecard import roles
from tests.concurrency import HOLD, run_both
from tests.conftest import make_user
from tests.returns.factories import DEC_2017, TEAM_VALUES, make_team, submitted_return

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks: set DATABASE_URL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world(transactional_db):
    # tests/conftest.py has put back the catalogue, rules and roles an earlier flush removed.
    entry = make_user("entry.east", roles.DATA_ENTRY)
    reviewer = make_user("performance", roles.PERFORMANCE)
    team = make_team("EAST-SG", members=[entry])
    return {"entry": entry, "reviewer": reviewer, "team": team}


def test_an_edit_arriving_during_an_approval_waits_and_is_refused(world):
    pk = submitted_return(world["team"]).pk
    approved = threading.Event()

    def approve():
        with transaction.atomic():
            services.return_approve(ret=Return.objects.get(pk=pk), actor=world["reviewer"])
            approved.set()
            time.sleep(HOLD)  # keep the row locked while the editor tries

    def edit():
        stale = Return.objects.get(pk=pk)  # the editor's page was loaded before the approval
        assert approved.wait(10)
        return services.return_save_values(ret=stale, values={"open_cases": 1}, actor=world["entry"])

    approver, editor = run_both(approve, edit)
    assert approver.outcome is None
    assert isinstance(editor.outcome, services.ReturnLocked)
    assert editor.elapsed >= HOLD * 0.8, "the edit should have waited for the approval's lock"
    assert Return.objects.get(pk=pk).state == Return.State.APPROVED
    assert ReturnValue.objects.get(ret_id=pk, measure__code="open_cases").value == TEAM_VALUES["open_cases"]
    assert not ValueChange.objects.exists()


def test_an_approval_arriving_during_an_edit_waits_and_is_refused(world):
    pk = submitted_return(world["team"]).pk
    edited = threading.Event()

    def edit():
        with transaction.atomic():
            result = services.return_save_values(
                ret=Return.objects.get(pk=pk), values={"open_cases": 1}, actor=world["entry"]
            )
            edited.set()
            time.sleep(HOLD)
        return result

    def approve():
        seen = Return.objects.get(pk=pk)
        assert edited.wait(10)
        return services.return_approve(ret=seen, actor=world["reviewer"])

    editor, approver = run_both(edit, approve)
    assert isinstance(editor.outcome, services.SaveResult) and editor.outcome.back_to_draft
    assert isinstance(approver.outcome, services.InvalidTransition)
    assert approver.elapsed >= HOLD * 0.8
    # The edit sent the return back to draft: what the reviewer saw was never approved.
    assert Return.objects.get(pk=pk).state == Return.State.DRAFT
    assert not StateChange.objects.filter(to_state=Return.State.APPROVED).exists()


def test_racing_approvals_and_edits_never_leave_an_edit_after_an_approval(world):
    outcomes = set()
    for n in range(12):
        pk = submitted_return(world["team"], DEC_2017 - n).pk
        barrier = threading.Barrier(2)

        def approve(pk=pk, barrier=barrier):
            barrier.wait(10)
            return services.return_approve(ret=Return.objects.get(pk=pk), actor=world["reviewer"])

        def edit(pk=pk, barrier=barrier):
            barrier.wait(10)
            return services.return_save_values(
                ret=Return.objects.get(pk=pk), values={"open_cases": 7}, actor=world["entry"]
            )

        approver, editor = run_both(approve, edit)
        ret = Return.objects.get(pk=pk)
        approval = StateChange.objects.filter(ret_id=pk, to_state=Return.State.APPROVED).first()
        edits = ValueChange.objects.filter(ret_id=pk)
        if approval is not None:
            # Approved first: the edit was refused and nothing changed after the approval's version.
            assert isinstance(editor.outcome, services.ReturnLocked)
            assert not edits.exists() and ret.state == Return.State.APPROVED
            outcomes.add("approved first")
        else:
            # Edited first: back to draft, and the approval of the old figures was refused.
            assert isinstance(approver.outcome, services.InvalidTransition)
            assert edits.count() == 1 and ret.state == Return.State.DRAFT
            outcomes.add("edited first")
        assert not edits.filter(version__gt=approval.version if approval else ret.version).exists()
    assert outcomes  # at least one ordering was exercised; which ones depends on the scheduler
