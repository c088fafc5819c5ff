"""The Texter page in Chromium: a controller types a text at full speed, saves it, reloads.

The text has paragraphs, a list, å/ä/ö and a "<script>" element typed as text: after the save
(htmx, in place) and a reload, the field holds exactly what the database holds, the stored text
is exactly what was typed, and the "<script>" is shown as text and never runs.
"""

from __future__ import annotations

import pytest

from goals.models import NarrativeText, ReportingOccasion
from tests.browser import log_in, watch_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = (
    "Året präglades av förändring för nämndens målgrupp.\n"
    "\n"
    "- Åtgärder för ökad egenförsörjning\n"
    "- Övergång av vuxenutbildningen\n"
    "\n"
    'Här står <script>window.injected = 1</script> och "citat" & <b>fet</b> som text.'
)


def stored(section: str) -> NarrativeText:
    return NarrativeText.objects.get(
        board__code="AN", year=2022, document="verksamhetsberattelse", section=section
    )


def test_typed_text_is_saved_exactly_and_shown_as_text(page, live_server, board_an, controller_an):
    ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    problems = watch_problems(page)
    log_in(page, live_server, controller_an.username)
    url = f"{live_server.url}/namnd/AN/2022/verksamhetsberattelse/texter/"
    page.goto(url)

    field = page.locator("#text-handelser-field")
    field.click()
    page.keyboard.type(TYPED)  # full speed, Enter for each line break
    page.click("#text-handelser-save")
    page.locator("#text-handelser .saved").wait_for()
    assert page.locator("#text-handelser .saved").inner_text() == "Sparat (version 1)"
    assert stored("handelser").text == TYPED
    assert stored("handelser").version == 1

    # A second section right after, without waiting for anything.
    page.locator("#text-bedomning-field").click()
    page.keyboard.type("Kort bedömning: ökade kostnader, lägre volymer.")
    page.click("#text-bedomning-save")
    page.locator("#text-bedomning .saved").wait_for()

    page.reload()
    assert page.locator("#text-handelser-field").input_value() == stored("handelser").text
    assert page.locator("#text-bedomning-field").input_value() == stored("bedomning").text
    assert stored("bedomning").text == "Kort bedömning: ökade kostnader, lägre volymer."
    assert page.locator("#text-handelser input[name=version]").get_attribute("value") == "1"
    assert page.evaluate("window.injected") is None
    assert problems == []
