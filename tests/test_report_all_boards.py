"""The verksamhetsberättelse of every board the user may export, for one year, as one .xlsx."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from goals.models import Board, BoardRole, Role
from goals.periods import PeriodType
from reports.freshness import data_token
from reports.renderers.xlsx import XLSX_CONTENT_TYPE
from reports.report import get_report
from reports.views.municipality_report import NO_BOARDS, NO_BOARDS_IN_YEAR, export_boards
from tests.conftest import make_user
from tests.entry_data import VALUE_YEARS, goal_chain
from tests.test_export_xlsx import find, right
from tests.test_report_fixtures import add_goal_with_indicators, mini_an  # noqa: F401

pytestmark = pytest.mark.django_db
YEAR = 2022
URL = reverse("reports:report_xlsx_all", args=[YEAR])
AN_SHEET = "AN Arbetsmarknadsnämnden"
BIN_SHEET = "BIN Bildningsnämnden"


@pytest.fixture
def boards(mini_an, board_other):  # noqa: F811
    """AN with the full mini report, BIN with one goal chain of its own."""
    goal_chain(
        board_other,
        goals=1,
        indicators_per_goal=1,
        frequency=PeriodType.YEAR,
        value_years=VALUE_YEARS,
    )
    return mini_an.board, board_other


def download(client, user, url: str = URL):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response, load_workbook(io.BytesIO(response.content), rich_text=True)


def own_export(client):
    """AN's own workbook, as report_xlsx gives it to the same user."""
    response = client.get(reverse("reports:report_xlsx", args=["AN", YEAR]))
    return load_workbook(io.BytesIO(response.content), rich_text=True)


def texts(workbook) -> str:
    return "\n".join(
        str(cell.value)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    )


def numbers(ws) -> set:
    return {
        cell.value for row in ws.iter_rows() for cell in row if cell.data_type == "n" and cell.value
    }


def test_an_administrator_gets_contents_and_one_sheet_per_board(client, admin_user, boards):
    response, workbook = download(client, admin_user)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="verksamhetsberattelse-alla-namnder-{YEAR}.xlsx"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert workbook.sheetnames == ["Innehåll", AN_SHEET, BIN_SHEET]
    contents = workbook["Innehåll"]
    assert contents["A1"].value == f"Verksamhetsberättelse {YEAR} – alla nämnder"
    assert [(contents[f"A{r}"].value, contents[f"B{r}"].value) for r in (5, 6)] == [
        ("AN", "Arbetsmarknadsnämnden"),
        ("BIN", "Bildningsnämnden"),
    ]
    assert contents["B5"].hyperlink.location == f"'{AN_SHEET}'!A1"
    assert contents["B6"].hyperlink.location == f"'{BIN_SHEET}'!A1"
    assert workbook[BIN_SHEET]["A1"].value == f"Bildningsnämnden – Verksamhetsberättelse {YEAR}"


def test_a_board_sheet_has_every_table_of_the_board_in_report_order(client, admin_user, boards):
    _, workbook = download(client, admin_user)
    single = own_export(client)
    ws = workbook[AN_SHEET]
    headings = [cell.value for cell in ws["A"] if cell.style == "sk_heading"]
    single_headings = [
        cell.value
        for sheet in single.worksheets
        for cell in sheet["A"]
        if cell.style == "sk_heading"
    ]
    assert headings == single_headings
    assert len(headings) >= len(single.sheetnames)


def matching_rows(board_sheet, single) -> list[tuple[object, int]]:
    """Each sheet of the board's own export, with the row of the board sheet where it goes on.

    A sheet's tables start on row 4 (rows 1-3: title, time of creation, a blank line).
    """
    found, start = [], 3
    column_a = [(cell.row, cell.value, cell.style) for cell in board_sheet["A"]]
    for sheet in single.worksheets:
        first = sheet["A4"]
        start = next(
            row
            for row, value, style in column_a
            if row > start and (value, style) == (first.value, first.style)
        )
        found.append((sheet, start))
    return found


