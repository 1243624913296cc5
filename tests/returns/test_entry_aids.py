"""Less typing: "n/a" opens the reason box, reason boxes hidden until needed, templates the import reads back."""

import csv
import io

import openpyxl
import pytest

from returns.imports import returns_import
from returns.models import Return, ReturnValue
from tests.returns.factories import (
    COUNCIL_VALUES,
    DEC_2017,
    TEAM_VALUES,
    approved_return,
    draft_return,
    make_team,
)

FORM = "/returns/2017-12/EAST-SG/"


pytestmark = pytest.mark.usefixtures("january_2018")


def form_data(values, **extra):
    data = {"version": 1, "action": "save", "comment": ""}
    data.update({code: str(value) for code, value in values.items()})
    data.update(extra)
    return data


def reason_box(html: str, code: str) -> str:
    start = html.index(f'id="{code}-reason-box"')
    return html[start : html.index(">", start)]


def test_reason_boxes_are_hidden_until_a_figure_is_not_available(client, entry_user, east):
    draft_return(east, values={"open_cases": 5}, unavailable={"supervisions": "Manager on leave"})
    client.force_login(entry_user)
    html = client.get(FORM).content.decode()
    assert "hidden" in reason_box(html, "open_cases") and "hidden" in reason_box(html, "cic_children")
    assert "hidden" not in reason_box(html, "supervisions")


def test_typing_n_a_asks_why_and_saves_nothing_until_told(client, entry_user, east):
    client.force_login(entry_user)
    response = client.post(FORM, form_data({"open_cases": "N/A"}))
    html = response.content.decode()
    assert response.status_code == 200 and "Say why this figure is not available." in html
    assert "hidden" not in reason_box(html, "open_cases")
    assert not Return.objects.exists()
    client.post(FORM, form_data({"open_cases": "n/a"}, **{"open_cases-unavailable": "System down"}))
    row = ReturnValue.objects.get()
    assert (row.value, row.unavailable_reason) == (None, "System down")


def test_a_blank_refused_at_submission_opens_its_reason_box(client, entry_user, east):
    client.force_login(entry_user)
    html = client.post(FORM, form_data({**TEAM_VALUES, "supervisions": ""}, action="submit")).content.decode()
    assert "hidden" not in reason_box(html, "supervisions") and "hidden" in reason_box(html, "open_cases")


def test_last_months_figures_are_on_the_inputs_for_copying(client, entry_user, east):
    approved_return(east, DEC_2017 - 1, values={"open_cases": 398})
    client.force_login(entry_user)
    html = client.get(FORM).content.decode()
    start = html.index('name="open_cases"')
    assert 'data-last-month="398"' in html[start : html.index(">", start)]
    assert 'id="copy-last-month" hidden' in html  # shown by static/js/return-entry.js


def test_the_csv_template_lists_every_measure_with_stored_values_and_imports_back(client, entry_user, east):
    draft_return(east, values={"open_cases": 401})
    client.force_login(entry_user)
    response = client.get(FORM + "template.csv")
    assert response["Content-Disposition"] == 'attachment; filename="return-EAST-SG-2017-12.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["month", "team", "measure", "value"]
    assert rows[1] == ["2017-12", "EAST-SG", "open_cases", "401"]
    assert [r[2] for r in rows[1:]] == list(TEAM_VALUES)
    assert all(r[3] == "" for r in rows[2:])
    # Filled in and read back by the import.
    filled = [rows[0]] + [[*r[:3], str(TEAM_VALUES[r[2]])] for r in rows[1:]]
    out = io.StringIO()
    csv.writer(out).writerows(filled)
    returns_import(data=out.getvalue().encode(), file_name="filled.csv", actor=entry_user)
    assert dict(ReturnValue.objects.filter(ret__team=east).values_list("measure__code", "value")) == TEAM_VALUES


def test_the_xlsx_template_imports_back_as_it_is(client, performance, east):
    approved_return(None, DEC_2017 - 1)
    client.force_login(performance)
    response = client.get("/returns/2017-12/CITY/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["month", "team", "measure", "value"] and len(rows) == 1 + len(COUNCIL_VALUES)
    result = returns_import(data=response.content, file_name="template.xlsx", actor=performance)
    assert result is not None and not ReturnValue.objects.filter(ret__month=DEC_2017.first_day).exists()


def test_templates_follow_who_may_see_the_return(client, entry_user, east):
    make_team("SOUTH-SG", area="SOUTH")
    client.force_login(entry_user)
    assert client.get("/returns/2017-12/SOUTH-SG/template.csv").status_code == 404
    assert client.get("/returns/2017-12/CITY/template.csv").status_code == 404
    assert client.get(FORM + "template.pdf").status_code == 404
    assert client.get("/returns/2017-13/EAST-SG/template.csv").status_code == 404
