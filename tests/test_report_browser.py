"""The report page in Chromium, as AN's nämndsekreterare: axe-core WCAG 2.1 A/AA without serious
or critical violations, no console or CSP errors, print layout without navigation, and the
workbook download a click away. Screenshots go to var/screenshots/ (ignored by git).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from goals.models import Board, Role
from tests.conftest import BROWSER_REQUIRED, PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


@pytest.fixture
def axe_source():
    if not AXE.exists():
        if BROWSER_REQUIRED:
            pytest.fail(f"{AXE} saknas: kör npm ci (STYRKORT_REQUIRE_BROWSER är satt)")
        pytest.skip("axe-core saknas (npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def secretary(demo_data):
    return make_user(
        "sekreterare_rapport", Role.SECRETARY, Board.objects.get(code="AN"), first_name="Sam"
    )


@pytest.fixture
def report_page(page, live_server, secretary, axe_source):
    problems: list[str] = []
    # A failed request is reported with its URL by the response handler (the browser's own
    # favicon request is no response of the page's).
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(script=axe_source)
    page.goto(f"{live_server.url}/logga-in/")
    page.fill("#id_username", secretary.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(lambda url: "/logga-in/" not in url)
    response = page.goto(f"{live_server.url}/namnd/AN/2022/verksamhetsberattelse/")
    assert response.status == 200
    page.problems = problems
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
