"""Importing Annex A into the month's returns: team names, drafts only, audit, re-imports, and no child data kept."""

from __future__ import annotations

import logging

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from indicators.models import Measure
from lib.months import Month
from returns.annex_a.importer import annex_a_import, team_names_map
from returns.models import ImportRecord, Return, ReturnValue, Source, ValueChange
from returns.spreadsheets import ImportRefused
from teams.models import TeamNameMapping, TeamType
from tests.returns.annex_a_books import book, d
from tests.returns.factories import DEC_2017, approved_return, draft_return, make_council, make_team, submitted_return

# Child-level values that must never be kept: the IDs, and dates of birth written as text.
IDS = ("CHILD-7Q1", "CHILD-7Q2", "CHILD-7Q3", "CHILD-7Q4", "CHILD-7Q5", "CHILD-7Q6")


def workbook(team_a: str = "Team EAST-SG", team_b: str = "South - SG", *, extra_plan: bool = False) -> bytes:
    plans = [
        [IDS[0], d(2017, 6, 1), d(2017, 12, 4), None, team_a, "SW"],
        [IDS[1], d(2017, 6, 1), d(2017, 11, 4), None, team_a, "SW"],
        [IDS[2], d(2017, 12, 10), None, None, team_b, "SW"],
    ]
    if extra_plan:
        plans.append([IDS[5], d(2017, 2, 1), d(2017, 12, 5), None, team_b, "SW"])
    return book(
        {
            "List 7": plans,
            "List 3": [
                [IDS[3], "a) Male", "12/03/2009", d(2017, 12, 4), "Police", 2, team_a, "SW"],
                [IDS[4], "b) Female", "01/07/2012", d(2017, 12, 5), "Police", 1, team_b, "SW"],
                [IDS[5], "b) Female", None, None, "Police", 1, team_b, "SW"],  # no date: listed, not counted
            ],
        }
    )


@pytest.fixture
def units(db):
    make_council()
    return {
        "east": make_team("EAST-SG"),
        "south": make_team("SOUTH-SG", area="SOUTH"),
        "asm": make_team("EAST-ASM", team_type="assessment"),
    }


def values_of(team) -> dict[str, int | None]:
    ret = Return.objects.get(team=team, month=DEC_2017.first_day)
    return {row.measure.code: row.value for row in ReturnValue.objects.filter(ret=ret).select_related("measure")}


def run(data: bytes | None = None, **kwargs):
    kwargs.setdefault("actor", None)
    return annex_a_import(data=data or workbook(), file_name="annex-a-dec.xlsx", month=DEC_2017, **kwargs)


def test_values_land_in_draft_returns_audited_with_source_file_and_digest(units):
    result = run(workbook(team_b="SOUTH-SG"))
    assert values_of(units["east"]) == {"cpp_children": 2, "cpp_visits_due": 2, "cpp_visits_made": 1}
    assert values_of(units["south"]) == {"cpp_children": 1, "cpp_visits_due": 0, "cpp_visits_made": 0}
    assert values_of(units["asm"]) == {"cpp_children": 0, "cpp_visits_due": 0, "cpp_visits_made": 0}
    council = Return.objects.get(team=None, month=DEC_2017.first_day)
    assert council.state == Return.State.DRAFT
    assert {r.measure.code: r.value for r in council.values.select_related("measure")} == {
        "referrals": 2,
        "re_referrals": 1,
    }
    changes = ValueChange.objects.all()
    assert {c.source for c in changes} == {Source.ANNEX_A}
    # One record of the file's import says which file for every change it made.
    assert {c.file for c in changes} == {("annex-a-dec.xlsx", result.sha256)}
    assert {c.import_record_id for c in changes} == set(ImportRecord.objects.values_list("pk", flat=True))
    assert len(set(ImportRecord.objects.values_list("pk", flat=True))) == 1


def test_importing_the_same_file_again_changes_nothing(units):
    run()
    audit, versions = ValueChange.objects.count(), list(Return.objects.values_list("version", flat=True))
    again = run()
    assert again.changed == 0
    assert ValueChange.objects.count() == audit
    assert list(Return.objects.values_list("version", flat=True)) == versions


def test_a_corrected_file_updates_drafts_and_submitted_returns_but_never_approved_ones(units):
    submitted_return(units["east"])
    approved_return(units["south"])
    draft_return(None)
    result = run(workbook(extra_plan=True))
    east = Return.objects.get(team=units["east"], month=DEC_2017.first_day)
    assert east.state == Return.State.DRAFT  # changed after submission: back to draft
    assert values_of(units["east"])["cpp_children"] == 2
    assert values_of(units["south"])["cpp_children"] == 90  # approved: untouched
    assert [u.code for u in result.locked_units] == ["SOUTH-SG"]
    assert not ValueChange.objects.filter(ret__team=units["south"]).exists()


