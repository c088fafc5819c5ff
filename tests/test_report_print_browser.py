"""The report page printed by Chromium to A4 PDF (issue 15): nothing beyond the page edge.

In A4 portrait without an @page rule the investments lost their last column and Målredovisning
most of "Avvikelser". The page is printed with Playwright's page.pdf(format="A4") honouring the
CSS page sizes (wide tables on landscape pages), and the text read back per page with pdftotext.
"""

from __future__ import annotations

import pytest

from goals.models import Board, Role
from tests.browser import log_in
from tests.conftest import make_user
from tests.pdf_words import pdf_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVESTMENT_HEADINGS = [
    "Utgifter/inkomster sedan projektets start",
    "Varav årets investeringar",
    "Färdigställda projekt",
    "Beslutad budget",
    "Ack. utfall nettoinvesteringar",
    "Budgetavvikelse",
    "Budget 2022",
    "Utfall 2022 nettoinvesteringar",
]


@pytest.fixture
def printed(page, live_server, demo_data, tmp_path):
    secretary = make_user(
        "sekreterare_utskrift", Role.SECRETARY, Board.objects.get(code="AN"), first_name="Sam"
    )
    log_in(page, live_server, secretary.username)
    response = page.goto(f"{live_server.url}/namnd/AN/2022/verksamhetsberattelse/")
    assert response.status == 200
    pdf = tmp_path / "verksamhetsberattelse.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
    return pdf_pages(pdf)


def test_the_printed_report_has_every_column_on_the_page(printed):
    pages = printed
    assert len(pages) >= 8
    for page in pages:
        portrait = sorted((page.width, page.height))
        assert abs(portrait[0] - 595.3) < 2 and abs(portrait[1] - 841.9) < 2, "inte A4"
        outside = page.outside()
        assert not outside, f"sidan {page.number}: {[word.text for word in outside][:10]}"

    investments = [page for page in pages if "nettoinvesteringar" in page.text]
    assert investments and all(page.width > page.height for page in investments)  # landscape
    words = {word.text for page in investments for word in page.words}
    for heading in INVESTMENT_HEADINGS:
        missing = [word for word in heading.split() if word not in words]
        assert not missing, f"{heading!r}: {missing} saknas på investeringarnas sidor"

    goals = [page for page in pages if "Avvikelser" in page.text.split()]
    assert goals and all(page.width > page.height for page in goals)
    # The header row repeats: "Avvikelser" heads the column on every page of Målredovisning.
    goal_pages = [page for page in pages if "Nämndmålet" in page.text]
    assert all("Avvikelser" in page.text.split() for page in goal_pages)
    # The narrow tables stay portrait.
    economy = next(page for page in pages if "Verksamhetens nettokostnader" in page.text)
    assert economy.height > economy.width
