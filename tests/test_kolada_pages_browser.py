"""The Kolada pages in Chromium: the administrator searches a KPI, links it to an indicator and
sees the comparison on the indicator page; axe (WCAG 2.1 A/AA, no serious or critical) and no
horizontal overflow on every new page at desktop width and at 390 px."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from goals.models import Role
from indicators.models import KoladaLink
from tests import kolada_data as kd
from tests.browser import BLOCKING, WCAG_TAGS, log_in, watch_problems
from tests.conftest import make_user
from tests.entry_data import goal_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2024
# plotly appends an inline <style> the CSP refuses (see tests/test_browser_dashboard.py).
KNOWN_PLOTLY_STYLE_HASH = "sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o="
# What of `within` reaches past the screen, outside a scrolling region. The site's top menu
# (base.html) and the indicator page's and dashboard's own tables are measured by their tests;
# here, the new pages' content and the comparison panel.
OVERFLOW = """within => {
  const width = document.documentElement.clientWidth;
  const scrolls = e => e.closest('.table-scroll, .table-container') !== null;
  return [...document.querySelectorAll(within)]
    .filter(e => !scrolls(e) && e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 40));
}"""


@pytest.fixture
def kolada_board(board_an):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=[YEAR])
    board_an.municipality.code = kd.OWN
    board_an.municipality.save()
    members = kd.municipalities(6)
    kd.peer_group(board_an, members)
    wanted = kd.kpi("N00097", "Invånare med ekonomiskt bistånd, andel (%)")
    kd.kpi("N00098", "Ekonomiskt bistånd, kostnad kr/inv")
    kd.value(wanted, kd.OWN, YEAR, "3.4")
    kd.value(wanted, kd.RIKET, YEAR, "4.1")
    for n, member in enumerate(members):
        kd.value(wanted, member.id, YEAR, 3 + n, preliminary=n == 0)
    return indicator


def _axe(page) -> list[str]:
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def test_admin_links_a_kpi_and_sees_the_comparison(page, live_server, kolada_board, axe_source):
    indicator = kolada_board
    admin = make_user("kolada_admin", Role.ADMINISTRATOR, None)
    page.add_init_script(script=axe_source)
    problems = watch_problems(page)
    log_in(page, live_server, admin.username)

    page.goto(live_server.url + reverse("reports:home"))
    page.get_by_role("link", name="Kolada", exact=True).click()
    page.get_by_role("link", name=f"{YEAR} AN").click()
    page.get_by_role("link", name=f"Koppla {indicator.name}").click()
    page.get_by_label("Sök nyckeltal (KPI-id eller ord ur titeln)").fill("bistånd andel")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.get_by_label(re.compile("N00097 Invånare")).check()
    assert page.get_by_label(re.compile("N00098")).count() == 0  # "andel" is not in its title
    page.get_by_role("button", name="Koppla indikatorn").click()
    page.get_by_text("jämförs nu med N00097").wait_for()
    assert KoladaLink.objects.get(indicator=indicator).kpi_id == "N00097"
    page.reload()
    assert page.locator("td", has_text="N00097 Invånare").count() == 1

    page.goto(live_server.url + reverse("reports:indicator_detail", args=[indicator.pk]))
    panel = page.locator("section.kolada-comparison")
    panel.get_by_text("Källa: Kolada").wait_for()
    row = panel.locator("tbody tr").first
    assert row.locator("th").inner_text().startswith(f"{YEAR} prel.")
    cells = [cell.inner_text() for cell in row.locator("td").all()]
    # Kommunen, medel and median of 3…8, Riket, rank (five peers are above 3,4).
    assert cells == ["3,4", "5,5", "5,5", "4,1", "6 av 7"], cells
    assert not [p for p in problems if KNOWN_PLOTLY_STYLE_HASH not in p], problems


@pytest.mark.parametrize("width", [1280, 390])
def test_new_pages_pass_axe_without_overflow(page, live_server, kolada_board, axe_source, width):
    indicator = kolada_board
    kd.link(indicator, kd.kpi("N00097"))
    admin = make_user("kolada_admin", Role.ADMINISTRATOR, None)
    page.set_viewport_size({"width": width, "height": 900})
    page.add_init_script(script=axe_source)
    log_in(page, live_server, admin.username)
    paths = [
        reverse("indicators:kolada_index"),
        reverse("indicators:kolada_links", args=["AN", YEAR]),
        reverse("indicators:kolada_link_edit", args=["AN", YEAR, indicator.pk]) + "?q=N000",
        reverse("indicators:kolada_link_edit", args=["AN", YEAR, indicator.pk]) + "?q=x",
        reverse("indicators:kolada_peer_group", args=["AN"]),
        reverse("indicators:kolada_revisions"),
        reverse("reports:indicator_detail", args=[indicator.pk]),
        reverse("reports:board_dashboard", args=["AN", YEAR]),
    ]
    assert all(path.startswith("/kolada/") for path in paths[:6])
    failures = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        found = _axe(page)
        within = "main *" if path.startswith("/kolada/") else "section.kolada-comparison *"
        found += [f"bredare än skärmen: {what}" for what in page.evaluate(OVERFLOW, within)]
        if found:
            failures[path] = found
    assert not failures, failures
