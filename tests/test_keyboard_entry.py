"""The entry page with the keyboard alone: no click, no mouse, in Chromium.

A controller logs in and moves through the entry page with Tab: reaches a value field, types
a value and leaves the field (saved, "Sparat" at the field), saves another with Enter, opens
"I.U., fotnot, kommentar" and picks the reason for I.U. with the arrow keys. Focus stays where
the user was after each save, and the focused element shows a visible focus ring
(:focus-visible) that stands out from the page (WCAG 2.4.7, 1.4.11).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from goals.models import ReportingOccasion
from goals.periods import PeriodType
from indicators.models import IndicatorValue, MissingReason
from tests.conftest import PASSWORD
from tests.entry_data import breakdown, goal_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Q = PeriodType.QUARTER
MAX_TABS = 60

FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  return {id: e.id, tag: e.tagName.toLowerCase(), text: (e.textContent || '').trim().slice(0, 40),
          visible: e.matches(':focus-visible'), outlineStyle: s.outlineStyle,
          outlineWidth: parseFloat(s.outlineWidth), outlineColor: s.outlineColor,
          boxShadow: s.boxShadow,
          form: (e.closest('tr.entry-field') || e.form || e.closest('form') || {}).id};
}"""

# WCAG relative luminance and contrast of two "rgb(r, g, b)" colours.
CONTRAST = """([a, b]) => {
  const lum = c => { const [r, g, bl] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl; };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}"""


@pytest.fixture
def quarter(board_an):
    indicators = goal_chain(board_an, goals=1, indicators_per_goal=2)
    ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    return indicators


def key(indicator, gender: str = "") -> str:
    return f"v{indicator.pk}-{breakdown(gender).pk}-kvartal-3"


