"""The dashboards, the indicator page and the report at desktop width and on a 390 px phone:
nothing widens the page (tables scroll in their own box, tiles wrap), axe finds no serious or
critical violation at either width, and the economy chart's long labels are not cut."""

from __future__ import annotations

import pytest

from indicators.models import Indicator
from tests.test_browser_dashboard import (  # noqa: F401  (fixtures)
    browser_page,
    check_accessibility,
    chef,
    screenshot,
    wait_for_charts,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1280, 390)


def check_widths(page, url: str, name: str, charts: list[str]) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(url)
        assert response.status == 200, url
        wait_for_charts(page, charts)
        screenshot(page, f"{name}-{width}")
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, f"{name} at {width} px: {scroll_width} > {inner_width}"
        check_accessibility(page, f"{name} at {width} px")
    assert not page.problems, page.problems


def labels_inside(page, element_id: str) -> bool:
    """Every category label of the chart starts inside the chart's box (none is cut off)."""
    return page.evaluate(
        """id => {
            const chart = document.querySelector(`[data-chart="${id}"]`);
            const left = chart.getBoundingClientRect().left;
            const labels = [...chart.querySelectorAll(".ytick text")];
            return labels.length > 0 && labels.every(t => t.getBoundingClientRect().left >= left - 1);
        }""",
        element_id,
    )


def test_overview(browser_page, live_server):  # noqa: F811 (the fixture imported above)
    check_widths(
        browser_page,
        f"{live_server.url}/oversikt/?ar=2022",
        "narrow-oversikt",
        ["chart-overview-goals", "chart-overview-indicators", "chart-overview-economy"],
    )
    assert labels_inside(browser_page, "chart-overview-economy")
    assert "Ekonomi 2022: utfall mot budget" in browser_page.inner_text("main")


def test_board_dashboard(browser_page, live_server):  # noqa: F811 (the fixture imported above)
    check_widths(
        browser_page,
        f"{live_server.url}/namnd/AN/2022/dashboard/",
        "narrow-namnd",
        ["chart-goals", "chart-indicators"],
    )
    tile = browser_page.inner_text(".economy-tile")
    assert "Överskott +12\xa0189 tkr" in tile


def test_economy(browser_page, live_server):  # noqa: F811 (the fixture imported above)
    check_widths(
        browser_page,
        f"{live_server.url}/namnd/AN/2022/ekonomi/",
        "narrow-ekonomi",
        ["chart-operating", "chart-forecast"],
    )
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/namnd/AN/2022/ekonomi/")
    wait_for_charts(page, ["chart-operating"])
    assert labels_inside(page, "chart-operating")
    ticks = page.eval_on_selector_all(
        "[data-chart='chart-operating'] .xtick text", "nodes => nodes.map(n => n.textContent)"
    )
    assert any("\xa0000" in tick or " 000" in tick for tick in ticks), ticks
    assert not any(tick.endswith("k") for tick in ticks), ticks


def test_indicator_pages(browser_page, live_server):  # noqa: F811 (the fixture imported above)
    for name in ("Total sjukfrånvaro", "Hållbart medarbetarengagemang (HME)"):
        indicator = Indicator.objects.filter(board__code="AN", name=name).order_by("-pk").first()
        element = f"chart-indicator-{indicator.pk}"
        check_widths(
            browser_page,
            f"{live_server.url}/indikator/{indicator.pk}/",
            "narrow-indikator",
            [element],
        )
        history = browser_page.inner_text(
            "#definition-history + p, section:has(#definition-history)"
        )
        assert "Created" not in history


def test_report(browser_page, live_server):  # noqa: F811 (the fixture imported above)
    check_widths(
        browser_page,
        f"{live_server.url}/namnd/AN/2022/verksamhetsberattelse/",
        "narrow-rapport",
        [],
    )
