"""Importing returns: values land in drafts with the form's checks and audit, all or nothing."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Measure
from returns import selectors, services
from returns.imports import _Staging, returns_import
from returns.models import ImportRecord, Return, ReturnValue, Source, StateChange, ValueChange
from returns.spreadsheets import ImportRefused
from teams.models import Team
from tests.returns.factories import TEAM_VALUES

DEC = dt.date(2017, 12, 1)
HEADER = ["month", "team", "measure", "value"]


def stored(team=None, month=DEC) -> dict[str, int | None]:
    rows = ReturnValue.objects.filter(ret__month=month)
    rows = rows.filter(ret__team__isnull=True) if team is None else rows.filter(ret__team__code=team)
    return dict(rows.values_list("measure__code", "value"))


def measure_id(code: str) -> int:
    return Measure.objects.get(code=code).pk


def refused(data: bytes, name: str = "returns.csv", **kwargs) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        returns_import(data=data, file_name=name, **kwargs)
    return caught.value


def messages(error: ImportRefused) -> list[str]:
    return [str(problem) for problem in error.problems]


# --------------------------------------------------------------------------- good files


def test_it_imports_long_form_values_into_new_draft_returns(council, make_csv):
    result = returns_import(
        file_name="dec.csv",
        data=make_csv(
            [
                HEADER,
                ["2017-12", "EAST-SG", "open_cases", "120"],
                ["2017-12", "EAST-SG", "unallocated_cases", "4"],
                ["2017-12", "CITY", "referrals", "310"],
            ]
        ),
    )
    assert stored("EAST-SG") == {"open_cases": 120, "unallocated_cases": 4}
    assert stored(None) == {"referrals": 310}
    assert set(Return.objects.values_list("state", flat=True)) == {Return.State.DRAFT}
    assert (result.new, result.changed, result.unchanged) == (3, 0, 0)
    assert [(u.month_label, u.unit, u.new) for u in result.units] == [("2017-12", "CITY", 1), ("2017-12", "EAST-SG", 2)]


def test_values_of_returns_over_several_months_land_each_in_its_own_return(council, make_csv):
    returns_import(file_name="oct.csv", data=make_csv([HEADER, ["2017-10", "EAST-SG", "open_cases", "100"]]))
    rows = [
        ["2017-10", "EAST-SG", "open_cases", "101"],
        ["2017-11", "EAST-SG", "open_cases", "110"],
        ["2017-11", "CITY", "referrals", "300"],
        ["2017-12", "EAST-SG", "open_cases", "120"],
        ["2017-12", "CITY", "referrals", "310"],
    ]
    returns_import(file_name="q.csv", data=make_csv([HEADER, *rows]))
    months = [dt.date(2017, month, 1) for month in (10, 11, 12)]
    assert [stored("EAST-SG", month) for month in months] == [{"open_cases": n} for n in (101, 110, 120)]
    assert [stored(None, month) for month in months[1:]] == [{"referrals": 300}, {"referrals": 310}]
    audit = ValueChange.objects.filter(import_record__file_name="q.csv").select_related("ret__team")
    assert sorted((f"{c.ret.month:%Y-%m}", c.ret.unit_label, c.new_value, c.version) for c in audit) == [
        ("2017-10", "EAST-SG", 101, 3),
        ("2017-11", "EAST-SG", 110, 2),
        ("2017-11", "council", 300, 2),
        ("2017-12", "EAST-SG", 120, 2),
        ("2017-12", "council", 310, 2),
    ]


def test_it_imports_the_wide_form_a_local_office_keeps(council, make_csv):
    returns_import(
        file_name="east.csv",
        data=make_csv(
            [
                ["month", "team", "open_cases", "unallocated_cases", "cpp_children"],
                ["2017-11", "EAST-SG", "118", "3", "40"],
                ["2017-12", "EAST-SG", "120", "4", ""],
                ["2017-12", "EAST-ASM", "60", "", "0"],
            ]
        ),
    )
    assert stored("EAST-SG", dt.date(2017, 11, 1)) == {"open_cases": 118, "unallocated_cases": 3, "cpp_children": 40}
    assert stored("EAST-SG") == {"open_cases": 120, "unallocated_cases": 4}
    assert stored("EAST-ASM") == {"open_cases": 60, "cpp_children": 0}


def test_it_imports_an_xlsx_workbook(council, make_xlsx):
    returns_import(
        file_name="dec.xlsx",
        data=make_xlsx(
            [
                HEADER,
                ["2017-12", "EAST-SG", "open_cases", 120],
                [dt.datetime(2017, 12, 1), "EAST-SG", "cpp_children", 41.0],  # Excel's date for a typed 2017-12
            ]
        ),
    )
    assert stored("EAST-SG") == {"open_cases": 120, "cpp_children": 41}


def test_it_audits_each_value_with_source_file_name_and_digest(council, make_csv, performance):
    data = make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]])
    returns_import(file_name="dec.csv", data=data, actor=performance)
    change = ValueChange.objects.get()
    assert (change.measure.code, change.old_value, change.new_value) == ("open_cases", None, 120)
    assert change.source == Source.IMPORT
    assert change.file == ("dec.csv", hashlib.sha256(data).hexdigest())
    assert change.who == performance
    assert change.version == Return.objects.get().version == 2


def test_an_import_says_who_and_which_file_once_and_its_audit_rows_name_it(council, make_csv, performance):
    data = make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"], ["2017-12", "CITY", "referrals", "310"]])
    returns_import(file_name="dec.csv", data=data, actor=performance)
    record = ImportRecord.objects.get()
    assert (record.actor, record.file_name, record.file_sha256) == (
        performance,
        "dec.csv",
        hashlib.sha256(data).hexdigest(),
    )
    # The audit rows carry no user or file of their own: the record says it once for them all.
    assert set(ValueChange.objects.values_list("import_record", "actor")) == {(record.pk, None)}
    assert ValueChange.objects.count() == 2
    # A re-import that changes nothing writes no record; a refused or dry run writes none either.
    returns_import(file_name="dec.csv", data=data, actor=performance)
    returns_import(
        file_name="dry.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "1"]]), dry_run=True
    )
    refused(make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "1"], ["2017-12", "EAST-SG", "cpp_children", "x"]]))
    assert ImportRecord.objects.count() == 1


def test_importing_the_same_file_twice_changes_nothing_the_second_time(council, make_csv):
    data = make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"], ["2017-12", "CITY", "referrals", "310"]])
    returns_import(file_name="dec.csv", data=data)
    before = (list(Return.objects.values_list("pk", "version", "updated_at")), ValueChange.objects.count())
    second = returns_import(file_name="dec.csv", data=data)
    assert (second.new, second.changed, second.unchanged, second.audit_rows) == (0, 0, 2, 0)
    assert (list(Return.objects.values_list("pk", "version", "updated_at")), ValueChange.objects.count()) == before


def test_the_staged_values_are_joined_with_the_stored_ones_once_for_the_plan_and_the_writes(
    council, make_csv, monkeypatch
):
    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]))
    rows = [["2017-12", "EAST-SG", "open_cases", "125"], ["2017-12", "EAST-SG", "cpp_children", "7"]]
    streamed: list[str] = []  # PostgreSQL streams through a cursor of its own, which Django does not capture
    stream = _Staging.stream
    monkeypatch.setattr(_Staging, "stream", lambda self, sql, *args: streamed.append(sql) or stream(self, sql, *args))
    with CaptureQueriesContext(connection) as queries:
        result = returns_import(file_name="v2.csv", data=make_csv([HEADER, *rows]))
    assert (result.new, result.changed, result.audit_rows) == (1, 1, 2)
    join = f"JOIN {connection.ops.quote_name(ReturnValue._meta.db_table)}"
    statements = {query["sql"] for query in queries.captured_queries} | set(streamed)
    assert len([sql for sql in statements if join in sql]) == 1
    assert stored("EAST-SG") == {"open_cases": 125, "cpp_children": 7}


def test_the_writes_read_stored_returns_changes_only_when_there_are_some(council, make_csv):
    def reads_of_the_writes(rows) -> int:
        with CaptureQueriesContext(connection) as queries:
            returns_import(file_name="returns.csv", data=make_csv([HEADER, *rows]))
        return len([query for query in queries.captured_queries if f"FROM {_Staging.COMPARED} WHERE" in query["sql"]])

    # A first load starts every return: no statement scans the compared values for stored returns' changes.
    assert reads_of_the_writes([["2017-12", "EAST-SG", "open_cases", "120"]]) == 0
    # A stored return's new and changed values: audited, updated and inserted, each read from the compared values.
    assert (
        reads_of_the_writes([["2017-12", "EAST-SG", "open_cases", "125"], ["2017-12", "EAST-SG", "cpp_children", "7"]])
        == 3
    )
    assert stored("EAST-SG") == {"open_cases": 125, "cpp_children": 7}


def test_a_changed_value_is_audited_with_its_old_value_and_raises_the_version(council, make_csv):
    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]))
    result = returns_import(file_name="v2.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "125"]]))
    assert result.units[0].changes == [("open_cases", 120, 125)]
    latest = ValueChange.objects.order_by("-pk").first()
    assert (latest.old_value, latest.new_value, latest.file[0], latest.version) == (120, 125, "v2.csv", 3)
    assert Return.objects.get().version == 3


def test_a_stored_return_takes_a_number_for_a_value_marked_unavailable_and_a_new_measure(council, make_csv):
    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]))
    ret = Return.objects.get()
    ReturnValue.objects.create(
        ret=ret, measure_id=measure_id("cpp_children"), value=None, unavailable_reason="System down"
    )
    rows = [
        ["2017-12", "EAST-SG", "open_cases", "120"],
        ["2017-12", "EAST-SG", "cpp_children", "7"],
        ["2017-12", "EAST-SG", "unallocated_cases", "3"],
    ]
    result = returns_import(file_name="v2.csv", data=make_csv([HEADER, *rows]))
    assert (result.new, result.changed, result.unchanged) == (1, 1, 1)
    assert stored("EAST-SG") == {"open_cases": 120, "cpp_children": 7, "unallocated_cases": 3}
    assert not ReturnValue.objects.exclude(unavailable_reason="").exists()
    audit = ValueChange.objects.filter(import_record__file_name="v2.csv").values_list(
        "measure__code", "old_value", "new_value", "version"
    )
    assert sorted(audit) == [("cpp_children", None, 7, 3), ("unallocated_cases", None, 3, 3)]


def test_a_changed_submitted_return_goes_back_to_draft_as_with_the_form(council, make_csv):
    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]))
    Return.objects.update(state=Return.State.SUBMITTED)
    result = returns_import(file_name="v2.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "121"]]))
    assert result.units[0].back_to_draft
    assert Return.objects.get().state == Return.State.DRAFT
    change = StateChange.objects.get()
    assert (change.from_state, change.to_state, change.version) == (Return.State.SUBMITTED, Return.State.DRAFT, 3)


def test_a_dry_run_reports_but_saves_nothing(council, make_csv, unchanged):
    unchanged()
    result = returns_import(
        file_name="dec.csv", dry_run=True, data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]])
    )
    assert result.new == 1 and result.audit_rows == 0


def test_a_blank_cell_is_not_given_never_zero(council, make_csv):
    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]))
    result = returns_import(
        file_name="v2.csv",
        data=make_csv(
            [
                HEADER,
                ["2017-12", "EAST-SG", "open_cases", ""],  # does not clear the stored value
                ["2017-12", "EAST-SG", "cpp_children", "  "],  # does not store 0
            ]
        ),
    )
    assert stored("EAST-SG") == {"open_cases": 120}
    assert result.blanks == 2 and ValueChange.objects.count() == 1


def test_a_data_entry_user_imports_their_own_teams_rows(east_entry, make_csv):
    returns_import(
        file_name="east.csv", actor=east_entry, data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]])
    )
    assert stored("EAST-SG") == {"open_cases": 120}


# --------------------------------------------------------------------------- bad values: refused, nothing changed


@pytest.mark.parametrize(
    "text, reason",
    [
        ("-3", "negative"),
        ("3.5", "decimal point"),
        ("1e3", "exponent"),
        ("12a", "not a whole number"),
        ("\u0661\u0662", "digits other than 0-9"),  # Arabic-Indic ١٢
    ],
)
def test_it_refuses_a_value_that_is_not_a_whole_number(council, make_csv, unchanged, text, reason):
    unchanged()
    error = refused(
        make_csv(
            [
                HEADER,
                ["2017-12", "EAST-SG", "open_cases", "120"],
                ["2017-12", "EAST-SG", "cpp_children", text],
            ]
        )
    )
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert (problem.row, problem.column) == (3, "value")
    assert reason in problem.message


def test_it_refuses_a_numerator_above_its_denominator(council, make_csv, unchanged):
    unchanged()
    error = refused(
        make_csv(
            [
                HEADER,
                ["2017-12", "EAST-SG", "open_cases", "10"],
                ["2017-12", "EAST-SG", "unallocated_cases", "11"],
            ]
        )
    )
    assert messages(error) == [
        "Row 3, column value: EAST-SG 2017-12: Unallocated cases cannot be more than open cases. "
        "unallocated_cases = 11 is more than open_cases = 10 (rows 2 and 3)"
    ]


def test_a_rule_is_checked_against_the_values_already_stored(council, make_csv):
    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "10"]]))
    error = refused(make_csv([HEADER, ["2017-12", "EAST-SG", "unallocated_cases", "11"]]))
    assert "Unallocated cases cannot be more than open cases" in error.problems[0].message
    assert stored("EAST-SG") == {"open_cases": 10}


def stored_reads_for_rules(data: bytes) -> int:
    """Import the file; return how many queries read stored values for the validation rules."""
    values = connection.ops.quote_name(ReturnValue._meta.db_table)
    with CaptureQueriesContext(connection) as queries:
        returns_import(file_name="returns.csv", data=data)
    return len([q for q in queries.captured_queries if q["sql"].startswith("SELECT") and f"FROM {values}" in q["sql"]])


def test_a_file_giving_whole_returns_reads_no_stored_values_for_the_rules(council, make_csv):
    """The rules' stored values are read only for the measures a return leaves out: a whole return leaves none."""
    returned = [m.code for m in selectors.measures_for(selectors.Unit("EAST-SG", "", Team.objects.get(code="EAST-SG")))]
    whole = [HEADER] + [["2017-12", "EAST-SG", code, str(TEAM_VALUES[code])] for code in returned]
    returns_import(file_name="v1.csv", data=make_csv(whole))
    changed = [HEADER] + [["2017-12", "EAST-SG", code, str(TEAM_VALUES[code] + 1)] for code in returned]
    assert stored_reads_for_rules(make_csv(changed)) == 0
    assert stored("EAST-SG") == {code: TEAM_VALUES[code] + 1 for code in returned}
    # A return given in part still has its rules checked against the values it leaves as they are.
    assert stored_reads_for_rules(make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "450"]])) == 1
    error = refused(make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "1"]]))
    assert "Unallocated cases cannot be more than open cases" in error.problems[0].message


