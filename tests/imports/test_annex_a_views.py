"""The Annex A pages: upload, preview, map the team names, confirm; who may; bad uploads."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import Measure
from returns.models import PendingImport, Return, ReturnValue, Source, ValueChange
from scorecard import roles
from teams.models import TeamNameMapping, TeamType
from tests.conftest import make_user
from tests.returns.annex_a_books import book, d

URL = "/imports/annex-a/"


def annex_a(team: str = "Child Protection Team East") -> bytes:
    return book(
        {
            "List 7": [
                ["CHILD-P1", d(2017, 6, 1), d(2017, 12, 4), None, team, "SW"],
                ["CHILD-P2", d(2017, 6, 1), d(2017, 11, 4), None, team, "SW"],
                ["CHILD-P3", d(2017, 6, 1), d(2017, 11, 4), None, "South Safeguarding", "SW"],
                ["CHILD-P4", None, None, None, "South Safeguarding", "SW"],  # no start date: listed, not counted
            ],
            "List 3": [["CHILD-R1", "a) Male", None, d(2017, 12, 4), "Police", 2, team, "SW"]],
        }
    )


def upload(client, data: bytes, name: str = "annex-a.xlsx", month: str = "2017-12"):
    return client.post(URL, {"import_file": SimpleUploadedFile(name, data), "month": month})


def hidden_fields(response) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', response.content.decode()))


def test_the_performance_team_uploads_maps_a_team_name_and_confirms(council, client, performance):
    client.force_login(performance)
    preview = upload(client, annex_a())
    page = preview.content.decode()
    assert preview.status_code == 200 and "Map the team names" in page
    assert "Child Protection Team East" in page and "South Safeguarding" in page
    assert "no plan start date: the plan is not counted" in page.lower()
    assert "Import these values" not in page  # nothing imports while a name is unmapped
    fields = hidden_fields(preview)
    mapped = client.post(
        "/imports/annex-a/map/",
        {"token": fields["token"], "month": "2017-12", "name_0": "Child Protection Team East", "choice_0": "EAST-SG"},
    )
    assert mapped.status_code == 200 and "Map the team names" not in mapped.content.decode()
    assert TeamNameMapping.objects.get().team.code == "EAST-SG"
    done = client.post("/imports/annex-a/confirm/", hidden_fields(mapped))
    assert done.status_code == 302 and done.url == "/returns/2017-12/"
    east = Return.objects.get(team__code="EAST-SG", month="2017-12-01")
    assert {v.measure.code: v.value for v in east.values.select_related("measure")} == {
        "cpp_children": 2,
        "cpp_visits_due": 2,
        "cpp_visits_made": 1,
    }
    assert set(ValueChange.objects.values_list("source", flat=True)) == {Source.ANNEX_A}
    assert not PendingImport.objects.exists()


def test_a_name_can_be_counted_at_authority_level_only(council, client, performance):
    client.force_login(performance)
    preview = upload(client, annex_a())
    mapped = client.post("/imports/annex-a/map/", {**hidden_fields(preview), "choice_0": "authority"})
    assert "Authority level only" in mapped.content.decode()
    client.post("/imports/annex-a/confirm/", hidden_fields(mapped))
    assert ReturnValue.objects.get(ret__team__code="EAST-SG", measure__code="cpp_children").value == 0
    assert ReturnValue.objects.get(ret__team__code="SOUTH-SG", measure__code="cpp_children").value == 1


def test_data_entry_users_may_not_import_annex_a(council, client):
    client.force_login(make_user("entry.east", roles.DATA_ENTRY))
    assert client.get(URL).status_code == 403
    assert upload(client, annex_a()).status_code == 403


@pytest.mark.parametrize(
    ("data", "name", "month", "says"),
    [
        (b"month,team\n", "annex.csv", "2017-12", "needs an Excel workbook"),
        (b"not a zip", "annex.xlsx", "2017-12", "not what its extension says"),
        (None, "annex.xlsx", "December", "Give the month as YYYY-MM"),
    ],
)
def test_bad_uploads_are_refused_with_a_message_and_change_nothing(
    council, client, performance, data, name, month, says
):
    client.force_login(performance)
    response = upload(client, data or annex_a(), name, month)
    assert response.status_code == 400 and says in response.content.decode()
    assert not PendingImport.objects.exists() and not Return.objects.exists()


def test_a_confirm_refuses_when_the_returns_moved_since_the_preview(council, client, performance):
    TeamNameMapping.objects.create(name="Child Protection Team East", key="childprotectionteameast", team_id=None)
    client.force_login(performance)
    fields = hidden_fields(upload(client, annex_a()))
    TeamNameMapping.objects.all().delete()  # the name is unmapped again
    response = client.post("/imports/annex-a/confirm/", fields)
    assert response.status_code == 409 and "not mapped" in response.content.decode()
    assert not ReturnValue.objects.exists()


def test_the_workbook_is_never_kept_only_its_counts_wait_for_the_confirm(
    council, client, performance, settings, monkeypatch
):
    from django.core.files import uploadhandler

    def spooled(*args, **kwargs):
        raise AssertionError("the upload was written to a temporary file")

    monkeypatch.setattr(uploadhandler.TemporaryFileUploadHandler, "new_file", spooled)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # Django would spool anything larger to disk
    client.force_login(performance)
    assert upload(client, annex_a()).status_code == 200
    kept = bytes(PendingImport.objects.get().data)
    assert kept.startswith(b"{") and b"PK" not in kept[:2]
    assert b"CHILD-" not in kept
    assert b'"cpp_children"' in kept


def test_the_performance_team_edits_team_name_mappings_in_the_admin(council, client, performance):
    client.force_login(performance)
    east = Return._meta.get_field("team").related_model.objects.get(code="EAST-SG")
    response = client.post("/admin/teams/teamnamemapping/add/", {"name": "  CP  Team East ", "team": east.pk})
    assert response.status_code == 302
    mapping = TeamNameMapping.objects.get()
    assert (mapping.name, mapping.key, mapping.team) == ("CP Team East", "cpteameast", east)
    again = client.post("/admin/teams/teamnamemapping/add/", {"name": "cp team EAST", "team": ""})
    assert again.status_code == 200 and "already mapped" in again.content.decode()
    assert TeamNameMapping.objects.count() == 1


def test_a_team_gets_only_its_types_measures_the_preview_lists_what_is_not_counted_and_confirm_does_it(
    council, client, performance
):
    safeguarding = TeamType.objects.get(code="safeguarding")
    for measure in Measure.objects.filter(code__in=["cpp_children", "cpp_visits_due", "cpp_visits_made"]):
        measure.team_types.set([safeguarding])
    client.force_login(performance)
    preview = upload(client, annex_a(team="East Assessment"))
    page = preview.content.decode()
    assert preview.status_code == 200 and "Import these values" in page
    assert "not counted: EAST-ASM does not return cpp_children (2 rows)" in page
    done = client.post("/imports/annex-a/confirm/", hidden_fields(preview))
    assert done.status_code == 302 and done.url == "/returns/2017-12/"
    assert not Return.objects.filter(team__code="EAST-ASM").exists()
    south = Return.objects.get(team__code="SOUTH-SG", month="2017-12-01")
    assert {v.measure.code: v.value for v in south.values.select_related("measure")} == {
        "cpp_children": 1,
        "cpp_visits_due": 1,
        "cpp_visits_made": 0,
    }
    assert not PendingImport.objects.exists()
