"""The workbook, reopened with openpyxl: numbers as numbers with formats, text never a formula."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText

from reports.renderers.xlsx import number_format, render_xlsx, safe_sheet_title
from reports.report import Cell, build_report
from tests.test_report_fixtures import DASH_TEXT, FORMULA_TEXT, mini_an  # noqa: F401

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2023, 2, 14, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def report(mini_an):  # noqa: F811
    return build_report(mini_an.board, 2022, now=NOW)


@pytest.fixture
def workbook(report):
    return load_workbook(io.BytesIO(render_xlsx(report)), rich_text=True)


def find(ws, text, column=None):
    """The first cell whose text starts with `text` (optionally in one column)."""
    for row in ws.iter_rows():
        for cell in row:
            if column is not None and cell.column != column:
                continue
            if cell.value is not None and str(cell.value).startswith(text):
                return cell
    raise AssertionError(f"{text!r} not found on {ws.title}")


def right(ws, cell, steps=1):
    return ws.cell(row=cell.row, column=cell.column + steps)


def below(ws, cell, steps=1):
    return ws.cell(row=cell.row + steps, column=cell.column)


def test_one_sheet_per_table_group_in_report_order(workbook):
    assert workbook.sheetnames == [
        "Ekonomi, belopp i tkr",
        "Resultat 2022",
        "Investeringar",
        "Målredovisning",
        "Strategiska uppdrag",
        "Volymutveckling",
        "Personal",
        "Nämndindikatorer",
    ]


def test_every_sheet_has_board_year_and_generation_time(workbook, report):
    local = report.generated_at.strftime("%Y-%m-%d %H:%M")
    for ws in workbook.worksheets:
        assert ws["A1"].value == "Arbetsmarknadsnämnden – Verksamhetsberättelse 2022"
        assert ws["A1"].font.b
        assert ws["A2"].value == f"Skapad {local} i Styrkort"
        assert "Arbetsmarknadsnämnden" in ws.oddHeader.left.text
        assert "2022" in ws.oddHeader.center.text


def test_indicator_values_are_numbers_in_the_right_rows_and_columns(workbook):
    ws = workbook["Nämndindikatorer"]
    header = find(ws, "Nämndindikator", column=3)
    assert [right(ws, header, k).value for k in range(1, 5)] == ["2020", "2021", "2022", "Målvärde"]
    assert header.font.b
    name = find(ws, "Antal deltagare som avslutas", column=3)
    assert [right(ws, name, k).value for k in range(1, 5)] == [61, 44, 62, 120]
    assert all(right(ws, name, k).data_type == "n" for k in range(1, 5))
    assert right(ws, name, 1).number_format == "#,##0"
    # The 2022 value carries its footnote mark inside the number format, so it stays a number.
    assert right(ws, name, 3).number_format.startswith('#,##0" ')
    women, men = below(ws, name), below(ws, name, 2)
    assert str(women.value) == "Kvinnor" and str(men.value) == "Män"
    assert [right(ws, women, k).value for k in range(1, 4)] == [12, 19, 25]
    assert [right(ws, men, k).value for k in range(1, 4)] == [49, 25, 37]
    assert right(ws, women, 1).font.i and right(ws, men, 3).font.i

    survey = find(ws, "Andel positiva svar", column=3)
    assert right(ws, survey, 3).value == pytest.approx(88.9)
    assert right(ws, survey, 3).number_format.startswith("#,##0.0")
    assert right(ws, survey, 4).value == 88
    assert right(ws, survey, 4).number_format == '#,##0"\xa0%"'
    wait = find(ws, "Väntetid", column=3)
    assert [right(ws, wait, k).value for k in (1, 2, 4)] == [13, 15, 7]
    assert str(right(ws, wait, 3).value).startswith("I.U. ")


def test_unit_splits_are_text_and_negative_numbers_stay_numbers(workbook):
    ws = workbook["Nämndindikatorer"]
    access = find(ws, "Tillgänglighet", column=3)
    assert right(ws, access, 3).value == "AMC: 96,4 AMF: 85,7"
    deviation = find(ws, "Avvikelse mot budget", column=3)
    assert right(ws, deviation, 2).value == pytest.approx(-1.6)
    assert right(ws, deviation, 2).data_type == "n"
    operating = workbook["Resultat 2022"]
    refugees = find(operating, "Flyktingmottagande")
    assert right(operating, refugees, 3).value == -4914
    assert right(operating, refugees, 3).data_type == "n"


def test_economy_figures_in_tkr(workbook):
    ws = workbook["Resultat 2022"]
    line = find(ws, "Ekonomiskt bistånd")
    assert [right(ws, line, k).value for k in range(1, 5)] == [303504, 308752, 5249, 319223]
    assert right(ws, line, 1).number_format == "#,##0"
    total = find(ws, "Summa nettokostnader, tkr, inkl")
    assert total.font.b
    assert find(ws, "*Observera")
    invest = workbook["Investeringar"]
    group = find(invest, "Utgifter/inkomster sedan projektets start")
    assert any(str(rng) == f"B{group.row}:D{group.row}" for rng in invest.merged_cells.ranges)


def test_user_text_is_never_a_formula(workbook):
    formulas = [
        (ws.title, cell.coordinate)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    ws = workbook["Målredovisning"]
    cell = find(ws, "=SUM")
    assert cell.value == FORMULA_TEXT and cell.data_type == "s" and cell.quotePrefix
    dash = find(ws, "- en punkt")
    assert dash.value == DASH_TEXT and dash.data_type == "s"


def test_goal_cells_are_merged_with_italic_text(workbook):
    ws = workbook["Nämndindikatorer"]
    goal = find(ws, "Hög egenförsörjningsgrad", column=1)
    merged = [rng for rng in ws.merged_cells.ranges if rng.min_row == goal.row and rng.min_col == 1]
    assert len(merged) == 1 and merged[0].max_row == goal.row + 3
    achieved = [
        rng for rng in ws.merged_cells.ranges if rng.min_row == goal.row and rng.min_col == 2
    ]
    assert achieved and achieved[0].max_row == goal.row + 3
    # The covered cells carry the same style, so the merged area keeps its frame.
    last = ws.cell(row=goal.row + 3, column=1)
    assert last.border.bottom.style == "thin" and last.border.left.style == "thin"
    assert isinstance(goal.value, CellRichText)
    italic_parts = [block for block in goal.value if not isinstance(block, str) and block.font.i]
    assert italic_parts and "ska minska" in italic_parts[0].text
    assert goal.alignment.wrap_text


def test_footnotes_are_listed_under_their_table(workbook, report):
    ws = workbook["Volymutveckling"]
    note = find(ws, "¹ Team utreda")
    participants = find(ws, "Antal inskrivna")
    assert note.row > participants.row
    assert right(ws, participants, 1).value == 470
    assert right(ws, participants, 1).number_format == '#,##0" ¹"'
    indicators = workbook["Nämndindikatorer"]
    numbers = [
        n.number for t in report.tables if t.sheet == "namndindikatorer" for n in t.footnotes
    ]
    for number in numbers:
        mark = str(number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
        find(indicators, mark + " ")


def test_column_widths_fit_and_long_text_wraps(workbook):
    ws = workbook["Målredovisning"]
    # Six text columns share the width of A4 landscape (issue 15: not 273 characters at 6 pt).
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEF"}
    assert all(widths[letter] >= 18 for letter in "ACDEF") and sum(widths.values()) <= 160
    assert find(ws, "Professionellt bemötande").alignment.wrap_text
    indicators = workbook["Nämndindikatorer"]
    sick = find(indicators, "Total sjukfrånvaro", column=3)
    width = indicators.column_dimensions[right(indicators, sick, 3).column_letter].width
    assert width >= 20  # "7,6% (total, inkl BEA-anst) …" wraps within a readable width


def test_one_table_on_its_own(report):
    workbook = load_workbook(io.BytesIO(render_xlsx(report.select("personal"))))
    assert workbook.sheetnames == ["Personal"]
    ws = workbook["Personal"]
    row = find(ws, "Antal tillsvidareanställda")
    assert [right(ws, row, k).value for k in range(1, 6)] == [
        "-",
        "SOF: 110 UAF: 62",
        "SOF: 110 UAF: 63",
        "SOF: 104 UAF: 62",
        241,
    ]


def test_number_formats_for_each_cell_format():
    assert number_format(Cell.number(Decimal(3327), 0)) == "#,##0"
    assert number_format(Cell.number(Decimal("88.9"), 1)) == "#,##0.0"
    assert number_format(Cell.number(Decimal("0.25"), 2)) == "#,##0.00"
    assert number_format(Cell.number(Decimal("76.8"), 1, suffix="%")) == '#,##0.0"%"'
    assert number_format(Cell.number(Decimal(62), 0, marks=[16])) == '#,##0" ¹⁶"'


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    assert safe_sheet_title("Resultat: 2022/2023 [netto]", taken) == "Resultat  2022 2023  netto"
    long = "Nämndindikatorer för ett väldigt långt kommunövergripande mål"
    first = safe_sheet_title(long, taken)
    second = safe_sheet_title(long, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second


def test_plain_data_report_renders_without_database():
    from reports.renderers.xlsx import MAX_CELL_CHARS, TRUNCATED
    from reports.report import Column, Part, Report, ReportTable, Row, RowKind

    table = ReportTable(
        key="prov",
        title="Prov",
        columns=[Column("name", "Namn", wrap=True, width=30), Column("v", "Värde", numeric=True)],
        rows=[
            Row(RowKind.SECTION, [Cell("Avsnitt", colspan=2)]),
            Row(RowKind.DATA, [Cell("+46 70 000 00 00"), Cell.number(Decimal("-677"), 0)]),
            Row(RowKind.DATA, [Cell("@användare"), Cell("x" * 40_000)]),
            Row(
                RowKind.SUM,
                [
                    Cell(parts=[Part("Summa "), Part("kursiv", italic=True)]),
                    Cell.number(Decimal("1234.56"), 2),
                ],
            ),
        ],
    )
    report = Report("XX", "Provnämnden", 2024, NOW, [table])
    ws = load_workbook(io.BytesIO(render_xlsx(report)))["Prov"]
    section = find(ws, "Avsnitt")
    assert any(str(r) == f"A{section.row}:B{section.row}" for r in ws.merged_cells.ranges)
    phone = find(ws, "+46")
    assert phone.data_type == "s" and phone.quotePrefix
    assert right(ws, phone).value == -677 and right(ws, phone).data_type == "n"
    handle = find(ws, "@användare")
    long_text = right(ws, handle).value
    assert len(long_text) == MAX_CELL_CHARS and long_text.endswith(TRUNCATED)
    total = find(ws, "Summa")
    assert right(ws, total).value == pytest.approx(1234.56)
    assert right(ws, total).number_format == "#,##0.00" and right(ws, total).font.b
