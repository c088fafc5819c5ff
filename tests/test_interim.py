"""The delårsrapporter (reports.report.interim, reports.views.interim): delår 1 and 2 of a year.

The figures are the demo's (fixtures/linkoping/budget.toml, the forecasts with month=8, and the
[RECON] delår assessments and statuses of fixtures/linkoping/followup.toml); the year so far of
an indicator and the query count use the small AN of tests/test_report_fixtures.py.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from goals.models import DocumentKind, GoalAssessment, ReportingOccasion
from indicators.models import Indicator, IndicatorValue
from reports.models import ArchivedReport
from reports.renderers.xlsx import XLSX_CONTENT_TYPE, render_xlsx
from reports.report import ReportKind
from reports.report.documents import build_document
from reports.report.interim import NO_YEAR_SO_FAR, build_interim
from reports.report.model import Report
from reports.views.interim import NO_OCCASION
from tests.test_report_fixtures import (  # noqa: F401
    add_goal_with_indicators,
    breakdown,
    mini_an,
    target,
)

pytestmark = pytest.mark.django_db

E_HANDEL = "Samtliga nämnder ska se över sin egen inköpsorganisation"
OBS_RAPPORTEN = "Samtliga nämnder ska beakta kommunens Nuläges- och trendrapport"


def text(cell) -> str:
    """A cell as printed, with the thousands separator (a no-break space) as a space."""
    return cell.text.replace("\xa0", " ")


def rows_of(report: Report, key: str) -> dict[str, list[str]]:
    """The table's lines by their first cell's text: the other cells as printed."""
    table = report.table(key)
    return {text(row.cells[0]): [text(cell) for cell in row.cells[1:]] for row in table.rows}


def assignment_status(report: Report) -> dict[str, tuple[str, str]]:
    found = {}
    for table in report.tables_for("strategiska-uppdrag"):
        for row in table.rows:
            found[row.cells[0].text] = (row.cells[1].text, row.cells[2].text)
    return found


def status_of(report: Report, start: str) -> tuple[str, str]:
    [status] = [
        value for text, value in assignment_status(report).items() if text.startswith(start)
    ]
    return status


def test_delar2_2022_of_an_shows_the_august_forecast_and_the_delar2_assessments(demo_data):
    report = build_document(demo_data, 2022, DocumentKind.DELAR2)
    assert report.kind == ReportKind.DELAR2
    assert report.title == "Delårsrapport 2 2022 (31 augusti)"
    prognos = report.table("prognos")
    assert prognos.title == "Prognos 2022 per verksamhet, netto tkr"
    assert [column.label for column in prognos.columns] == [
        "Prognos, netto tkr",
        "Budget 2022",
        "Prognos 31 augusti",
        "Avvikelse",
        "Bokslut 2021*",
    ]
    rows = rows_of(report, "prognos")
    # budget.toml: budget 308 752 400, prognos (month=8) 311 752 400, bokslut 2021 319 223 000 kr;
    # each figure rounded to tkr on its own, avvikelse = budget − prognos (negative: a deficit).
    assert rows["Ekonomiskt bistånd"] == ["308 752", "311 752", "-3 000", "319 223"]
    assert rows["Nämnd- och styrelseverksamhet"] == ["1 757", "1 557", "200", "1 320"]
    assert rows["Flyktingmottagande"] == ["39 537", "44 037", "-4 500", "43 448"]
    assert rows["Arbetsmarknadsåtgärder"] == ["104 115", "100 615", "3 500", "88 607"]
    assert rows["Integrations- och arbetsmarknadsförvaltningen"] == [
        "11 285",
        "11 285",
        "0",
        "5 320",
    ]
    assert rows["Summa nettokostnader, tkr"] == ["465 446", "469 246", "-3 800", "457 918"]
    # The varav rows as in the driftsammandrag; a forecast has no split into costs and revenues.
    assert rows["varav kostnader"] == ["497 146", "-", "-", "499 895"]
    assert rows["varav intäkter"] == ["-31 700", "-", "-", "-41 977"]
    assert rows["Nämndens enheter"] == ["0", "-3 800", "3 800", "558"]
    assert rows["Summa nettokostnader, tkr, inkl. kommunala enheter"] == [
        "465 446",
        "465 446",
        "0",
        "458 476",
    ]
    assert prognos.rows[0].cells[0].text == "Verksamhet"
    assert prognos.notes[0].startswith("*Observera att kolumnen utgör bokslutet 2021")

    goals = rows_of(report, "malredovisning")
    [avtal] = [cells for text, cells in goals.items() if text.startswith("Hög avtalstrohet")]
    assert avtal[0] == "Delvis uppnått"
    assert avtal[1].startswith("Nämndmålet bedöms delvis uppnått vid delår 2 2022.")
    [economy] = [
        cells for text, cells in goals.items() if text.startswith("God ekonomisk styrning")
    ]
    assert "underskott för ekonomiskt bistånd på 3 000 tkr" in economy[1]
    levels = [cells[0] for text, cells in goals.items() if not text.startswith("Målområde")]
    assert levels == ["Delvis uppnått"] * 9

    assert status_of(report, E_HANDEL) == (
        "Pågår",
        "En preliminär inköpsorganisation tas fram under hösten 2022.",
    )
    assert status_of(report, OBS_RAPPORTEN) == ("Genomfört", "")
    statuses = [status for status, _ in assignment_status(report).values()]
    assert statuses.count("Pågår") == 12 and len(statuses) == 13

    # The nämndindikatorer: the year so far (the demo's 2022 indicators are yearly: none yet),
    # the two years before and the year's målvärde; "Mål uppnått" is the delår's assessment.
    [first] = report.tables_for("namndindikatorer")[:1]
    labels = [column.label for column in first.columns]
    assert labels[3:] == ["2020", "2021", "2022 t.o.m. 31 augusti", "Målvärde"]
    households = next(
        row
        for row in report.table("namndindikatorer-2").rows
        if row.cells[2].text.startswith("Antal hushåll med ekonomiskt bistånd")
    )
    assert [text(cell) for cell in households.cells[3:]] == ["3 327", "3 196", "–", "3 300"]
    assert NO_YEAR_SO_FAR.format(year=2022) in first.notes
    # The document around the tables: the delårsrapport's outline and the approved status.
    assert [entry.key for entry in report.outline if entry.key][:3] == [
        "bedomning",
        "handelser",
        "forvantad-utveckling",
    ]
    assert report.status_line.startswith("Godkänt ")


def test_delar1_2022_of_an_has_the_april_column_and_the_delar1_assessments(demo_data):
    report = build_interim(demo_data, 2022, DocumentKind.DELAR1)
    assert report.kind == ReportKind.DELAR1
    prognos = report.table("prognos")
    assert prognos.columns[2].label == "Prognos 30 april"
    # The demo has no forecast at 30 april: the column says so, the budget stands.
    assert rows_of(report, "prognos")["Ekonomiskt bistånd"] == ["308 752", "-", "-", "319 223"]
    goals = rows_of(report, "malredovisning")
    [avtal] = [cells for text, cells in goals.items() if text.startswith("Hög avtalstrohet")]
    assert avtal[:2] == [
        "Ej uppnått",
        "Nämndmålet bedöms ej uppnått vid delår 1 2022. Arbetet med att se över förvaltningens "
        "inköpsorganisation har inte påbörjats.",
    ]
    assert status_of(report, E_HANDEL)[0] == "Ej påbörjat"
    assert report.table("namndindikatorer-1").columns[5].label == "2022 t.o.m. 30 april"


def test_the_approved_delar2_archives_its_delarsrapport(demo_data):
    occasion = ReportingOccasion.objects.get(board=demo_data, year=2022, kind="d2")
    [archive] = ArchivedReport.objects.filter(occasion=occasion)
    assert '"kind": "delar2"' in archive.json_text
    assert '"key": "prognos"' in archive.json_text
    assert "311 752" not in archive.json_text  # numbers are stored as numbers…
    assert "311752" in archive.json_text  # …in tkr, as the table shows them


def test_the_year_so_far_follows_the_indicators_year_rule(mini_an):  # noqa: F811
    """A quarterly flow at delår 2 is the sum of quarters 1 and 2 (quarter 3 ends in September);
    the entered year value, not known at the delår, is not shown; a stock is its latest quarter."""
    ReportingOccasion.objects.filter(board=mini_an.board).update(state="oppen")  # to add values
    goal = mini_an.goals["bemotande"]
    total = breakdown()
    flow = Indicator.objects.create(
        board=mini_an.board,
        board_goal=goal,
        name="Avslut till arbete per kvartal",
        frequency="kvartal",
        aggregation="flode",
        valid_from=2018,
    )
    stock = Indicator.objects.create(
        board=mini_an.board,
        board_goal=goal,
        name="Inskrivna vid kvartalets slut",
        frequency="kvartal",
        aggregation="stock",
        valid_from=2018,
    )
    for indicator, numbers in ((flow, (11, 13, 17, 19)), (stock, (40, 42, 45, 44))):
        for quarter, number in enumerate(numbers, start=1):
            IndicatorValue.objects.create(
                indicator=indicator,
                year=2022,
                period_type="kvartal",
                period_number=quarter,
                breakdown=total,
                value=Decimal(number),
            )
        IndicatorValue.objects.create(
            indicator=indicator, year=2022, breakdown=total, value=Decimal(999)
        )
        target(indicator, 2022, number=50)
    for kind, sums in ((DocumentKind.DELAR2, ("24", "42")), (DocumentKind.DELAR1, ("11", "40"))):
        report = build_interim(mini_an.board, 2022, kind)
        lines = {
            row.cells[2].text: [text(cell) for cell in row.cells[3:]]
            for table in report.tables_for("namndindikatorer")
            for row in table.rows
            if len(row.cells) > 3
        }
        assert lines["Avslut till arbete per kvartal"][-2:] == [sums[0], "50"]
        assert lines["Inskrivna vid kvartalets slut"][-2:] == [sums[1], "50"]
        table = next(
            t
            for t in report.tables_for("namndindikatorer")
            if any(r.cells[2].text == "Inskrivna vid kvartalets slut" for r in t.rows)
        )
        quarter = "kvartal 2" if kind == DocumentKind.DELAR2 else "kvartal 1"
        assert f"Utfall 2022 avser läget t.o.m. {quarter} 2022." in table.notes
    # The verksamhetsberättelse still shows the year value entered.
    year_end = build_document(mini_an.board, 2022, DocumentKind.VERKSAMHETSBERATTELSE)
    assert "999" in [
        cell.text
        for table in year_end.tables_for("namndindikatorer")
        for row in table.rows
        for cell in row.cells
    ]


def test_the_delar2_assessments_are_the_occasions_not_helars(mini_an):  # noqa: F811
    occasion = ReportingOccasion.objects.create(board=mini_an.board, year=2022, kind="d2")
    goal = mini_an.goals["bemotande"]
    GoalAssessment.objects.create(
        occasion=occasion, board_goal=goal, level="ej_uppnatt", analysis="Vid delår 2."
    )
    report = build_interim(mini_an.board, 2022, DocumentKind.DELAR2)
    [line] = [
        cells for text, cells in rows_of(report, "malredovisning").items() if goal.title in text
    ]
    assert line[:2] == ["Ej uppnått", "Vid delår 2."]
    year_end = rows_of(
        build_document(mini_an.board, 2022, "verksamhetsberattelse"), "malredovisning"
    )
    [line] = [cells for text, cells in year_end.items() if goal.title in text]
    assert line[0] != "Ej uppnått"


# The verksamhetsberättelse's 21 reads (tests/test_report_queries.py: goal structure 3,
# indicators 2, values 2, targets 2, breakdown order 1, goal notes 1, assessments 1,
# assignments 2, budget 4, the document 3; the months, quarters and tertials of the year come in
# the same values query) and the year's forecasts 2. Exact, so a change either way is seen.
QUERIES = 23


def count_build(board) -> tuple[int, Report]:
    with CaptureQueriesContext(connection) as queries:
        report = build_interim(board, 2022, DocumentKind.DELAR2)
        render_xlsx(report)
    return len(queries), report


def test_the_query_count_is_flat(mini_an):  # noqa: F811
    small, small_report = count_build(mini_an.board)
    add_goal_with_indicators(mini_an.board, 15)
    large, large_report = count_build(mini_an.board)
    assert small == large == QUERIES
    rows = lambda report: sum(len(table.rows) for table in report.tables)  # noqa: E731
    assert rows(large_report) > rows(small_report) + 15 * 2


def test_the_page_and_the_workbook(client, demo_data, admin_user):
    client.force_login(admin_user)
    page = reverse("reports:delar2", args=["AN", 2022])
    assert page == "/namnd/AN/2022/delar2/"
    html = client.get(page).content.decode().replace("\xa0", " ")
    assert "Delårsrapport 2 2022 (31 augusti)" in html
    assert "Prognos 31 augusti" in html and "311 752" in html
    # The document walk: the outline's headings and the delår's own texts, in that order.
    assert html.index("Prognos 2022 per verksamhet") < html.index("Prognosen per den 31 augusti")
    assert "Delårsrapporten är en uppföljning av arbetsmarknadsnämndens verksamhet" in html
    assert reverse("reports:narratives", args=["AN", 2022, "delar2"]) in html
    # The delårsrapport as the Word document the board decides on.
    docx_url = reverse("reports:document_docx", args=["AN", 2022, "delar2"])
    assert docx_url in html
    document = Document(io.BytesIO(client.get(docx_url).content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Prognos 2022 per verksamhet" in headings
    cells = {
        cell.text.replace("\xa0", " ")
        for table in document.tables
        for row in table.rows
        for cell in row.cells
    }
    assert {"311 752", "308 752"} <= cells
    workbook_url = reverse("reports:delar2_xlsx", args=["AN", 2022])
    assert workbook_url in html
    response = client.get(workbook_url)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="delar2-AN-2022')
    book = load_workbook(io.BytesIO(response.content))
    sheet = next(ws for ws in book.worksheets if "Prognos" in (ws.title or ""))
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "Ekonomiskt bistånd" in values and 311752 in values
    home = client.get(reverse("reports:home")).content.decode()
    assert page in home and reverse("reports:delar1", args=["AN", 2022]) in home
    assert reverse("reports:delar2", args=["AN", 2021]) not in home  # no delår 2 in 2021


def test_a_year_without_the_occasion_is_a_swedish_404(client, demo_data, admin_user):
    client.force_login(admin_user)
    for name in ("reports:delar2", "reports:delar2_xlsx"):
        response = client.get(reverse(name, args=["AN", 2021]))
        assert response.status_code == 404
        message = NO_OCCASION.format(
            board="Arbetsmarknadsnämnden",
            occasion="delår 2",
            year=2021,
            document="delårsrapport 2",
        )
        assert message in response.content.decode()


@pytest.mark.parametrize("persona", ["controller_other", "outsider"])
def test_other_boards_get_404(client, mini_an, persona, request):  # noqa: F811
    ReportingOccasion.objects.create(board=mini_an.board, year=2022, kind="d2")
    client.force_login(request.getfixturevalue(persona))
    for name in ("reports:delar2", "reports:delar2_xlsx"):
        assert client.get(reverse(name, args=["AN", 2022])).status_code == 404


def test_the_boards_controller_sees_the_page(client, mini_an, controller_an):  # noqa: F811
    ReportingOccasion.objects.create(board=mini_an.board, year=2022, kind="d1")
    client.force_login(controller_an)
    response = client.get(reverse("reports:delar1", args=["AN", 2022]))
    assert response.status_code == 200
    assert "Delårsrapport 1 2022 (30 april)" in response.content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _cold_and_warm(client, url) -> tuple[int, int]:
    """Queries of a request that builds the report, and of the next one, which reuses it."""
    cache.clear()
    return _count(client, url), _count(client, url)


def test_the_pages_query_count_does_not_grow(client, mini_an, admin_user):  # noqa: F811
    ReportingOccasion.objects.create(board=mini_an.board, year=2022, kind="d2")
    client.force_login(admin_user)
    urls = [reverse(name, args=["AN", 2022]) for name in ("reports:delar2", "reports:delar2_xlsx")]
    before = {url: _cold_and_warm(client, url) for url in urls}
    add_goal_with_indicators(mini_an.board, 12)
    after = {url: _cold_and_warm(client, url) for url in urls}
    assert after == before
    cold, warm = before[urls[0]]
    assert warm <= cold - QUERIES + 2  # the second request reuses the built report
    assert "Extra indikator 11" in client.get(urls[0]).content.decode()
