"""No page shows a role a link that then refuses it (403): links are offered by the same policy the views ask.

Every URL pattern of the project has a sample here (a new pattern without one fails the first test), taken
from the demo council; each role GETs every sample and every internal link and GET form of each page that
answered 200. A refused page reached by typing its address is fine; a refused page the site led to is not.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from indicators.models import ChangePoint, Commentary
from lib.months import Month
from returns import services
from returns.models import ImportJob, Return
from scorecard import downloads, roles
from teams.models import Team
from tests.conftest import demo_for_the_module

PASSWORD = "links-test-Password-1"
# The demo's last month is December 2017; mid-January, January's returns are open and December is published.
TODAY = dt.datetime(2018, 1, 15, 12, tzinfo=dt.UTC)
JOB_TOKEN = "a" * 32

# Signed-in roles are the demo's users, plus what the demo lacks: a data entry user with no team yet, a superuser,
# and a user given the right to change commentary but not to add it (the scorecard once offered them its link).
ROLES = (
    "anonymous",
    "entry.east",
    "entry.none",
    "performance",
    "performance2",
    "leader",
    "admin",
    "root",
    "commentary.change",
)

# One or more sample paths per URL pattern (admin's own patterns aside: the admin index is a sample, and the
# admin hides what a user may not change).
SAMPLES = (
    "/",
    "/accounts/login/",
    "/accounts/logout/",
    "/admin/",
    "/admin/indicators/commentary/{commentary}/history/{commentary_version}/",
    "/returns/2017-12/publish/",
    "/returns/2017-12/publish/preview/",
    "/returns/2018-01/publish/preview/",
    "/returns/2017-12",
    "/returns/2018-01",
    "/returns/",
    "/returns/2017-12/",
    "/returns/2018-01/",
    "/returns/2018-01/approve-submitted/",
    "/returns/2018-01/EAST-SG/",
    "/returns/2018-01/SOUTH-SG/",
    "/returns/2018-01/CITY/",
    "/returns/2017-12/EAST-SG",
    "/returns/2018-01/EAST-SG/template.csv",
    "/returns/2017-12/EAST-SG/submitted/",
    "/returns/2017-12/EAST-SG/submitted",
    "/returns/2018-01/EAST-SG/submit/",
    "/imports/",
    "/imports/returns/",
    "/imports/returns/confirm/",
    "/imports/reference/teams/",
    "/imports/reference/targets/",
    "/imports/reference/teams/confirm/",
    "/imports/export/",
    "/imports/annex-a/",
    "/imports/annex-a/map/",
    "/imports/annex-a/confirm/",
    f"/imports/jobs/{JOB_TOKEN}/",
    "/healthz",
    "/scorecard/",
    "/scorecard/2017-12/",
    "/scorecard/2018-01/",
    "/scorecard/2017-12/v1/",
    "/scorecard/2017-12/v1.json",
    "/scorecard/2017-12/restate",
    "/scorecard/2017-12/provenance/re_referrals/",
    "/scorecard/2017-12.json",
    "/scorecard/2017-12.csv",
    "/indicators/re_referrals/",
    "/indicators/unallocated_cases/change-points/",
    "/indicators/unallocated_cases/change-points/{change_point}/remove/",
    "/indicators/unallocated_cases/change-points/dismiss/",
    "/indicators/re_referrals/commentary/2017-12/",
)
# Reversed by name, but served by the month page with the scorecard's ratings (scorecard/urls.py), which comes first.
SHADOWED = {"returns/(?P<month>[0-9]{4}-[0-9]{2})/$", "returns/(?P<month>[0-9]{4}-[0-9]{2})$"}


def _join(prefix: str, pattern) -> str:
    # As Django joins an included pattern to its prefix (ResolverMatch.route): the inner "^" is dropped.
    return prefix + str(pattern.pattern).removeprefix("^") if prefix else str(pattern.pattern)


def _routes(patterns, prefix: str = "") -> set[str]:
    found = set()
    for pattern in patterns:
        route = _join(prefix, pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                found |= _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.add(route)
    return found


class _Links(HTMLParser):
    """Collect a page's link targets and GET forms' actions."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.targets.append(found["href"] or "")
        elif tag == "form" and (found.get("method") or "get").lower() == "get":
            self.targets.append(found.get("action") or "")