def test_a_rule_sees_the_stored_values_the_teams_submission_sees(council, make_csv):
    """A stored value of a measure the team no longer returns is in no rule, on the form or in an import."""
    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "10"]]))
    open_cases = Measure.objects.get(code="open_cases")
    open_cases.team_types.set([Team.objects.get(code="UASC").team_type])  # safeguarding teams no longer return it
    result = returns_import(
        file_name="v2.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "unallocated_cases", "11"]])
    )
    assert result.new == 1
    ret = Return.objects.get(team__code="EAST-SG")
    assert not [f for f in services.submission_findings(ret) if "open cases" in f.message]
    assert stored("EAST-SG") == {"open_cases": 10, "unallocated_cases": 11}


def test_it_names_both_rows_of_a_value_given_twice(council, make_csv, unchanged):
    unchanged()
    error = refused(
        make_csv(
            [
                HEADER,
                ["2017-12", "EAST-SG", "open_cases", "120"],
                ["2017-12", "EAST-SG", "cpp_children", "40"],
                ["2017-12", "EAST-SG", "open_cases", "120"],
            ]
        )
    )
    assert messages(error) == [
        "Row 4, column value: Rows 2 and 4 both give open_cases for EAST-SG in 2017-12; each value must appear once"
    ]


def test_it_refuses_an_unknown_team_and_creates_nothing(council, make_csv, unchanged):
    unchanged()
    error = refused(make_csv([HEADER, ["2017-12", "WEST-SG", "open_cases", "1"]]))
    assert error.problems[0].row == 2 and error.problems[0].column == "team"
    assert "no team has the code “WEST-SG”" in error.problems[0].message


