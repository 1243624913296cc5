"""The admin speaks months as YYYY-MM and shows numbers as they were typed."""

import datetime as dt
from decimal import Decimal

import pytest

from indicators.admin_fields import MonthField, shown_decimal, shown_month
from indicators.models import Indicator, Target
from returns.models import ReportingMonth


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("5.0000"), "5"),
        (Decimal("10.0000"), "10"),
        (Decimal("2.5000"), "2.5"),
        (Decimal("0.0000"), "0"),
        (Decimal("1000.0000"), "1000"),
        (None, ""),
    ],
)
def test_decimals_are_shown_without_trailing_zeros_or_exponents(value, shown):
    assert shown_decimal(value) == shown


def test_months_are_typed_and_shown_as_year_and_month():
    field = MonthField()
    assert field.clean("2017-12") == dt.date(2017, 12, 1)
    assert shown_month(dt.date(2017, 12, 1)) == "2017-12"
    for bad in ("2017-13", "2017-12-01", "Dec 2017", "12/2017"):
        with pytest.raises(Exception, match="Enter a month as YYYY-MM"):
            field.clean(bad)


def test_the_performance_team_adds_a_target_by_month_and_sees_it_as_typed(client, performance):
    indicator = Indicator.objects.get(code="cp_visits")
    client.force_login(performance)
    page = client.get("/admin/indicators/target/add/").content.decode()
    assert 'placeholder="YYYY-MM"' in page and "vDateField" not in page
    response = client.post(
        "/admin/indicators/target/add/",
        {"indicator": indicator.pk, "effective_from": "2018-04", "value": "95", "tolerance": "5"},
    )
    assert response.status_code == 302
    target = Target.objects.get(indicator=indicator)
    assert target.effective_from == dt.date(2018, 4, 1) and target.value == Decimal("95")
    page = client.get(f"/admin/indicators/target/{target.pk}/change/").content.decode()
    assert 'value="2018-04"' in page and 'value="95"' in page and "95.0000" not in page
    listing = client.get("/admin/indicators/target/").content.decode()
    assert "2018-04" in listing and ">5<" in listing and "5.0000" not in listing


def test_a_bad_month_in_the_admin_is_refused_and_changes_nothing(client, performance):
    client.force_login(performance)
    response = client.post(
        "/admin/indicators/target/add/",
        {
            "indicator": Indicator.objects.get(code="cp_visits").pk,
            "effective_from": "2018-04-01",
            "value": "95",
            "tolerance": "5",
        },
    )
    assert response.status_code == 200 and "Enter a month as YYYY-MM, for example 2017-12." in response.content.decode()
    assert not Target.objects.exists()


def test_published_months_are_listed_as_year_and_month(client, performance):
    ReportingMonth.objects.create(month=dt.date(2017, 12, 1))
    client.force_login(performance)
    assert ">2017-12<" in client.get("/admin/returns/reportingmonth/").content.decode()
