"""The budget pages in a real browser (Debian's Chromium through Playwright), as AN's controller:
a bad amount is shown at its field with everything typed kept, the corrected form saves, and the
entry, overview and internbudget pages pass axe-core's WCAG 2.1 A/AA rules without serious or
critical violations and without breaking the Content-Security-Policy.

Screenshots go to var/screenshots/ (ignored by git).
"""

from __future__ import annotations

import pytest

from budget.models import BudgetAmount
from indicators.parsing import DECIMAL_POINT
from tests.browser import (
    BLOCKING,
    SCREENSHOTS,
    WCAG_TAGS,
    log_in,
    watch_problems,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def controller_page(page, live_server, demo_data, controller_an, axe_source):
    watch_problems(page)
    page.add_init_script(script=axe_source)
    log_in(page, live_server, controller_an.username)
    return page


def check(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"budget-{name}.png"), full_page=True)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    blocking = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]
    assert not blocking, f"{name}: " + "\n".join(blocking)
    assert not page.problems, f"{name}: {page.problems}"


def test_controller_enters_a_forecast(controller_page, live_server):
    page = controller_page
    page.goto(f"{live_server.url}/budget/AN/2022/prognos/?tidpunkt=oktober")
    page.select_option("#tidpunkt", "november")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "tidpunkt=november" in url)
    assert "Prognos 30 november 2022" in page.inner_text("h1")
    check(page, "registrera-tom")

    fields = page.locator("input[name^=belopp_]")
    typed = ["1 349", "12.5", "44 451", "99 090", "11 285", "\u22126 422"]
    for index, text in enumerate(typed):
        fields.nth(index).fill(text)
    page.click("button:has-text('Spara')")
    page.wait_for_load_state()
    assert DECIMAL_POINT.format(suggestion="12,5") in page.inner_text("main")
    assert [fields.nth(i).input_value() for i in range(len(typed))] == typed
    assert not BudgetAmount.objects.filter(year=2022, kind="prognos", month=11).exists()
    check(page, "registrera-fel")

    fields.nth(1).fill("303 503,6")
    page.click("button:has-text('Spara')")
    page.wait_for_load_state()
    assert "Sparat" in page.inner_text("main")
    assert fields.nth(1).input_value() == "303\xa0503,6"
    stored = BudgetAmount.objects.get(
        year=2022, kind="prognos", month=11, line__code="ekonomiskt-bistand"
    )
    assert stored.amount == 303_503_600


def test_overview_and_internbudget_pages(controller_page, live_server):
    page = controller_page
    page.goto(f"{live_server.url}/budget/AN/2022/")
    assert "12\xa0189" in page.inner_text("main")
    check(page, "oversikt")
    page.click("text=Internbudget 2022 med plan")
    page.wait_for_url(lambda url: "/internbudget/" in url)
    assert "462\xa0146" in page.inner_text("main")
    check(page, "internbudget")