def test_every_cell_of_the_boards_own_export_is_on_its_sheet_the_same(client, admin_user, boards):
    """Numbers stay numeric cells with the same values and number formats, text the same text."""
    _, workbook = download(client, admin_user)
    single = own_export(client)
    ws = workbook[AN_SHEET]
    numbers_compared = 0
    for sheet, start in matching_rows(ws, single):
        for row in sheet.iter_rows(min_row=4):
            for cell in row:
                other = ws.cell(row=start + cell.row - 4, column=cell.column)
                assert (str(other.value), other.data_type, other.number_format) == (
                    str(cell.value),
                    cell.data_type,
                    cell.number_format,
                ), f"{sheet.title}!{cell.coordinate}"
                numbers_compared += cell.data_type == "n" and cell.value is not None
    assert numbers_compared > 50
    # One nämndindikator as the per-board export test reads it: numeric, same values.
    name = find(ws, "Antal deltagare som avslutas", column=3)
    cells = [right(ws, name, k) for k in range(1, 5)]
    assert [c.value for c in cells] == [61, 44, 62, 120]
    assert all(c.data_type == "n" for c in cells)


def test_a_secretary_of_two_boards_gets_those_two(client, boards, municipality):
    an, other = boards
    Board.objects.create(
        municipality=municipality, code="KFN", name="Kultur- och fritidsnämnden", valid_from=2019
    )
    secretary = make_user("sekreterare_tva", Role.SECRETARY, other)
    BoardRole.objects.create(user=secretary, role=Role.SECRETARY, board=an)
    _, workbook = download(client, secretary)
    assert workbook.sheetnames == ["Innehåll", AN_SHEET, BIN_SHEET]
    assert "Kultur- och fritidsnämnden" not in texts(workbook)


def test_a_municipality_wide_role_gets_every_board_of_the_year(client, boards, municipality):
    Board.objects.create(
        municipality=municipality, code="KFN", name="Kultur- och fritidsnämnden", valid_from=2019
    )
    Board.objects.create(
        municipality=municipality, code="GN", name="Gamla nämnden", valid_from=2015, valid_to=2021
    )
    _, workbook = download(client, make_user("kommuncontroller", Role.CONTROLLER, None))
    assert workbook.sheetnames == [
        "Innehåll",
        AN_SHEET,
        BIN_SHEET,
        "KFN Kultur- och fritidsnämnden",
    ]
    assert "Gamla nämnden" not in texts(workbook)


def test_sheet_titles_are_cut_to_31_characters(client, admin_user, boards, municipality):
    Board.objects.create(
        municipality=municipality,
        code="SBN",
        name="Samhällsbyggnadsnämnden: plan/bygg [och miljö]",
        valid_from=2019,
    )
    _, workbook = download(client, admin_user)
    assert workbook.sheetnames[-1] == "SBN Samhällsbyggnadsnämnden  pl"
    assert workbook["Innehåll"]["B7"].hyperlink.location == "'SBN Samhällsbyggnadsnämnden  pl'!A1"


def test_a_board_scoped_user_never_gets_another_boards_names_or_figures(
    client, admin_user, controller_other, boards
):
    _, everything = download(client, admin_user)
    _, workbook = download(client, controller_other)
    assert workbook.sheetnames == ["Innehåll", BIN_SHEET]
    text = texts(workbook)
    assert "Arbetsmarknadsnämnden" not in text
    assert "Antal deltagare som avslutas" not in text
    an_figures = numbers(everything[AN_SHEET]) - numbers(everything[BIN_SHEET])
    assert an_figures, "AN must have figures of its own for the check to mean anything"
    assert not numbers(workbook[BIN_SHEET]) & an_figures
    # BIN's sheet is the same as in the administrator's workbook.
    assert numbers(workbook[BIN_SHEET]) == numbers(everything[BIN_SHEET])


def test_a_user_without_boards_gets_404(client, outsider, boards, security_log):
    client.force_login(outsider)
    assert client.get(URL).status_code == 404
    denied = security_log.events("access_denied")
    assert [(e["user"], e["detail"]["action"]) for e in denied] == [("utomstaende", "export")]
    with pytest.raises(Http404, match=NO_BOARDS):
        export_boards(outsider, YEAR)


