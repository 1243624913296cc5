"""The import_returns and import_reference commands: print what they did, refuse bad files with exit code 1."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from returns.models import ReturnValue, ValueChange
from teams.models import Area


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def returns_file(tmp_path, make_csv):
    path = tmp_path / "dec.csv"
    path.write_bytes(
        make_csv(
            [
                ["month", "team", "measure", "value"],
                ["2017-11", "EAST-SG", "open_cases", "118"],
                ["2017-12", "EAST-SG", "open_cases", "120"],
                ["2017-12", "EAST-SG", "cpp_children", "40"],
                ["2017-12", "CITY", "referrals", "310"],
            ]
        )
    )
    return path


def test_import_returns_prints_new_changed_and_unchanged_per_month_and_unit(council, returns_file):
    output = run("import_returns", str(returns_file))
    lines = output.splitlines()
    assert lines[0].split() == ["month", "unit", "new", "changed", "unchanged", "note"]
    assert lines[1].split() == ["2017-11", "EAST-SG", "1", "0", "0", "new", "return"]
    assert lines[2].split() == ["2017-12", "CITY", "1", "0", "0", "new", "return"]
    assert lines[3].split() == ["2017-12", "EAST-SG", "2", "0", "0", "new", "return"]
    assert "Imported dec.csv: 4 new, 0 changed, 0 unchanged (4 audit entries)." in output
    assert ReturnValue.objects.count() == 4
    again = run("import_returns", str(returns_file))
    assert "0 new, 0 changed, 4 unchanged (0 audit entries)" in again
    assert ValueChange.objects.count() == 4


def test_import_returns_dry_run_saves_nothing(council, returns_file):
    output = run("import_returns", str(returns_file), "--dry-run")
    assert "Dry run: nothing was saved." in output
    assert ReturnValue.objects.count() == 0


def test_import_returns_refuses_a_bad_file_naming_rows(council, tmp_path, make_csv, unchanged):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        make_csv(
            [
                ["month", "team", "measure", "value"],
                ["2017-12", "EAST-SG", "open_cases", "-1"],
                ["2017-12", "NOPE", "open_cases", "1"],
            ]
        )
    )
    unchanged()
    with pytest.raises(CommandError) as caught:
        run("import_returns", str(path))
    message = str(caught.value)
    assert message.startswith("Nothing was imported: 2 problems to put right.")
    assert "Row 2, column value:" in message and "Row 3, column team:" in message


def test_import_returns_refuses_a_file_over_the_limit_without_reading_it(council, tmp_path, settings, monkeypatch):
    settings.IMPORT_COMMAND_MAX_BYTES = 2048  # the command's own limit: it streams files larger than an upload
    path = tmp_path / "big.csv"
    path.write_bytes(b"month,team,measure,value\r\n" + b"2017-12,EAST-SG,open_cases,1\r\n" * 200)
    from pathlib import Path

    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    monkeypatch.setattr(Path, "open", lambda self, *args, **kwargs: pytest.fail("the file was opened"))
    with pytest.raises(CommandError, match="the largest file an import accepts"):
        run("import_returns", str(path))


def test_import_returns_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_returns", str(tmp_path / "nowhere.csv"))


def test_import_reference_loads_and_reports_changes(council, tmp_path, make_csv):
    path = tmp_path / "areas.csv"
    path.write_bytes(
        make_csv([["code", "name", "kind"], ["EAST", "East locality", "locality"], ["NORTH", "North", "locality"]])
    )
    output = run("import_reference", "areas", str(path))
    assert "row 2: EAST: name 'East' -> 'East locality'" in output
    assert "row 3: new NORTH" in output
    assert "areas: 1 new, 1 updated, 0 unchanged." in output
    assert Area.objects.get(code="NORTH").name == "North"


def test_import_reference_refuses_an_unknown_kind(db, tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        run("import_reference", "users", str(tmp_path / "x.csv"))


def test_import_returns_takes_a_file_larger_than_a_web_upload(council, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 2048
    path = tmp_path / "big.csv"
    path.write_bytes(
        b"month,team,measure,value\r\n"
        + b"".join(f"2017-{month:02d},EAST-SG,open_cases,{month}\r\n".encode() for month in range(1, 13)) * 1
        + b"\r\n" * 3000
    )
    assert path.stat().st_size > 2048
    out = run("import_returns", str(path))
    assert "Imported big.csv: 12 new" in out
