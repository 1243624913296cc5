"""The import pages: upload, preview, confirm; access per role; locks re-checked at confirm; the export."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from returns.imports import returns_import
from returns.models import ImportRecord, Return, ReturnValue, Source, ValueChange
from scorecard import roles
from teams.models import Team
from tests.conftest import make_user

HEADER = ["month", "team", "measure", "value"]


def upload(client, url, data: bytes, name: str, **extra):
    return client.post(url, {"import_file": SimpleUploadedFile(name, data), "resource": "0", **extra})


def confirm_fields(response) -> dict:
    """Return the hidden fields of the preview's confirm form."""
    html = response.content.decode()
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_the_performance_team_previews_then_confirms_a_returns_file(council, signed_in, performance, make_csv):
    client = signed_in(performance)
    response = upload(
        client,
        reverse("imports:returns"),
        make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"], ["2017-12", "CITY", "referrals", "310"]]),
        "dec.csv",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview: dec.csv" in page and "<strong>2</strong> new" in page
    assert ReturnValue.objects.count() == 0  # a preview saves nothing
    fields = confirm_fields(response)
    confirmed = client.post(reverse("imports:returns-confirm"), fields)
    assert confirmed.status_code == 302
    assert ReturnValue.objects.count() == 2
    assert set(ValueChange.objects.values_list("import_record__actor", "source", "import_record__file_name")) == {
        (performance.pk, Source.IMPORT, "dec.csv")
    }


def test_the_performance_team_reads_who_imported_which_file_in_the_admin(
    council, signed_in, performance, performance2, make_csv
):
    data = make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]])
    returns_import(data=data, file_name="dec.csv", actor=performance)
    record, change, ret = ImportRecord.objects.get(), ValueChange.objects.get(), Return.objects.get()
    client = signed_in(performance2)
    pages = [
        "/admin/returns/importrecord/",
        f"/admin/returns/importrecord/{record.pk}/change/",
        "/admin/returns/valuechange/",
        f"/admin/returns/return/{ret.pk}/change/",
    ]
    for url in pages:
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert "performance</td>" in page or ">performance<" in page, url  # the importer, by name
        assert "/admin/auth/user/" not in page, url  # no link to a page that refuses the performance team
    assert record.file_sha256 in client.get(f"/admin/returns/importrecord/{record.pk}/change/").content.decode()
    assert "dec.csv" in client.get(f"/admin/returns/return/{ret.pk}/change/").content.decode()
    assert change.who == performance


def test_the_previewed_file_waits_in_the_database_so_any_app_process_can_confirm_it(
    council, signed_in, performance, make_csv
):
    from django.core.cache import cache

    from returns.models import PendingImport

    client = signed_in(performance)
    response = upload(
        client, reverse("imports:returns"), make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]), "dec.csv"
    )
    pending = PendingImport.objects.get()
    assert (pending.user, pending.kind, pending.file_name) == (performance, "returns", "dec.csv")
    cache.clear()  # another worker has nothing of this process's memory
    assert client.post(reverse("imports:returns-confirm"), confirm_fields(response)).status_code == 302
    assert ReturnValue.objects.count() == 1
    assert not PendingImport.objects.exists()


def test_the_preview_shows_old_and_new_values(council, signed_in, performance, make_csv):
    from returns.imports import returns_import

    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]))
    response = upload(
        signed_in(performance),
        reverse("imports:returns"),
        make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "125"]]),
        "v2.csv",
    )
    assert "<code>open_cases</code>: 120 → 125" in response.content.decode()


def test_a_return_approved_between_preview_and_confirm_is_refused(council, signed_in, performance, make_csv, unchanged):
    from returns.imports import returns_import

    returns_import(file_name="v1.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]))
    client = signed_in(performance)
    response = upload(
        client, reverse("imports:returns"), make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "125"]]), "v2.csv"
    )
    Return.objects.update(state=Return.State.APPROVED)
    unchanged()
    refused = client.post(reverse("imports:returns-confirm"), confirm_fields(response))
    assert refused.status_code == 409
    assert "is approved, so it is locked" in refused.content.decode()


