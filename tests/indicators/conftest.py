"""Fixtures of the pages and services that act on one indicator in January 2018."""

from __future__ import annotations

import pytest

from indicators.models import Indicator


@pytest.fixture
def indicator(db) -> Indicator:
    """The re-referrals indicator of the standard catalogue: the one these tests comment on and mark."""
    return Indicator.objects.get(code="re_referrals")