def test_it_refuses_an_unknown_measure(council, make_csv, unchanged):
    unchanged()
    error = refused(make_csv([HEADER, ["2017-12", "EAST-SG", "open_case", "1"]]))
    assert messages(error) == ["Row 2, column measure: No measure has the code “open_case”"]


def test_it_refuses_a_council_measure_on_a_team_row(council, make_csv, unchanged):
    unchanged()
    error = refused(make_csv([HEADER, ["2017-12", "EAST-SG", "referrals", "1"]]))
    assert "returned once for the whole council" in error.problems[0].message


@pytest.mark.parametrize(
    "header, complaint",
    [
        (["month", "team", "measure"], "the column “value” is missing"),
        (["month", "team_code", "measure", "value"], "the column “team_code” is not expected"),
        (["month", "team", "measure", "value", "notes"], "the column “notes” is not expected"),
    ],
    ids=["missing", "renamed", "extra"],
)
def test_it_refuses_a_header_that_is_not_exactly_the_contract(council, make_csv, unchanged, header, complaint):
    unchanged()
    error = refused(make_csv([header, ["2017-12", "EAST-SG", "open_cases", "1"][: len(header)]]))
    assert any(complaint in p.message and p.row == 1 for p in error.problems), messages(error)


def test_it_refuses_an_unknown_column_in_the_wide_form(council, make_csv, unchanged):
    unchanged()
    error = refused(make_csv([["month", "team", "open_cases", "opencases"], ["2017-12", "EAST-SG", "1", "2"]]))
    assert "“opencases” is neither month, team nor a measure code" in error.problems[0].message


