"""The structure pages in a real browser (Chromium through Playwright): an administrator adds
an indicator split by gender under a nämndmål from the year's tree, gives it targets for the
year and the next in the grid, reloads, and finds what the database holds. The tree and the
form pass axe-core's WCAG 2.1 A/AA rules and nothing breaks the Content-Security-Policy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from goals.models import Role
from indicators.models import Indicator, Target
from indicators.structure_services import target_key
from tests.browser import WCAG_TAGS, log_in, watch_problems
from tests.conftest import make_user
from tests.entry_data import goal_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_violations(page) -> list[str]:
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']}: {v['help']}"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_an_administrator_adds_a_gendered_indicator_with_targets(
    page, live_server, board_an, axe_source
):
    (existing,) = goal_chain(board_an, goals=1, indicators_per_goal=1, target_year=2022)
    goal = existing.board_goal
    make_user("struktur_admin", Role.ADMINISTRATOR, board_an)
    page.add_init_script(script=axe_source)
    problems = watch_problems(page)
    log_in(page, live_server, "struktur_admin")

    page.goto(live_server.url + reverse("indicators:structure_tree", args=["AN", 2022]))
    assert axe_violations(page) == []
    page.get_by_role("link", name=f"Lägg till indikator under {goal.title}").click()
    page.get_by_label("Namn", exact=True).fill("Andel deltagare som börjar arbeta")
    page.get_by_label("Enhet", exact=True).select_option("procent")
    page.get_by_label("Antal decimaler som visas").fill("1")
    page.get_by_label("Källa").fill("Treserva")
    page.get_by_label("Uppdelat på kön (Totalt, Kvinnor och Män)").check()
    page.get_by_role("button", name="Skapa indikatorn").click()

    page.wait_for_url(lambda url: "/indikator/ny/" not in url)
    indicator = Indicator.objects.get(name="Andel deltagare som börjar arbeta")
    assert [link.breakdown.label for link in indicator.breakdowns.order_by("order")] == [
        "Totalt",
        "Kvinnor",
        "Män",
    ]
    this_year, next_year = target_key(2022, None), target_key(2023, None)
    page.select_option(f"#id_mal-{this_year}-kind", "varde")
    page.fill(f"#id_mal-{this_year}-value", "88,5")
    page.select_option(f"#id_mal-{next_year}-kind", "riktning")
    page.select_option(f"#id_mal-{next_year}-trend", "ej_oka")
    page.fill(f"#id_mal-{next_year}-base_value", "80")
    page.fill(f"#id_mal-{next_year}-base_year", "2021")
    page.get_by_role("button", name="Spara målvärdena").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Målvärdena för 2022 och 2023 är sparade.").is_visible()

    page.reload()
    targets = {t.year: t for t in Target.objects.filter(indicator=indicator)}
    assert set(targets) == {2022, 2023}
    assert (targets[2022].kind, targets[2022].value) == ("varde", Decimal("88.5"))
    assert (targets[2023].trend, targets[2023].base_value, targets[2023].base_year) == (
        "ej_oka",
        Decimal("80"),
        2021,
    )
    assert page.input_value(f"#id_mal-{this_year}-kind") == "varde"
    assert page.input_value(f"#id_mal-{this_year}-value") == "88,5"
    assert page.input_value(f"#id_mal-{next_year}-trend") == "ej_oka"
    assert page.input_value(f"#id_mal-{next_year}-base_value") == "80,0"
    assert page.input_value(f"#id_mal-{next_year}-base_year") == "2021"
    assert page.locator("#id_uppdelning-by_gender").is_checked()
    assert axe_violations(page) == []
    # An unused field of a row is hidden until its kind needs it.
    assert not page.locator(f"#id_mal-{this_year}-trend").is_visible()

    # A refused cell: the message at its field, the page still accessible, nothing written.
    page.fill(f"#id_mal-{this_year}-value", "90.5")
    page.get_by_role("button", name="Spara målvärdena").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Använd decimalkomma, inte punkt: skriv 90,5.").is_visible()
    assert axe_violations(page) == []
    assert Target.objects.get(indicator=indicator, year=2022).value == Decimal("88.5")
    problems[:] = [p for p in problems if not p.startswith("400 ")]

    page.goto(live_server.url + reverse("indicators:structure_tree", args=["AN", 2022]))
    assert page.get_by_text("88,5\xa0%").is_visible()
    assert page.get_by_text("Ska inte öka (basvärde 2021 = 80,0)").is_visible()
    assert problems == []
