"""The Content-Security-Policy in a real browser (Debian's Chromium through Playwright).

1. plotly.min.js under exactly our policy: the chart is drawn with its own CSS (hover works),
   the PNG download works, and the browser reports no violation at all. This is the
   measurement behind the two style hashes in config/settings.py.
2. The app's pages (with the demo data, charts and admin included) report no violation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from csp.utils import build_policy
from django.conf import settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PLOTLY = Path(settings.BASE_DIR) / "static" / "js" / "plotly.min.js"
ORIGIN = "http://styrkort.test"
# Collects violations from the very start of every page, before any of its own scripts run.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
                               source: e.sourceFile, line: e.lineNumber, sample: e.sample});
});
"""
CHART_PAGE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Diagram</title>
<script src="/static/js/plotly.min.js"></script></head><body>
<div id="chart"></div>
<script type="application/json" id="figure">%s</script>
<script src="/static/js/start.js"></script></body></html>"""
START = """
const figure = JSON.parse(document.getElementById('figure').textContent);
Plotly.newPlot('chart', figure.data, figure.layout, {displaylogo: false})
  .then(() => { window.__drawn = true; });
"""
FIGURE = {
    "data": [
        {"type": "bar", "x": ["2020", "2021", "2022"], "y": [3327, 3100, 2950], "name": "Utfall"},
        {"type": "scatter", "x": ["2020", "2021", "2022"], "y": [3000] * 3, "name": "Målvärde"},
    ],
    "layout": {"title": {"text": "Hushåll med ekonomiskt bistånd"}},
}


def violations(page) -> list[dict]:
    return page.evaluate("window.__cspViolations || []")


def test_plotly_draws_under_the_policy_without_any_violation(page):
    policy = build_policy()
    assert policy, "no Content-Security-Policy configured"
    bodies = {
        "/": (CHART_PAGE % json.dumps(FIGURE), "text/html"),
        "/static/js/plotly.min.js": (PLOTLY.read_bytes(), "text/javascript"),
        "/static/js/start.js": (START, "text/javascript"),
    }

    def serve(route):
        path = route.request.url.removeprefix(ORIGIN)
        body, content_type = bodies[path]
        route.fulfill(
            body=body, content_type=content_type, headers={"Content-Security-Policy": policy}
        )

    page.route(f"{ORIGIN}/**", serve)
    page.add_init_script(script=WATCH_VIOLATIONS)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("window.__drawn === true", timeout=30000)

    assert len(page.query_selector_all("#chart .bars .point")) == 3
    # plotly's own stylesheet is in place (it is what makes hover and the drag layer work).
    rules = page.evaluate("document.getElementById('plotly.js-style-global').sheet.cssRules.length")
    assert rules > 20
    bar = page.query_selector("#chart .bars .point path").bounding_box()
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.wait_for_selector(".hoverlayer .hovertext", timeout=5000)

    # "Download plot as a png" draws through a blob: image.
    page.hover("#chart")
    with page.expect_download(timeout=15000) as download:
        page.click("#chart .modebar-btn >> nth=0", force=True)
    assert download.value.suggested_filename.endswith(".png")

    found = violations(page)
    assert found == [], (
        "plotly needs something the policy blocks (after a plotly upgrade: the browser's "
        f"message names the hash to put in config/settings.py): {found}"
    )


def test_the_policy_is_needed_to_be_what_it_is(page):
    """Without the empty-style hash plotly loses its stylesheet: the exception is not idle."""
    policy = build_policy().replace(settings.CSP_EMPTY_STYLE_HASH, "")
    page.route(
        f"{ORIGIN}/**",
        lambda route: route.fulfill(
            body=(
                CHART_PAGE % json.dumps(FIGURE)
                if route.request.url == f"{ORIGIN}/"
                else PLOTLY.read_bytes()
                if route.request.url.endswith("plotly.min.js")
                else START
            ),
            content_type="text/html" if route.request.url == f"{ORIGIN}/" else "text/javascript",
            headers={"Content-Security-Policy": policy},
        ),
    )
    page.add_init_script(script=WATCH_VIOLATIONS)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("window.__drawn === true", timeout=30000)
    assert any(v["directive"] == "style-src-elem" for v in violations(page))


@pytest.mark.django_db(transaction=True)
def test_the_apps_pages_break_no_rule_of_the_policy(page, live_server, demo_data, admin_user):
    from indicators.models import Indicator

    indicator = Indicator.objects.filter(board=demo_data).order_by("pk").first()
    page.add_init_script(script=WATCH_VIOLATIONS)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def visit(path: str) -> None:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        found = violations(page)
        assert found == [], f"{path}: {found}"

    visit("/logga-in/")
    visit("/tillganglighet/")
    page.goto(live_server.url + "/logga-in/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(lambda url: "/logga-in/" not in url)
    for path in [
        "/",
        "/namnd/AN/2022/malstruktur/",
        "/namnd/AN/2022/dashboard/",
        "/namnd/AN/2022/ekonomi/",
        "/namnd/AN/2022/verksamhetsberattelse/",
        "/oversikt/",
        f"/indikator/{indicator.pk}/",
        "/byt-losenord/",
        "/finns-inte/",
        "/admin/",
        f"/admin/indicators/indicator/{indicator.pk}/change/",
    ]:
        visit(path)
        if path.endswith("/dashboard/"):
            # The charts were really drawn here, under the policy.
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
    assert not [e for e in errors if "Content Security Policy" in e], errors