@pytest.mark.parametrize("month", ["2017-13", "Dec 2017", "2017/12", "201712", "17-12"])
def test_it_refuses_a_month_not_written_yyyy_mm(council, make_csv, unchanged, month):
    unchanged()
    error = refused(make_csv([HEADER, [month, "EAST-SG", "open_cases", "1"]]))
    assert (error.problems[0].row, error.problems[0].column) == (2, "month")
    assert "YYYY-MM" in error.problems[0].message


def test_it_refuses_a_month_in_the_future(council, make_csv, unchanged):
    unchanged()
    error = refused(make_csv([HEADER, ["2999-01", "EAST-SG", "open_cases", "1"]]))
    assert "2999-01 is in the future" in error.problems[0].message


def test_it_refuses_a_row_for_an_approved_return_and_overwrites_nothing(council, make_csv, unchanged):
    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]))
    Return.objects.update(state=Return.State.APPROVED)
    unchanged()
    error = refused(
        make_csv(
            [
                HEADER,
                ["2017-11", "EAST-SG", "open_cases", "118"],
                ["2017-12", "EAST-SG", "open_cases", "999"],
            ]
        )
    )
    assert messages(error)[0].startswith(
        "Row 3, column team: The EAST-SG return for 2017-12 is approved, so it is locked"
    )