def test_a_preview_is_refused_at_confirm_if_the_returns_changed_meanwhile(council, signed_in, performance, make_csv):
    from returns.imports import returns_import

    client = signed_in(performance)
    response = upload(
        client, reverse("imports:returns"), make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "125"]]), "v2.csv"
    )
    returns_import(file_name="other.csv", data=make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "99"]]))
    refused = client.post(reverse("imports:returns-confirm"), confirm_fields(response))
    assert refused.status_code == 409
    assert "changed after the preview" in refused.content.decode()
    assert ReturnValue.objects.get().value == 99


def test_another_user_cannot_confirm_someone_elses_upload(council, signed_in, performance, make_csv, unchanged):
    response = upload(
        signed_in(performance),
        reverse("imports:returns"),
        make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "120"]]),
        "dec.csv",
    )
    fields = confirm_fields(response)
    unchanged()
    other = signed_in(make_user("performance.two", roles.PERFORMANCE))
    refused = other.post(reverse("imports:returns-confirm"), fields)
    assert refused.status_code == 409
    assert "expired or is not yours" in refused.content.decode()


def test_a_confirm_of_a_different_file_is_refused(council, signed_in, performance, make_csv, unchanged):
    client = signed_in(performance)
    response = upload(
        client, reverse("imports:returns"), make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "1"]]), "dec.csv"
    )
    fields = {**confirm_fields(response), "sha256": "0" * 64}
    unchanged()
    refused = client.post(reverse("imports:returns-confirm"), fields)
    assert "not the file that was previewed" in refused.content.decode()


def test_a_data_entry_user_imports_their_own_team(east_entry, signed_in, make_csv):
    client = signed_in(east_entry)
    response = upload(
        client, reverse("imports:returns"), make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "7"]]), "east.csv"
    )
    client.post(reverse("imports:returns-confirm"), confirm_fields(response))
    assert ReturnValue.objects.get().value == 7


def test_a_data_entry_users_file_with_another_teams_rows_is_refused(east_entry, signed_in, make_csv, unchanged):
    unchanged()
    response = upload(
        signed_in(east_entry),
        reverse("imports:returns"),
        make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "7"], ["2017-12", "SOUTH-SG", "open_cases", "8"]]),
        "east.csv",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file cannot be imported" in page
    assert "<td>3</td><td>team</td><td>You may not import returns for SOUTH-SG" in page


def test_leaders_cannot_reach_the_imports(council, signed_in, leader):
    client = signed_in(leader)
    for name in ("imports:index", "imports:returns", "imports:export"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("imports:reference", kwargs={"kind": "teams"})).status_code == 403


def test_the_index_offers_each_role_what_it_may_use(council, signed_in, performance, administrator):
    page = signed_in(performance).get(reverse("imports:index")).content.decode()
    assert reverse("imports:returns") in page and reverse("imports:reference", kwargs={"kind": "targets"}) in page
    assert reverse("imports:reference", kwargs={"kind": "teams"}) not in page
    page = signed_in(administrator).get(reverse("imports:index")).content.decode()
    assert reverse("imports:reference", kwargs={"kind": "teams"}) in page and reverse("imports:returns") not in page


def test_an_upload_over_the_limit_is_refused_without_being_kept(council, signed_in, performance, settings, unchanged):
    settings.IMPORT_MAX_BYTES = 2048
    unchanged()
    response = upload(
        signed_in(performance), reverse("imports:returns"), b"month,team,measure,value\r\n" + b"x" * 5000, "big.csv"
    )
    assert response.status_code == 400
    assert "larger than" in response.content.decode()


