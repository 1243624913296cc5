"""Chart.js loads from this site when the CDN cannot be reached, as on a machine with no internet."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from scorecard import assets

# The strict policy the snippet must work under: no inline script, scripts only from here and the CDN.
CSP = "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net; object-src 'none'; base-uri 'none'"
# Registered after the snippet, as chart set-up code will be, to prove the event still reaches it.
LISTENER = """
document.addEventListener("chartjs:ready", function (event) { window.chartjsReadyFrom = event.detail.source; });
"""


@pytest.fixture
def chart_page(page, live_url, vendored_chartjs):
    """Return a helper opening a page with templates/includes/chartjs.html, served from the live server's origin.

    The page itself is answered by the browser's router (no test-only Django URL),
    its static files by the live server, with a strict Content-Security-Policy.
    """

    def open_page():
        snippet = render_to_string("includes/chartjs.html", request=RequestFactory().get("/"))
        html = (
            "<!doctype html><html lang='en'><head><title>Chart</title></head><body>"
            "<canvas id='chart' width='400' height='200'></canvas>"
            f"{snippet}<script src='/chartjs-test/listener.js'></script></body></html>"
        )
        page.route(
            f"{live_url}/chartjs-test/page.html",
            lambda route: route.fulfill(body=html, content_type="text/html", headers={"Content-Security-Policy": CSP}),
        )
        page.route(
            f"{live_url}/chartjs-test/listener.js",
            lambda route: route.fulfill(body=LISTENER, content_type="text/javascript"),
        )
        page.goto(f"{live_url}/chartjs-test/page.html")
        page.wait_for_function("() => window.chartjsReadyFrom !== undefined")
        return page

    return open_page


def test_the_self_hosted_copy_takes_over_when_the_cdn_is_blocked(chart_page, browser_log):
    page = chart_page()

    assert browser_log.blocked == [assets.CHARTJS_CDN_URL]
    assert page.evaluate("() => window.chartjsReadyFrom") == "local-fallback"
    assert page.get_attribute("html", "data-chartjs") == "local-fallback"
    assert page.evaluate("() => Chart.version") == assets.CHARTJS_VERSION
    # The copy works: it draws a chart with a size.
    width = page.evaluate("""() => new Chart(document.getElementById('chart'),
        {type: 'line', data: {labels: ['a', 'b'], datasets: [{label: 'x', data: [1, 2]}]},
         options: {animation: false, responsive: false}}).width""")
    assert width > 0
    # No CSP violation, no script error; the blocked CDN load is the only failure.
    assert browser_log.problems() == []


def test_self_hosted_only_never_asks_the_cdn(chart_page, browser_log, settings):
    settings.CHARTJS_SELF_HOSTED_ONLY = True

    page = chart_page()

    assert browser_log.blocked == []
    assert page.evaluate("() => window.chartjsReadyFrom") == "local"
    assert page.evaluate("() => Chart.version") == assets.CHARTJS_VERSION
    assert browser_log.problems() == []