def stored(indicator, gender: str = ""):
    return IndicatorValue.objects.filter(
        indicator=indicator, year=2023, period_type=Q, period_number=3, breakdown=breakdown(gender)
    ).first()


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_until(page, predicate, *, shift: bool = False) -> int:
    """Press Tab until the focused element satisfies the predicate; the number of presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        if predicate(focused(page)):
            return presses
    raise AssertionError(f"nådde inte målet med {MAX_TABS} tabbar; fokus på {focused(page)}")


def assert_focus_ring(page, element: dict) -> None:
    assert element["visible"], f"{element} matchar inte :focus-visible"
    assert element["outlineStyle"] != "none" and element["outlineWidth"] >= 2, element
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    background = (
        "rgb(255, 255, 255)" if background in ("rgba(0, 0, 0, 0)", "transparent") else background
    )
    outline = page.evaluate(CONTRAST, [element["outlineColor"], background])
    ring = 1.0
    if element["boxShadow"] and element["boxShadow"] != "none":
        shadow_color = element["boxShadow"].split(")")[0] + ")"
        ring = page.evaluate(CONTRAST, [shadow_color, background])
    assert max(outline, ring) >= 3, (
        f"fokusmarkeringen syns för dåligt mot bakgrunden ({outline:.1f}:1, {ring:.1f}:1)"
    )


def test_the_entry_page_works_with_the_keyboard_alone(page, live_server, quarter, controller_an):
    first, second = quarter
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    # Log in with the keyboard.
    page.goto(f"{live_server.url}/logga-in/")
    tab_until(page, lambda e: e["id"] == "id_username")
    page.keyboard.type(controller_an.username)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/logga-in/" not in url)

    page.goto(f"{live_server.url}/utfall/AN/2023/k3/")
    # The skip link comes first and takes the user past the menu.
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Hoppa till innehållet"
    assert_focus_ring(page, skip)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    # Tab to the first value field, type, leave it: saved at the field.
    total = f"{key(first)}-value"
    tab_until(page, lambda e: e["id"] == total)
    assert_focus_ring(page, focused(page))
    page.keyboard.type("3 327")
    page.keyboard.press("Tab")
    page.locator(f"#f-{key(first)} .ef-msg .saved").wait_for()
    assert page.locator(f"#f-{key(first)} .ef-msg").inner_text() == "Sparat"
    assert stored(first).value == Decimal(3327)
    # One Tab goes from value to value: the next field, not a button, link or disclosure,
    # and the save did not throw focus back to the top.
    women = f"{key(first, 'K')}-value"
    after = focused(page)
    assert after["id"] == women, after

    # This field: type and press Enter (saves the field, without the mouse).
    page.keyboard.type("1 650")
    page.keyboard.press("Enter")
    page.locator(f"#f-{key(first, 'K')} .ef-msg .saved").wait_for()
    assert stored(first, "K").value == Decimal(1650)
    assert focused(page)["id"] == women

    # An error is announced at the field and keyboard focus can go back to correct it.
    men = f"{key(first, 'M')}-value"
    tab_until(page, lambda e: e["id"] == men)
    page.keyboard.type("12.5")
    page.keyboard.press("Tab")
    page.locator(f"#f-{key(first, 'M')} .ef-msg .error").wait_for()
    assert stored(first, "M") is None
    assert page.locator(f"#{men}").get_attribute("aria-invalid") == "true"
    described = page.locator(f"#{men}").get_attribute("aria-describedby").split()
    assert f"{key(first, 'M')}-msg" in described
    tab_until(page, lambda e: e["id"] == men, shift=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("1 677")
    page.keyboard.press("Enter")
    page.locator(f"#f-{key(first, 'M')} .ef-msg .saved").wait_for()
    assert stored(first, "M").value == Decimal(1677)

    # I.U. for the second indicator: Alt+ArrowDown in its value field opens "I.U., fotnot,
    # kommentar" at the reason, chosen with the arrow keys (a select saves on change).
    form_id = f"f-{key(second)}"
    tab_until(page, lambda e: e["id"] == f"{key(second)}-value")
    page.keyboard.press("Alt+ArrowDown")
    assert page.locator(f"#{form_id} details").get_attribute("open") is not None
    reason = f"{key(second)}-reason"
    assert focused(page)["id"] == reason
    assert_focus_ring(page, focused(page))
    page.keyboard.press("ArrowDown")
    page.locator(f"#{form_id} .ef-msg .saved").wait_for()
    value = stored(second)
    assert value.value is None and value.missing_reason == MissingReason.values[0]
    assert focused(page)["id"] == reason

    assert not problems, problems


def open_year_end_with_an_assignment(page, live_server, board_an, municipality, controller_an):
    """AN's helår 2023 with one nämndmål and one assignment, open in the page as its controller."""
    from goals.models import StrategicAssignment

    indicators = goal_chain(board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR)
    assignment = StrategicAssignment.objects.create(
        municipality=municipality, scope="kommungemensamt", text="Uppdrag", valid_from=2023
    )
    ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    page.goto(f"{live_server.url}/logga-in/")
    page.fill("#id_username", controller_an.username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/logga-in/" not in url)
    page.goto(f"{live_server.url}/utfall/AN/2023/helar/")
    return indicators[0].board_goal, assignment


def test_assessment_and_status_with_the_keyboard(
    page, live_server, board_an, municipality, controller_an
):
    from goals.models import GoalAssessment

    goal, assignment = open_year_end_with_an_assignment(
        page, live_server, board_an, municipality, controller_an
    )

    # The assessment: arrow keys choose the level, Enter on the button saves.
    form = f"assessment-{goal.pk}"
    tab_until(page, lambda e: e["tag"] == "input" and e["form"] == form)
    page.keyboard.press("ArrowRight")  # radio group: moves to and checks the next level
    tab_until(page, lambda e: e["id"] == f"analysis-{goal.pk}")
    page.keyboard.type("Målet nås delvis.")
    button = f"{form}-save"
    tab_until(page, lambda e: e["id"] == button)
    assert_focus_ring(page, focused(page))
    page.keyboard.press("Enter")
    page.locator(f"#{form} .saved").wait_for()
    saved = GoalAssessment.objects.get()
    assert saved.analysis == "Målet nås delvis." and saved.level
    assert focused(page)["id"] == button

    # The status of an assignment: the select saves on change, the comment when left.
    select = f"uppdrag-{assignment.pk}-status"
    tab_until(page, lambda e: e["id"] == select)
    page.keyboard.press("ArrowDown")
    page.locator(f'#uppdrag-{assignment.pk} input[name=version][value="1"]').wait_for(
        state="attached"
    )
    assert assignment.statuses.get().status
    assert focused(page)["id"] == select
    page.keyboard.press("Tab")
    page.keyboard.type("Klart i mars.")
    page.keyboard.press("Tab")  # to Spara; leaving the comment saves it
    # The answer to the second save carries version 2.
    page.locator(f'#uppdrag-{assignment.pk} input[name=version][value="2"]').wait_for(
        state="attached"
    )
    assert assignment.statuses.get().comment == "Klart i mars."
    assert focused(page)["id"] == f"uppdrag-{assignment.pk}-save"


# As soon as a save's answer is in the page (the next task after htmx swaps it in), the comment
# is changed and left: what a keyboard user does with Tab and typing right after a save.
CHANGE_RIGHT_AFTER_SWAP = """(id) => { window.changedAfterSwap = new Promise(resolve => {
  document.body.addEventListener('htmx:afterSwap', () => setTimeout(() => {
    const comment = document.getElementById(id);
    comment.value = 'Skrivet direkt efter sparandet';
    comment.dispatchEvent(new Event('change', {bubbles: true}));
    resolve(true);
  }, 0), {once: true});
}); }"""


def test_a_change_right_after_a_save_is_saved_too(
    page, live_server, board_an, municipality, controller_an
):
    """htmx wires up swapped-in content when it settles; with a settle delay a change made in
    that moment reached a form without its listener and was silently not saved."""
    _, assignment = open_year_end_with_an_assignment(
        page, live_server, board_an, municipality, controller_an
    )
    page.evaluate(CHANGE_RIGHT_AFTER_SWAP, f"uppdrag-{assignment.pk}-comment")
    page.select_option(f"#uppdrag-{assignment.pk}-status", "pagar")
    assert page.evaluate("() => window.changedAfterSwap")  # the change was made
    page.locator(f'#uppdrag-{assignment.pk} input[name=version][value="2"]').wait_for(
        state="attached"
    )
    page.reload()
    status = assignment.statuses.get()
    assert (status.status, status.comment, status.version) == (
        "pagar",
        "Skrivet direkt efter sparandet",
        2,
    )
    assert page.locator(f"#uppdrag-{assignment.pk}-comment").input_value() == status.comment