def test_only_csv_and_xlsx_are_accepted(council, signed_in, performance, unchanged):
    unchanged()
    response = upload(signed_in(performance), reverse("imports:returns"), b'[{"month": "2017-12"}]', "dec.json")
    assert response.status_code == 400
    assert "only CSV (.csv) and Excel workbook (.xlsx) files" in response.content.decode()
    form = signed_in(performance).get(reverse("imports:returns")).content.decode()
    assert re.findall(r'<option value="(\d*)"', form) == ["", "0", "1"]


def test_a_chosen_format_must_match_the_file(council, signed_in, performance, make_csv, unchanged):
    unchanged()
    response = upload(
        signed_in(performance),
        reverse("imports:returns"),
        make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "7"]]),
        "dec.csv",
        format="1",
    )
    assert "You chose XLSX, but dec.csv is CSV" in response.content.decode()


def test_an_administrator_imports_teams_through_preview_and_confirm(council, signed_in, administrator, make_csv):
    client = signed_in(administrator)
    url = reverse("imports:reference", kwargs={"kind": "teams"})
    header = ["code", "name", "area", "team_type"]
    response = upload(client, url, make_csv([header, ["NEW", "New team", "SOUTH", "nrpf"]]), "teams.csv")
    assert response.status_code == 200 and "<strong>1</strong> new" in response.content.decode()
    assert not Team.objects.filter(code="NEW").exists()
    client.post(reverse("imports:reference-confirm", kwargs={"kind": "teams"}), confirm_fields(response))
    assert Team.objects.get(code="NEW").area.code == "SOUTH"


def test_a_reference_file_with_errors_lists_them(council, signed_in, administrator, make_csv, unchanged):
    unchanged()
    response = upload(
        signed_in(administrator),
        reverse("imports:reference", kwargs={"kind": "areas"}),
        make_csv([["code", "name", "kind"], ["NORTH", "North", "rural"]]),
        "areas.csv",
    )
    assert response.status_code == 400
    assert "“rural” is not one of: locality, citywide" in response.content.decode()


def test_an_unknown_reference_kind_is_404(council, signed_in, administrator):
    assert signed_in(administrator).get("/imports/reference/users/").status_code == 404


# --------------------------------------------------------------------------- export


@pytest.fixture
def values(council, make_csv):
    from returns.imports import returns_import

    returns_import(
        file_name="seed.csv",
        data=make_csv(
            [
                HEADER,
                ["2017-11", "EAST-SG", "open_cases", "118"],
                ["2017-12", "EAST-SG", "open_cases", "120"],
                ["2017-12", "SOUTH-SG", "open_cases", "80"],
                ["2017-12", "CITY", "referrals", "310"],
                ["2018-01", "EAST-SG", "open_cases", "121"],
            ]
        ),
    )


def export_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))