def test_a_year_without_any_of_the_users_boards_is_404(client, controller_other, admin_user):
    client.force_login(controller_other)
    assert client.get(reverse("reports:report_xlsx_all", args=[2018])).status_code == 404
    client.force_login(admin_user)
    assert client.get(reverse("reports:report_xlsx_all", args=[2018])).status_code == 404
    with pytest.raises(Http404, match=NO_BOARDS_IN_YEAR):
        export_boards(controller_other, 2018)


def test_anonymous_visitors_are_sent_to_the_login(client, boards):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_home_links_the_years_in_which_a_board_of_the_user_existed(client, municipality, outsider):
    new_board = Board.objects.create(
        municipality=municipality, code="NY", name="Nya nämnden", valid_from=2021
    )
    goal_chain(
        new_board,
        goals=1,
        indicators_per_goal=1,
        frequency=PeriodType.YEAR,
        value_years=VALUE_YEARS,
    )
    client.force_login(make_user("controller_ny", Role.CONTROLLER, new_board))
    html = client.get(reverse("reports:home")).content.decode()
    for year in (2022, 2021):
        assert reverse("reports:report_xlsx_all", args=[year]) in html
        assert f"Verksamhetsberättelse {year}, alla nämnder (Excel)" in html
    assert reverse("reports:goal_tree", args=["NY", 2020]) in html  # the page lists 2020 …
    assert (
        reverse("reports:report_xlsx_all", args=[2020]) not in html
    )  # … but the board began in 2021
    client.force_login(outsider)
    assert "alla-namnder" not in client.get(reverse("reports:home")).content.decode()


# -- queries -------------------------------------------------------------------------------
# Fixed per request: session, user, the user's roles, the boards, and saving the session
# (SESSION_SAVE_EVERY_REQUEST: one UPDATE, core.sessions).
FIXED = 5


def count_export(client) -> int:
    """Queries of one export that builds every report (none is taken from the cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def count_report(board) -> int:
    """Queries of building one board's report, without reading the data token (the export
    reads it once for all boards)."""
    cache.clear()
    token = data_token()
    with CaptureQueriesContext(connection) as queries:
        get_report(board, YEAR, token=token)
    return len(queries)


def test_query_count_is_flat_in_indicators_goals_and_years(client, admin_user, boards):
    """The same number of queries with 15 more indicators on AN and more goals and years on BIN."""
    client.force_login(admin_user)
    client.get(URL)  # first request of the session
    small = count_export(client)
    an, other = boards
    add_goal_with_indicators(an, 15)
    goal_chain(
        other,
        goals=3,
        indicators_per_goal=4,
        frequency=PeriodType.YEAR,
        value_years=(2017, 2018, 2019, 2020, 2021, 2022),
    )
    large = count_export(client)
    # Both boards' reports are read together, in the queries of AN's (the one with budget
    # lines and projects, whose amounts a board without them does not read).
    assert small == large == FIXED + 1 + max(count_report(an), count_report(other))


def test_query_count_is_flat_in_the_number_of_boards(client, admin_user, municipality):
    """FIXED + the queries of one board's report, for one, two or three boards.

    The export reads the data token once, then every board's report in the queries of one
    (reports.report.build.build_reports), flat in the boards' goals, indicators and years
    (tests/test_report_queries.py). It used to add one report's queries per board (16 for
    these boards: 22 per board at size L). A repeated export sends the kept file: 5 + 1.
    """
    client.force_login(admin_user)
    counts, per_board = [], set()
    for number in range(1, 4):
        board = Board.objects.create(
            municipality=municipality, code=f"N{number}", name=f"Nämnd {number}", valid_from=2019
        )
        goal_chain(
            board,
            goals=number,
            indicators_per_goal=2,
            frequency=PeriodType.YEAR,
            value_years=VALUE_YEARS,
        )
        if number == 1:
            client.get(URL)  # first request of the session
        counts.append(count_export(client))
        per_board.add(count_report(board))
    (step,) = per_board
    assert counts == [FIXED + 1 + step] * 3
    client.get(URL)  # count_report() emptied the cache: keep the file again
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    assert len(queries) == FIXED + 1  # the same data: the kept file