def test_it_refuses_a_data_entry_users_rows_for_another_team(east_entry, make_csv, unchanged):
    unchanged()
    error = refused(
        make_csv(
            [
                HEADER,
                ["2017-12", "EAST-SG", "open_cases", "120"],
                ["2017-12", "SOUTH-SG", "open_cases", "80"],
                ["2017-12", "CITY", "referrals", "300"],
            ]
        ),
        actor=east_entry,
    )
    assert [(p.row, p.column) for p in error.problems] == [(3, "team"), (4, "team")]
    assert "you may not import returns for SOUTH-SG" in error.problems[0].message


def test_an_error_on_the_last_of_20000_rows_leaves_the_database_unchanged(council, make_csv, unchanged):
    from indicators.models import Measure
    from teams.models import Area, Team, TeamType

    east = Area.objects.get(code="EAST")
    kind = TeamType.objects.get(code="safeguarding")
    Team.objects.bulk_create([Team(code=f"T{n:03d}", name=f"Team {n}", area=east, team_type=kind) for n in range(100)])
    codes = ["cpp_children", "cic_children", "caseload_cases", "qualified_social_workers"]
    assert set(codes) <= set(Measure.objects.filter(level="team").values_list("code", flat=True))
    rows = [HEADER]
    for month in range(1, 13 * 5 + 1):
        for team in range(100):
            for code in codes:
                rows.append([f"{2012 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}", f"T{team:03d}", code, "7"])
    rows = rows[:20_000]
    rows.append(["2017-12", "T000", "open_cases", "7.5"])
    unchanged()
    error = refused(make_csv(rows))
    assert messages(error) == ["Row 20001, column value: “7.5” has a decimal point: enter a whole number"]


def test_it_refuses_a_new_return_for_an_inactive_team(council, make_csv, unchanged):
    from teams.models import Team

    Team.objects.filter(code="SOUTH-SG").update(active=False)
    unchanged()
    error = refused(make_csv([HEADER, ["2017-12", "SOUTH-SG", "open_cases", "5"]]))
    assert messages(error) == [
        "Row 2, column team: SOUTH-SG is not an active team, so it makes no new returns (2017-12)"
    ]