def test_the_export_is_the_long_form_the_import_reads(values, signed_in, performance):
    response = signed_in(performance).get(
        reverse("imports:export"), {"first": "2017-12", "last": "2017-12", "format": "csv"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="returns-2017-12.csv"'
    assert export_rows(response) == [
        HEADER,
        ["2017-12", "EAST-SG", "open_cases", "120"],
        ["2017-12", "SOUTH-SG", "open_cases", "80"],
        ["2017-12", "CITY", "referrals", "310"],
    ]


def test_the_export_costs_two_queries_whatever_its_size(values, performance, django_assert_num_queries):
    from lib.months import Month
    from returns.exports import returns_dataset

    performance.has_perm("returns.enter_any_return")  # permissions are cached on the user after the first check
    with django_assert_num_queries(2):
        # the council's code; the values with their return, team and measure
        dataset = returns_dataset(user=performance, first=Month(2017, 1), last=Month(2018, 12))
    assert len(dataset) == 5


def test_the_export_names_the_council_and_round_trips(values, signed_in, performance):
    from returns.imports import returns_import

    response = signed_in(performance).get(
        reverse("imports:export"), {"first": "2017-11", "last": "2018-01", "format": "csv"}
    )
    rows = export_rows(response)
    assert ["2017-12", "CITY", "referrals", "310"] in rows and len(rows) == 6
    again = returns_import(file_name="export.csv", data=response.content)
    assert again.unchanged == 5 and again.new == again.changed == 0


def test_a_data_entry_user_exports_only_their_teams(values, east_entry, signed_in):
    response = signed_in(east_entry).get(
        reverse("imports:export"), {"first": "2017-01", "last": "2018-12", "format": "csv"}
    )
    assert {row[1] for row in export_rows(response)[1:]} == {"EAST-SG"}


def test_the_export_as_xlsx_keeps_counts_as_numbers(values, signed_in, performance):
    response = signed_in(performance).get(
        reverse("imports:export"), {"first": "2017-12", "last": "2017-12", "format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER and ["2017-12", "EAST-SG", "open_cases", 120] in rows


def test_the_export_guards_against_formula_injection(values, signed_in, performance):
    # Codes are validated in forms and imports; a row written straight to the database is the worst case.
    Team.objects.filter(code="SOUTH-SG").update(code='=HYPERLINK("x")')
    response = signed_in(performance).get(
        reverse("imports:export"), {"first": "2017-12", "last": "2017-12", "format": "csv"}
    )
    assert ["2017-12", '\'=HYPERLINK("x")', "open_cases", "80"] in export_rows(response)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_the_export_guards_every_character_that_starts_a_formula(values, signed_in, performance, first, fmt):
    # Through the export in use (not a copy of its helper): a code written straight to the database.
    code = f"{first}1+1"
    Team.objects.filter(code="SOUTH-SG").update(code=code)
    response = signed_in(performance).get(
        reverse("imports:export"), {"first": "2017-12", "last": "2017-12", "format": fmt}
    )
    if fmt == "csv":
        rows = export_rows(response)
    else:
        rows = [list(row) for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.values]
    # A carriage return inside a cell reads back as a line feed (XML and the CSV writer); the guard is the point.
    teams = {row[1].replace("\n", "\r") for row in rows[1:]}
    assert "'" + code in teams and code not in teams
    assert "EAST-SG" in teams  # text that starts no formula is left as it is


def test_an_export_with_a_bad_month_range_says_why(values, signed_in, performance):
    response = signed_in(performance).get(
        reverse("imports:export"), {"first": "2017-12", "last": "2017-01", "format": "csv"}
    )
    assert response.status_code == 400
    assert "The last month is before the first." in response.content.decode()


def test_the_upload_still_needs_a_csrf_token(council, performance, make_csv):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(performance)
    response = upload(
        client, reverse("imports:returns"), make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "1"]]), "dec.csv"
    )
    assert response.status_code == 403


def test_an_xlsx_upload_previews_like_a_csv(council, signed_in, performance, make_xlsx):
    response = upload(
        signed_in(performance),
        reverse("imports:returns"),
        make_xlsx([HEADER, ["2017-12", "EAST-SG", "open_cases", 120]]),
        "dec.xlsx",
    )
    assert response.status_code == 200 and "<strong>1</strong> new" in response.content.decode()


def test_a_confirmed_import_is_announced_for_the_security_log(council, signed_in, performance, make_csv):
    from returns import signals

    seen = []

    def receiver(sender, *, request, event, fields, **kwargs):
        seen.append((event, fields))

    signals.workflow_event.connect(receiver)
    try:
        client = signed_in(performance)
        response = upload(
            client, reverse("imports:returns"), make_csv([HEADER, ["2017-12", "EAST-SG", "open_cases", "7"]]), "dec.csv"
        )
        client.post(reverse("imports:returns-confirm"), confirm_fields(response))
    finally:
        signals.workflow_event.disconnect(receiver)
    assert [(event, fields["file_name"], fields["new"]) for event, fields in seen] == [
        ("returns_imported", "dec.csv", 1)
    ]