def test_names_equal_to_a_team_code_or_name_ignoring_case_and_spaces_map_themselves(units):
    result = run(workbook(team_a="team east-sg", team_b="SOUTH-SG "), dry_run=True)
    assert [(n.name, n.team.code, n.how) for n in result.team_names] == [
        ("SOUTH-SG", "SOUTH-SG", "same name"),
        ("team east-sg", "EAST-SG", "same name"),
    ]


def test_unmapped_names_are_listed_with_row_counts_and_stop_the_import_until_mapped(units):
    data = workbook(team_a="Children in Care Team 1", team_b="Safeguarding South")
    preview = run(data, dry_run=True)
    assert [(n.name, n.rows) for n in preview.unmapped] == [("Children in Care Team 1", 2), ("Safeguarding South", 1)]
    with pytest.raises(ImportRefused, match="not mapped"):
        run(data)
    assert not ReturnValue.objects.exists()
    team_names_map(choices={"Children in Care Team 1": units["east"], "Safeguarding South": None})
    run(data)
    assert values_of(units["east"])["cpp_children"] == 2
    assert values_of(units["south"])["cpp_children"] == 0  # counted at authority level only
    assert TeamNameMapping.objects.get(name="Safeguarding South").team is None


def test_unmapped_names_may_be_counted_at_authority_level_only(units):
    run(workbook(team_a="Nobody's Team"), unmapped_to_authority=True)
    assert values_of(units["east"])["cpp_children"] == 0
    assert not TeamNameMapping.objects.exists()  # a one-off choice, not saved


def test_problems_that_would_make_a_figure_wrong_refuse_the_file_naming_list_row_and_column(units):
    data = book(
        {
            "List 7": [
                [IDS[0], "31/02/2017", None, None, "EAST-SG", "SW"],
                [IDS[1], d(2017, 6, 1), "Maybe", None, "EAST-SG", "SW"],
                [IDS[2], d(2017, 6, 1), None, d(2017, 5, 1), "EAST-SG", "SW"],
            ]
        }
    )
    with pytest.raises(ImportRefused) as refused:
        run(data)
    messages = [p.message for p in refused.value.problems]
    assert messages == [
        "List 7, row 2, column “Child protection plan start date”: the text is not a real date (check the day and "
        "month)",
        "List 7, row 3, column “Date of the last statutory visit”: the text is not a date this import reads "
        "(a date, dd/mm/yyyy or yyyy-mm-dd)",
        "List 7, row 4, column “Child protection plan end date”: the plan ends before it starts",
    ]
    assert not Return.objects.exists()


def test_a_workbook_with_extra_columns_header_spellings_formulas_and_na_is_read(units):
    import io

    import openpyxl

    workbook_ = openpyxl.Workbook()
    sheet = workbook_.active
    sheet.title = "list 7"
    sheet.append(["Notes: extracted 2 January 2018"])
    sheet.append(
        [
            "child unique id",
            " CHILD PROTECTION PLAN START DATE ",
            "Extra",
            "Date of last statutory visit",
            "Child Protection Plan End Date",
            "allocated  team",
        ]
    )
    sheet.append([IDS[0], "01/06/2017", "x", "=DATE(2017,12,4)", "#N/A", "EAST-SG"])
    sheet.append([IDS[1], 42887, "y", None, None, "EAST-SG"])
    out = io.BytesIO()
    workbook_.save(out)
    with pytest.raises(ImportRefused, match="formula saved without its result"):
        run(out.getvalue())  # openpyxl saves formulas without results, as an uncalculated workbook would be
    sheet["D3"] = "04/12/2017"
    out = io.BytesIO()
    workbook_.save(out)
    run(out.getvalue())
    assert values_of(units["east"]) == {"cpp_children": 2, "cpp_visits_due": 2, "cpp_visits_made": 1}


def test_nothing_child_level_is_kept_in_the_database_logs_or_problem_lists(units, caplog):
    data = workbook(team_a="Unmapped Team")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ImportRefused) as refused:
        run(data)
    preview = run(data, dry_run=True)
    run(data, unmapped_to_authority=True)
    team_names_map(choices={"Unmapped Team": units["east"]})
    run(data)
    # A date of birth typed into the referral date: refused, and the refusal must not repeat it.
    bad = book({"List 3": [[IDS[0], "a) Male", "12/03/2009", "born 12/03/2009", "Police", 2, "EAST-SG", "SW"]]})
    with pytest.raises(ImportRefused) as refused_bad:
        run(bad)
    texts = [str(p) for p in refused.value.problems + refused_bad.value.problems]
    texts += [str(g) for g in preview.derivation.notes] + [caplog.text]
    secrets = (*IDS, "12/03/2009", "01/07/2012", "2009-03-12", "2012-07-01")
    for text in texts:
        assert not any(secret in text for secret in secrets), text
    dumped = _database_text()
    assert "cpp_children" in dumped or ValueChange.objects.exists()
    assert not any(secret in dumped for secret in secrets)


