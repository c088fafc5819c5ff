"""The year rollover in a real browser: an administrator builds AN 2023 from 2022 on the page.

The demo data is loaded without its own rollover (demo.loaders.rollover), so 2023 has no
structure yet; the administrator reviews the draft, unticks one row, updates the draft, ticks
it again, publishes and opens the 2023 goal tree, which shows seed 000's 2023 targets.
"""

from __future__ import annotations

import pytest

from demo.management.commands.load_demo import LOADERS, load_all
from goals.models import BoardGoal
from indicators.models import Indicator, Target
from tests.browser import BLOCKING, WCAG_TAGS, log_in, watch_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_axe(page, name: str) -> None:
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    blocking = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]
    assert not blocking, f"{name}: " + "\n".join(blocking)


def test_administrator_builds_2023_from_2022_on_the_page(page, live_server, admin_user, axe_source):
    load_all([path for path in LOADERS if path != "demo.loaders.rollover"])
    assert not BoardGoal.objects.valid_in(2023).filter(board__code="AN").exists()
    watch_problems(page)
    page.add_init_script(script=axe_source)
    log_in(page, live_server, admin_user.username)

    page.goto(f"{live_server.url}/struktur/AN/2022/skapa-nasta-ar/")
    assert "Skapa 2023 från 2022" in page.inner_text("h1")
    check_axe(page, "utkast")
    continued = page.locator("table.rollover-continued")
    assert continued.get_by_text("Hög egenförsörjningsgrad", exact=True).count() == 1
    assert page.locator("table.rollover-ended").get_by_text("Goda arbetsplatser").count() == 0

    # Untick a goal: after "Uppdatera förslaget" it is listed as ending, with its indicators.
    goal = BoardGoal.objects.get(board__code="AN", title="Goda arbetsplatser", valid_from=2020)
    page.uncheck(f"#c-goalsboardgoal{goal.pk}")
    page.click("text=Uppdatera förslaget")
    ended = page.locator("table.rollover-ended")
    ended.get_by_text("Goda arbetsplatser", exact=True).wait_for()
    assert ended.get_by_text("Goda arbetsplatser", exact=True).count() == 1
    assert not page.is_checked(f"#c-goalsboardgoal{goal.pk}")
    # On second thought it continues.
    page.check(f"#c-goalsboardgoal{goal.pk}")
    page.click("text=Publicera år 2023")
    page.wait_for_selector("h1:has-text('2023 är skapat')")
    assert "Arbetsmarknadsnämnden 2023 är skapat" in page.inner_text("h1")
    check_axe(page, "publicerat")
    assert BoardGoal.objects.valid_in(2023).filter(board__code="AN").count() == 9
    page.click("text=Målstrukturen 2023")
    page.wait_for_url(lambda url: url.endswith("/namnd/AN/2023/malstruktur/"))
    tree = page.inner_text("main").replace("\u00a0", " ").replace("\u202f", " ")
    assert "Goda arbetsplatser" in tree
    # seed 000's 2023 targets, stored since the 2022 load, on the continued indicators.
    indicators = Indicator.objects.filter(
        board__code="AN", targets__year=2023, targets__value=3200, targets__breakdown__code="total"
    )
    assert indicators.exists() and all(i.is_valid_in(2023) for i in indicators)
    assert Target.objects.filter(indicator__in=indicators, year=2023).exists()
    assert "3 200" in tree
    assert not page.problems, page.problems