def internal_links(page: str, html: str) -> set[str]:
    """Return the page's links to this site (as paths with their query), without fragments and static files."""
    parser = _Links()
    parser.feed(html)
    links = set()
    for target in parser.targets:
        url = urldefrag(urljoin(page, target)).url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(settings.STATIC_URL):
            continue
        links.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with time_machine.travel(TODAY, tick=False), demo_for_the_module(django_db_blocker, password=PASSWORD):
        User.objects.create_user("entry.none", password=PASSWORD).groups.set([Group.objects.get(name=roles.DATA_ENTRY)])
        User.objects.create_superuser("root", password=PASSWORD)
        User.objects.create_user("commentary.change", password=PASSWORD).user_permissions.set(
            [Permission.objects.get(content_type__app_label="indicators", codename="change_commentary")]
        )
        performance, entry = User.objects.get(username="performance"), User.objects.get(username="entry.east")
        # January 2018 in progress: a draft and a submitted return, so the month is provisional.
        east = services.return_get_or_create(team=Team.objects.get(code="EAST-SG"), month=Month(2018, 1))
        services.return_save_values(ret=east, values={}, actor=entry, comment="Started")
        south = services.return_get_or_create(team=Team.objects.get(code="SOUTH-SG"), month=Month(2018, 1))
        december = Return.objects.get(team__code="SOUTH-SG", month=Month(2017, 12).first_day)
        services.return_save_values(
            ret=south,
            values={v.measure.code: v.value for v in december.values.select_related("measure")},
            actor=performance,
        )
        services.return_submit(ret=south, actor=performance)
        ImportJob.objects.create(token=JOB_TOKEN, user=performance, file_name="returns.csv", step="preview")
        commentary = Commentary.objects.filter(indicator__code="re_referrals").first()
        yield {
            "change_point": ChangePoint.objects.filter(indicator__code="unallocated_cases").first().pk,
            "commentary": commentary.pk,
            "commentary_version": commentary.history.first().history_id,
        }


@pytest.fixture
def samples(demo, db, monkeypatch):
    # Whether a download is offered and served is the question here, not drawing it (tested with the board pack).
    monkeypatch.setattr(downloads, "render_file", lambda scorecard, fmt: b"")
    with time_machine.travel(TODAY, tick=False):
        yield [sample.format(**demo) for sample in SAMPLES]


def test_every_url_pattern_has_a_sample(samples):
    sampled = {resolve(urlsplit(sample).path).route for sample in samples}
    assert _routes(get_resolver().url_patterns) - sampled - SHADOWED == set()


def client_for(role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


def _shape(link: str) -> tuple[str, tuple[str, ...]]:
    """Return the link's URL pattern and query parameter names: what decides, with the role, whether it is refused.

    Links of one shape differ only in which object they name (an indicator, a unit, a month), and an object a
    role may not see is answered 404, never 403 (a refusal would tell it exists); so one link of each shape
    stands for the rest, which keeps the walk to seconds where the scorecard links every indicator thrice.
    """
    parts = urlsplit(link)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    return route, tuple(sorted(parse_qs(parts.query, keep_blank_values=True)))


def _follows_links(url: str, response) -> bool:
    """Return True if the page's links are checked: every HTML page but the admin's object pages.

    The admin offers only the models a user may open (its index is checked), but Django links an object's
    read-only foreign keys to their change pages whatever the reader's rights (a commentary's author, to a
    user page the performance team may not open): that is Django's, not a promise of ours.
    """
    admin_object_page = url.startswith("/admin/") and url != "/admin/"
    return response.get("Content-Type", "").startswith("text/html") and not admin_object_page


def refused_links(client: Client, samples: list[str]) -> list[str]:
    """GET every sample, then a link of each shape from the pages that answered 200; return 'page -> link' for 403s."""
    statuses: dict[str, int] = {}
    pages: dict[str, set[str]] = {}

    def get(url: str) -> int:
        if url not in statuses:
            response = client.get(url)
            statuses[url] = response.status_code
            if response.status_code == 200 and _follows_links(url, response):
                pages[url] = internal_links(url, response.content.decode())
        return statuses[url]

    for sample in samples:
        get(sample)
    followed: set[tuple[str, tuple[str, ...]]] = {_shape(url) for url in statuses}
    refused = []
    for page, links in list(pages.items()):
        for link in sorted(links):
            shape = _shape(link)
            if link not in statuses and shape in followed:
                continue
            followed.add(shape)
            if get(link) == 403:
                refused.append(f"{page} -> {link}")
    return refused


def test_no_page_links_a_role_to_a_page_that_refuses_it(samples):
    # One test for every role, so the pages every role sees (and their caches) are built once.
    refused = [f"{role}: {line}" for role in ROLES for line in refused_links(client_for(role), samples)]
    assert not refused, "\n".join(refused)
