"""The dashboards in a real browser (Debian's Chromium through Playwright), as a chef:
every chart is drawn by plotly from the server's JSON, the page passes axe-core's WCAG 2.1
A/AA rules without serious or critical violations, nothing breaks the Content-Security-Policy,
and the htmx filter updates the content and the shareable URL.

Screenshots go to var/screenshots/ (ignored by git).
"""

from __future__ import annotations

import pytest

from goals.models import Role
from indicators.models import Indicator
from tests.browser import BLOCKING, SCREENSHOTS, WCAG_TAGS
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# plotly.min.js 4.1.1 appends maplibre's CSS as an inline <style> when it loads; the strict CSP
# blocks it (harmless: no map traces are used). Allowing it takes this hash in style-src
# (config/settings.py, not ours); until then this one message is expected and nothing else.
KNOWN_PLOTLY_STYLE_HASH = "sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o="


@pytest.fixture
def chef(demo_data):
    """A chef for every board (the municipality's management)."""
    return make_user("chef_kommun", Role.MANAGER, None, first_name="Kim", last_name="Chef")


@pytest.fixture
def browser_page(page, live_server, chef, axe_source):
    """Logged in through the login form; collects console errors and CSP violations."""
    problems: list[str] = []

    def on_console(message) -> None:
        # Failed requests are reported below with their URL; the text here has none.
        text = message.text
        if (
            message.type == "error"
            and not text.startswith("Failed to load resource")
            and KNOWN_PLOTLY_STYLE_HASH not in text
        ):
            problems.append(text)

    def on_response(response) -> None:
        if response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    # An init script is injected by the browser itself, so the page's CSP does not block it.
    page.add_init_script(script=axe_source)
    page.goto(f"{live_server.url}/logga-in/")
    page.fill("#id_username", chef.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(lambda url: "/logga-in/" not in url)
    page.problems = problems
    return page


def wait_for_charts(page, element_ids: list[str]) -> None:
    for element_id in element_ids:
        page.wait_for_function(
            """id => {
                const el = document.querySelector(`[data-chart="${id}"]`);
                return el && el.classList.contains("js-plotly-plot")
                    && Array.isArray(el.data) && el.data.length > 0
                    && el.querySelector("svg.main-svg") !== null;
            }""",
            arg=element_id,
            timeout=15_000,
        )


def check_accessibility(page, name: str) -> None:
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    blocking = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]
    assert not blocking, f"{name}: " + "\n".join(blocking)


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{name}.png"), full_page=True)


def visit(page, url: str, name: str, charts: list[str]) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    wait_for_charts(page, charts)
    screenshot(page, name)
    check_accessibility(page, name)
    assert not page.problems, f"{name}: {page.problems}"


def test_municipality_overview(browser_page, live_server):
    page = browser_page
    visit(
        page,
        f"{live_server.url}/oversikt/?ar=2022",
        "oversikt",
        ["chart-overview-goals", "chart-overview-indicators"],
    )
    assert page.locator("table.overview-table tbody tr").count() >= 2  # AN and BIN
    page.click("table.overview-table >> text=Arbetsmarknadsnämnden")
    page.wait_for_url("**/namnd/AN/2022/dashboard/")


def test_board_dashboard_and_filter(browser_page, live_server):
    page = browser_page
    visit(
        page,
        f"{live_server.url}/namnd/AN/2022/dashboard/",
        "namnd",
        ["chart-goals", "chart-indicators"],
    )
    assert page.locator("article.goal-card").count() == 9  # AN's nine nämndmål of 2022
    assert page.locator(".status-delvis").first.inner_text().strip() == "◐ Delvis uppnått"

    # The målområde filter refreshes the content in place (htmx) and the URL stays shareable.
    option = page.locator("#id_malomrade option", has_text="Ekonomi")
    page.select_option("#id_malomrade", value=option.get_attribute("value"))
    page.wait_for_url("**/namnd/AN/2022/dashboard/?malomrade=*")
    page.wait_for_function("() => document.querySelectorAll('article.goal-card').length === 3")
    wait_for_charts(page, ["chart-goals", "chart-indicators"])
    assert "God ekonomisk styrning" in page.inner_text("#dashboard-content")
    screenshot(page, "namnd-ekonomi-filter")
    check_accessibility(page, "namnd-filter")
    assert not page.problems, page.problems


def test_economy(browser_page, live_server):
    visit(
        browser_page,
        f"{live_server.url}/namnd/AN/2022/ekonomi/",
        "ekonomi",
        ["chart-operating", "chart-forecast"],
    )
    assert "12\xa0189" in browser_page.inner_text("#dashboard-content")


def test_indicator_page(browser_page, live_server):
    indicator = Indicator.objects.get(
        board__code="AN", name__startswith="Antal deltagare", name__endswith="arbete med subvention"
    )
    element = f"chart-indicator-{indicator.pk}"
    visit(browser_page, f"{live_server.url}/indikator/{indicator.pk}/", "indikator", [element])
    names = browser_page.evaluate(
        "id => document.querySelector(`[data-chart='${id}']`).data.map(t => t.name)", element
    )
    assert {"Totalt", "Kvinnor", "Män", "Målvärde"} <= set(names)
