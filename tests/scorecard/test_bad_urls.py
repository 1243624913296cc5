"""Odd URLs and parameters from any role get a 4xx page, never a server error."""

import pytest

from lib.months import Month, month_range
from tests.scorecard.test_scorecard_views import load_history

BAD_GETS = [
    "/scorecard/0000-00/",
    "/scorecard/2017-00/",
    "/scorecard/9999-12/",
    "/scorecard/2017-12.exe",
    "/scorecard/2017-12.",
    "/scorecard/?month=2017-1",
    "/scorecard/?month=%00",
    "/scorecard/2017-12/extra/",
    "/indicators/not_an_indicator/",
    "/indicators/supervision/?month=bad",
    "/indicators/supervision/?month=1900-01",
    "/indicators/supervision/commentary/2017-13/",
    "/indicators/nope/commentary/2017-12/",
    "/returns/2017-13/",
    "/returns/0000-01/",
    "/returns/2017-12/NOPE/",
    "/returns/2017-12/T0/approve",
    "/imports/reference/nope/",
    "/imports/returns/confirm/",
    "/admin/returns/return/999999/change/",
]
BAD_POSTS = [
    ("/indicators/supervision/change-points/", {"month": "\x00", "reason": "x" * 5000}),
    ("/indicators/supervision/change-points/999999/remove/", {}),
    ("/returns/2017-12/T0/", {"version": "not-a-number", "open_cases": "9" * 500}),
    ("/returns/2017-12/T0/reject", {"reason": ""}),
    ("/returns/2017-12/publish", {}),
    ("/imports/returns/confirm/", {"import_file_name": "../../etc/passwd", "sha256": "x"}),
]


@pytest.fixture
def history(db):
    load_history(month_range(Month(2017, 1), Month(2017, 12)), teams=1)


@pytest.mark.parametrize("role", ["leader", "entry_user", "performance", "administrator"])
def test_odd_urls_get_a_client_error_not_a_server_error(client, request, history, role):
    client.force_login(request.getfixturevalue(role))
    for path in BAD_GETS:
        assert client.get(path).status_code < 500, path
    for path, data in BAD_POSTS:
        assert client.post(path, data).status_code < 500, path
