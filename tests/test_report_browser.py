"""The report page in Chromium, as AN's nämndsekreterare: axe-core WCAG 2.1 A/AA without serious
or critical violations, no console or CSP errors, print layout without navigation, and the
workbook download a click away. Screenshots go to var/screenshots/ (ignored by git).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from goals.models import Board, Role
from tests.browser import (
    BLOCKING,
    SCREENSHOTS,
    WCAG_TAGS,
    log_in,
    watch_problems,
)
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def secretary(demo_data):
    return make_user(
        "sekreterare_rapport", Role.SECRETARY, Board.objects.get(code="AN"), first_name="Sam"
    )


@pytest.fixture
def report_page(page, live_server, secretary, axe_source):
    watch_problems(page)
    page.add_init_script(script=axe_source)
    log_in(page, live_server, secretary.username)
    response = page.goto(f"{live_server.url}/namnd/AN/2022/verksamhetsberattelse/")
    assert response.status == 200
    return page


def test_report_page_is_accessible_and_printable(report_page):
    page = report_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "verksamhetsberattelse.png"), full_page=True)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]
    assert not blocking, "\n".join(blocking)
    assert not page.problems, page.problems

    assert page.locator("section.report-sheet").count() == 8
    assert page.locator("table").count() == 16
    assert page.locator("nav.report-toc").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("nav.report-toc").is_visible()
    assert not page.locator("header.site-header").is_visible()
    assert page.locator("table").first.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "verksamhetsberattelse-print.png"), full_page=True)


def test_workbook_downloads_from_the_page(report_page):
    page = report_page
    with page.expect_download() as info:
        page.click("text=Ladda ner hela rapporten (.xlsx)")
    download = info.value
    assert download.suggested_filename == "verksamhetsberattelse-AN-2022.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert "Nämndindikatorer" in workbook.sheetnames
