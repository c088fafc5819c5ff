"""A controller types a text outcome into the entry grid at full speed, in Chromium: the
page's script saves it like any field, and after a reload the textarea shows what is stored."""

from __future__ import annotations

import pytest

from indicators.models import IndicatorValue
from tests.test_browser_entry import login
from tests.test_value_kinds_data import build_plan, full_year, total

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE = "html[data-entry-saves=idle]"
TYPED = "Brukarna upplever ett bättre bemötande.\nSkillnaderna mellan enheterna har minskat."


def test_a_text_outcome_typed_at_full_speed_is_saved_and_shown(
    page, live_server, board_an, controller_an
):
    plan = build_plan(board_an)
    full_year(board_an)
    key = f"v{plan.qualitative.pk}-{total().pk}-ar-1"
    number_key = f"v{plan.not_given.pk}-{total().pk}-ar-1"
    login(page, live_server, controller_an.username)
    page.goto(f"{live_server.url}/utfall/AN/2022/helar/")
    textarea = page.locator(f"textarea#{key}-value")
    assert textarea.input_value() == "Vissa smärre skillnader kan utläsas."
    textarea.focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(TYPED)  # Enter in a textarea is a new line, not a save
    page.keyboard.press("Tab")
    page.locator(IDLE).wait_for(state="attached")
    page.locator(f"#{key}-msg", has_text="Sparat").wait_for()

    value = IndicatorValue.objects.get(indicator=plan.qualitative, year=2022)
    assert value.text == TYPED and value.value is None and value.version == 2

    # A text on a numeric field is refused at the field and nothing is written.
    page.locator(f"#{number_key}-value").fill("ungefär tolv")
    page.keyboard.press("Tab")
    page.locator(IDLE).wait_for(state="attached")
    page.locator(f"#{number_key}-msg .error").wait_for()
    assert not IndicatorValue.objects.filter(indicator=plan.not_given, year=2022).exists()

    page.reload()
    assert page.locator(f"textarea#{key}-value").input_value() == value.text