def test_it_refuses_a_team_measure_on_the_councils_row(council, make_csv, unchanged):
    unchanged()
    error = refused(make_csv([HEADER, ["2017-12", "CITY", "open_cases", "5"]]))
    assert "returned by each team, not by the council" in error.problems[0].message


def test_memory_stays_flat_whatever_the_files_length(council, make_csv, monkeypatch):
    """Streaming: sixteen times the rows costs no more memory at its peak than a few hundred bytes a return.

    Rows are held a chunk at a time; what is kept per return (its id, placeholder or state) is all that grows.
    """
    import io

    from returns import imports
    from tests.requests import peak_memory

    monkeypatch.setattr(imports, "CHUNK", 100)  # small chunks, so rows held at once are few
    monkeypatch.setattr(imports, "KEPT_UNITS", 10)
    monkeypatch.setattr(imports, "RULE_BATCH", 20)
    monkeypatch.setattr(imports, "KEPT_CHANGES", 10)
    values = {
        "open_cases": 100,
        "unallocated_cases": 5,
        "cpp_children": 41,
        "cpp_visits_due": 38,
        "cpp_visits_made": 36,
    }

    def peak_for(months: int) -> int:
        rows = [["month", "team", "measure", "value"]] + [
            [f"{2000 + m // 12}-{m % 12 + 1:02d}", team, code, str(value)]
            for m in range(months)
            for team in ("EAST-SG", "SOUTH-SG")
            for code, value in values.items()
        ]
        data = make_csv(rows)
        with peak_memory() as peak:
            result = returns_import(source=io.BytesIO(data), file_name="returns.csv", dry_run=True)
        assert result.new == 10 * months
        return peak()

    peak_for(20)  # first use fills caches (rules, lookups) that any later import reuses
    small, large = peak_for(20), peak_for(320)
    assert large - small < 300_000, (small, large)  # 600 more returns; holding the 3,000 more rows costs ~600 KB


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics: PostgreSQL only")
def test_a_large_import_refreshes_the_planners_statistics(council, make_csv, monkeypatch):
    from returns import services

    monkeypatch.setattr(services, "ANALYZE_AFTER", 2)
    rows = [["2017-12", "EAST-SG", "open_cases", "120"], ["2017-12", "EAST-SG", "unallocated_cases", "4"]]
    returns_import(file_name="dec.csv", data=make_csv([HEADER, *rows]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [ReturnValue._meta.db_table])
        assert cursor.fetchone()[0] == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics: PostgreSQL only")
def test_the_compared_values_are_analysed_before_the_writes_select_from_them(council, make_csv, monkeypatch):
    """The writes pick one status's rows from the compared values: the planner must know how many there are."""
    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]))
    seen: list[float] = []
    write = services.returns_write_staged

    def reading_the_estimate_first(plan, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [_Staging.COMPARED])
            seen.append(cursor.fetchone()[0])
        return write(plan, **kwargs)

    monkeypatch.setattr(services, "returns_write_staged", reading_the_estimate_first)
    rows = [["2017-12", "EAST-SG", "open_cases", "125"], ["2017-12", "EAST-SG", "cpp_children", "7"]]
    returns_import(file_name="v2.csv", data=make_csv([HEADER, *rows]))
    assert seen == [2]  # never analysed, a table counts -1
    assert stored("EAST-SG") == {"open_cases": 125, "cpp_children": 7}


@pytest.mark.parametrize("bulk_from", [1, 10_000], ids=["bulk write", "row by row"])
def test_whoever_imported_a_returns_values_last_may_not_approve_it(
    council, make_csv, performance, performance2, settings, bulk_from
):
    """Four eyes reads who changed the values through the import's record, on either write path."""
    settings.IMPORT_BULK_VALUES = bulk_from
    rows = [["2017-12", "EAST-SG", code, str(value)] for code, value in TEAM_VALUES.items()]
    returns_import(file_name="dec.csv", data=make_csv([HEADER, *rows]), actor=performance)
    ret = Return.objects.get()
    services.return_submit(ret=ret, actor=performance2)
    assert services.last_hands(ret) == services.last_hands_by_return([ret])[ret.pk] == {performance.pk, performance2.pk}
    with pytest.raises(services.SelfApproval):
        services.return_approve(ret=ret, actor=performance)
    assert Return.objects.get().state == Return.State.SUBMITTED
    history = selectors.return_history(ret)
    assert [(entry.actor, entry.source) for entry in history if entry.what == "open_cases"] == [
        ("performance", "Import: dec.csv")
    ]