def _database_text() -> str:
    """Return every text and date column of every table as one string."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                parts.append(" ".join(map(str, row)))
    return "\n".join(parts)


def test_the_command_imports_and_dry_runs(units, tmp_path, capsys):
    path = tmp_path / "annex.xlsx"
    path.write_bytes(workbook(team_b="SOUTH-SG"))
    call_command("import_annex_a", str(path), "--month", "2017-12", "--dry-run")
    out = capsys.readouterr().out
    assert "Measures derived: referrals, re_referrals, cpp_children, cpp_visits_due, cpp_visits_made" in out
    assert "Dry run: nothing was saved." in out and not ReturnValue.objects.exists()
    call_command("import_annex_a", str(path), "--month", "2017-12")
    assert "values changed" in capsys.readouterr().out
    assert values_of(units["east"])["cpp_visits_made"] == 1


@pytest.mark.parametrize(("args", "says"), [(["--month", "2017-13"], "YYYY-MM"), (["--month", "Dec"], "YYYY-MM")])
def test_the_command_refuses_bad_arguments(units, tmp_path, args, says):
    path = tmp_path / "annex.xlsx"
    path.write_bytes(workbook())
    with pytest.raises(CommandError, match=says):
        call_command("import_annex_a", str(path), *args)


def test_the_command_refuses_a_csv_or_missing_file(units, tmp_path):
    path = tmp_path / "annex.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="needs an Excel workbook"):
        call_command("import_annex_a", str(path), "--month", "2017-12")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_annex_a", str(tmp_path / "nothing.xlsx"), "--month", "2017-12")


def test_changing_a_value_that_came_from_annex_a_needs_a_reason(units, entry_user):
    from returns import services

    run(workbook(team_b="SOUTH-SG"))
    ret = Return.objects.get(team=units["east"], month=DEC_2017.first_day)
    with pytest.raises(services.InvalidValues, match="cpp_children came from the Annex A import; give a reason"):
        services.return_save_values(ret=ret, values={"cpp_children": 3}, actor=entry_user, source=Source.FORM)
    # Other measures, and the same value again, need none.
    services.return_save_values(
        ret=ret, values={"cpp_children": 2, "supervisions": 5}, actor=entry_user, source=Source.FORM
    )
    services.return_save_values(
        ret=ret,
        values={"cpp_children": 3},
        actor=entry_user,
        source=Source.FORM,
        comment="A plan started on 31 December was missing from the extract.",
    )
    latest = ValueChange.objects.filter(ret=ret, measure__code="cpp_children").first()
    assert (latest.source, latest.new_value) == (Source.FORM, 3)
    assert latest.reason.startswith("A plan started")


def test_the_return_form_marks_the_values_that_came_from_annex_a(units, client, performance):
    run(workbook(team_b="SOUTH-SG"))
    client.force_login(performance)
    page = client.get("/returns/2017-12/EAST-SG/").content.decode()
    assert page.count('class="source-annex-a"') == 3  # cpp_children, cpp_visits_due, cpp_visits_made


@pytest.mark.parametrize(("month", "says"), [(Month(2018, 2), "in the future"), (Month(1999, 12), "earliest")])
def test_a_month_in_the_future_or_before_the_records_is_refused(units, month, says):
    with time_machine.travel("2018-01-10 10:00:00+00:00", tick=False), pytest.raises(ImportRefused, match=says):
        annex_a_import(data=workbook(), file_name="a.xlsx", month=month, actor=None)
    assert not Return.objects.exists()


def _only_safeguarding_returns_child_protection() -> None:
    safeguarding = TeamType.objects.get(code="safeguarding")
    for measure in Measure.objects.filter(code__in=["cpp_children", "cpp_visits_due", "cpp_visits_made"]):
        measure.team_types.set([safeguarding])


def test_the_command_gives_each_team_only_its_types_measures_and_lists_rows_it_does_not_count(units, tmp_path, capsys):
    _only_safeguarding_returns_child_protection()
    path = tmp_path / "annex.xlsx"
    path.write_bytes(workbook(team_a="EAST-ASM", team_b="SOUTH-SG"))
    call_command("import_annex_a", str(path), "--month", "2017-12", "--dry-run")
    dry = capsys.readouterr().out
    assert "Not counted: EAST-ASM does not return cpp_children (2 rows)" in dry
    assert "Not counted: EAST-ASM does not return cpp_visits_made (1 row)" in dry
    assert "EAST-ASM [" not in dry and not ReturnValue.objects.exists()
    call_command("import_annex_a", str(path), "--month", "2017-12")
    assert "values changed" in capsys.readouterr().out
    assert not Return.objects.filter(team=units["asm"]).exists()
    assert values_of(units["east"]) == {"cpp_children": 0, "cpp_visits_due": 0, "cpp_visits_made": 0}
    assert values_of(units["south"]) == {"cpp_children": 1, "cpp_visits_due": 0, "cpp_visits_made": 0}
    planned = [line for line in dry.splitlines() if line.startswith("  ") and " -> " in line]
    assert ValueChange.objects.count() == sum(line.count(" -> ") for line in planned)  # what the dry run said
