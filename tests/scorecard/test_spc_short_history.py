"""SPC on a short history: limits need fifteen points (kept apart from the demo the SPC module loads once)."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from lib.months import Month, month_range
from returns.models import ReportingMonth, Return, ReturnValue
from tests.scorecard.test_scorecard_views import load_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def fourteen_months(db):
    """Fourteen months of one team's counts, Nov-16 to Dec-17, all published; nothing cached from elsewhere."""
    load_history(month_range(Month(2016, 11), Month(2017, 12)), teams=1)
    cache.clear()  # a scorecard another test cached under the same data stamp must not answer for this one


def test_with_fourteen_points_the_page_says_not_enough_data_for_limits(client, performance, fourteen_months):
    client.force_login(performance)
    content = client.get("/indicators/supervision/").content.decode()
    assert "Not enough data for limits: 14 months since Nov-16, and process limits need 15." in content
    assert '"kind": "xmr"' not in content


def test_with_fifteen_points_the_page_draws_limits(client, performance, fourteen_months):
    first = Return.objects.order_by("month").first()
    extra = Return.objects.create(team=first.team, month=Month(2016, 10).first_day, state=Return.State.APPROVED)
    ReturnValue.objects.bulk_create(
        ReturnValue(ret=extra, measure=v.measure, value=v.value) for v in first.values.all()
    )
    ReportingMonth.objects.create(month=Month(2016, 10).first_day, published_at=timezone.now())
    cache.clear()
    client.force_login(performance)
    content = client.get("/indicators/supervision/").content.decode()
    assert '"kind": "xmr"' in content
    assert "Not enough data for limits" not in content
