"""The entry page in a real browser (Debian's Chromium through Playwright).

A controller logs in, fills a quarter field by field (htmx saves each field as it is left),
sees Sparat, an error kept at the field and the value's history; a controller of another
board cannot see the page; an approved occasion refuses edits, also from a page opened
before the approval. The page passes axe-core's WCAG 2.1 A/AA rules without serious or
critical violations and nothing breaks the Content-Security-Policy.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from goals.models import ReportingOccasion
from goals.periods import PeriodType
from indicators.models import IndicatorValue
from tests.browser import AXE, SCREENSHOTS, WCAG_TAGS
from tests.conftest import BROWSER_REQUIRED, PASSWORD
from tests.entry_data import breakdown, goal_chain, set_value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Q = PeriodType.QUARTER


@pytest.fixture
def quarter(board_an):
    indicators = goal_chain(board_an, goals=2, indicators_per_goal=1)
    set_value(indicators[0], year=2022, period_type=Q, number=3, value=2917)
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    return occasion, indicators


def login(page, live_server, username: str, problems: list[str] | None = None):
    if problems is not None:
        # Failed requests are recorded with their URL below (the browser's own favicon
        # request is not a page response and only shows as this console text).
        page.on(
            "console",
            lambda message: (
                problems.append(message.text)
                if message.type == "error"
                and not message.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "response",
            lambda response: (
                problems.append(f"{response.status} {response.url}")
                # 422 is the answer to a refused value (shown at the field), not a failure.
                if response.status >= 400 and response.status != 422
                else None
            ),
        )
    page.goto(f"{live_server.url}/logga-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(lambda url: "/logga-in/" not in url)


def field(page, indicator, gender=""):
    key = f"v{indicator.pk}-{breakdown(gender).pk}-kvartal-3"
    return page.locator(f"#f-{key}"), page.locator(f"#{key}-value")


def stored(indicator, gender=""):
    return IndicatorValue.objects.filter(
        indicator=indicator, year=2023, period_type=Q, period_number=3, breakdown=breakdown(gender)
    ).first()


def check_accessibility(page) -> None:
    if not AXE.exists():
        if BROWSER_REQUIRED:
            pytest.fail(f"{AXE} saknas: kör npm ci")
        print(f"Hoppar över tillgänglighetskontrollen: {AXE} saknas (npm ci)")
        return
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    blocking = [
        f"{violation['id']}: {violation['help']} – {violation['nodes'][0]['target']}"
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert not blocking, blocking


def test_controller_fills_a_quarter_and_sees_history(page, live_server, quarter, controller_an):
    _, indicators = quarter
    problems: list[str] = []
    if AXE.exists():
        # Injected by the browser itself, so the page's strict CSP does not block it.
        page.add_init_script(script=AXE.read_text(encoding="utf-8"))
    login(page, live_server, controller_an.username, problems)
    response = page.goto(f"{live_server.url}/utfall/AN/2023/k3/")
    assert response.status == 200
    form, total = field(page, indicators[0])
    # The reference figures are beside the field.
    assert "2 917" in form.inner_text().replace("\xa0", " ")
    assert "3 300" in form.inner_text().replace("\xa0", " ")

    total.fill("3 327")
    total.press("Tab")  # leaving the field saves it
    form, total = field(page, indicators[0])
    form.locator(".saved").wait_for()
    assert stored(indicators[0]).value == Decimal(3327)

    women_form, women = field(page, indicators[0], "K")
    women.fill("12.5")
    women.press("Tab")
    women_form, women = field(page, indicators[0], "K")
    women_form.locator(".error").wait_for()
    assert "decimalkomma" in women_form.inner_text()
    assert women.input_value() == "12.5"  # what was typed is still there
    assert stored(indicators[0], "K") is None
    women.fill("1 200")
    women.press("Tab")
    field(page, indicators[0], "K")[0].locator(".saved").wait_for()
    assert stored(indicators[0], "K").value == Decimal(1200)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "entry-page.png"), full_page=True)
    check_accessibility(page)

    page.reload()
    form, _ = field(page, indicators[0])
    form.locator("summary").click()
    form.get_by_role("link", name="Historik").click()
    page.wait_for_url("**/historik/")
    history = page.locator("table.history").inner_text().replace("\xa0", " ")
    assert "controller_an" in history and "3 327" in history and "Formulär" in history
    assert "svensk tid" in history and "UTC" not in history
    assert not problems, problems


def test_other_boards_controller_cannot_see_the_page(page, live_server, quarter, controller_other):
    login(page, live_server, controller_other.username)
    response = page.goto(f"{live_server.url}/utfall/AN/2023/k3/")
    assert response.status == 404
    assert "3 300" not in page.content()


def test_approved_occasion_refuses_edits(page, live_server, quarter, controller_an):
    occasion, indicators = quarter
    login(page, live_server, controller_an.username)
    page.goto(f"{live_server.url}/utfall/AN/2023/k3/")
    _, total = field(page, indicators[1])
    # Approved after the controller opened the page.
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state="godkand")
    total.fill("99")
    total.press("Tab")
    form, _ = field(page, indicators[1])
    form.locator(".error").wait_for()
    assert "godkänt och låst" in form.inner_text()
    assert stored(indicators[1]) is None
    page.reload()
    assert page.locator("input[name=value]").count() == 0
    assert "godkänt och låst" in page.locator(".occasion-bar").inner_text()


def test_full_year_assessment_and_status(page, live_server, board_an, municipality, controller_an):
    from goals.models import GoalAssessment, StrategicAssignment

    indicators = goal_chain(board_an, goals=1, indicators_per_goal=2, frequency=PeriodType.YEAR)
    for indicator, number in zip(indicators, (3400, 3000), strict=True):
        set_value(indicator, year=2023, period_type=PeriodType.YEAR, number=1, value=number)
    assignment = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="kommungemensamt",
        text="Uppdrag om kompetens",
        valid_from=2023,
    )
    ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    problems: list[str] = []
    if AXE.exists():
        page.add_init_script(script=AXE.read_text(encoding="utf-8"))
    login(page, live_server, controller_an.username, problems)
    page.goto(f"{live_server.url}/utfall/AN/2023/helar/")
    goal = indicators[0].board_goal
    block = page.locator(f"#assessment-{goal.pk}")
    assert "Delvis uppnått" in block.locator(".suggestion").inner_text()
    block.get_by_label("Ej uppnått").check()
    block.get_by_label("Analys").fill("Målet nås inte i år.")
    block.get_by_role("button", name="Spara bedömningen").click()
    page.locator(f"#assessment-{goal.pk} .saved").wait_for()
    saved = GoalAssessment.objects.get()
    assert (saved.level, saved.suggested_level) == ("ej_uppnatt", "delvis")

    status = page.locator(f"#uppdrag-{assignment.pk}")
    status.get_by_label("Status").select_option("pagar")  # saves on change
    page.locator(f"#uppdrag-{assignment.pk} .saved").wait_for()
    assert assignment.statuses.get().status == "pagar"
    check_accessibility(page)
    assert not problems, problems
