"""The AN 2022 workbook prints on A4 (issue 15): texts fit their rows, headers repeat, 8 pt or more.

The workbook is reopened with openpyxl. Row heights are checked against an estimate written
here from the stated metrics (Arial 10: 12,75 pt a line, about 1,15 characters of text per unit
of column width, word-wrapped), so a merged block sized for less text than it holds fails; the
LibreOffice test (test_export_libreoffice.py) checks the printed result itself.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from reports.renderers.xlsx import render_xlsx
from reports.report import RowKind, build_report

pytestmark = pytest.mark.django_db

LINE = 12.75  # points a line of Arial 10
PER_UNIT = 1.15  # characters of text a unit of column width
PRINTABLE = {"portrait": (523, 734), "landscape": (770, 487)}  # A4 within the margins, pt
UNIT_PT = 5.6  # a unit of column width on paper at 100 %


def wrapped_lines(text: str, width: float, per_unit: float = PER_UNIT) -> int:
    chars = max(int(width * per_unit) - 1, 1)
    lines = 0
    for paragraph in text.split("\n"):
        line = 0
        lines += 1
        for word in paragraph.split():
            if line and line + 1 + len(word) <= chars:
                line += 1 + len(word)
            elif line:
                lines += 1 + (len(word) - 1) // chars
                line = len(word) % chars or chars
            else:
                lines += (len(word) - 1) // chars
                line = len(word) % chars or chars
    return lines


def width_of(ws, first: int, last: int) -> float:
    return sum(ws.column_dimensions[get_column_letter(c)].width for c in range(first, last + 1))


def height_of(ws, row: int) -> float:
    return ws.row_dimensions[row].height or 15.0


@pytest.fixture
def report(demo_data):
    return build_report(demo_data, 2022)


@pytest.fixture
def workbook(report):
    return load_workbook(io.BytesIO(render_xlsx(report)), rich_text=True)


def test_every_merged_text_fits_its_rows(workbook):
    checked = 0
    for ws in workbook.worksheets:
        for merged in ws.merged_cells.ranges:
            value = ws.cell(merged.min_row, merged.min_col).value
            if value is None:
                continue
            text = str(value)
            width = width_of(ws, merged.min_col, merged.max_col)
            footnote = ws.cell(merged.min_row, merged.min_col).font.sz == 9
            lines = wrapped_lines(text, width, PER_UNIT * (1.1 if footnote else 1))
            line = 11.5 if footnote else LINE
            total = sum(height_of(ws, row) for row in range(merged.min_row, merged.max_row + 1))
            assert total >= lines * line, (
                f"{ws.title}!{merged.coord}: {total} pt för {lines} rader: {text[:60]!r}"
            )
            checked += 1
    assert checked > 40  # the goal blocks of Nämndindikatorer, group headers, footnotes


def test_every_text_cell_fits_its_row(workbook):
    for ws in workbook.worksheets:
        merged = {
            (row, col)
            for rng in ws.merged_cells.ranges
            for row in range(rng.min_row, rng.max_row + 1)
            for col in range(rng.min_col, rng.max_col + 1)
        }
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                if cell.value is None or (cell.row, cell.column) in merged:
                    continue
                if not cell.alignment.wrap_text:
                    continue
                bold = 1.0 / PER_UNIT if cell.font.b else 1.0
                lines = wrapped_lines(
                    str(cell.value), ws.column_dimensions[cell.column_letter].width, PER_UNIT * bold
                )
                assert height_of(ws, cell.row) >= lines * LINE, f"{ws.title}!{cell.coordinate}"
                assert height_of(ws, cell.row) <= 409  # Excel's tallest row


def test_investment_headers_fit_their_columns(workbook):
    ws = workbook["Investeringar"]
    for label in ("Utgifter/inkomster sedan projektets start", "Ack. utfall nettoinvesteringar"):
        cell = next(c for row in ws.iter_rows() for c in row if c.value == label)
        merged = [r for r in ws.merged_cells.ranges if cell.coordinate in r]
        last = merged[0].max_col if merged else cell.column
        width = width_of(ws, cell.column, last)
        # Every word on a line of its own at most: a header wraps between words, never inside.
        assert max(len(word) for word in label.split()) <= int(width) - 1
        assert height_of(ws, cell.row) >= wrapped_lines(label, width, 1.0) * LINE


def test_every_sheet_prints_on_a4_with_repeated_headers_at_8_pt_or_more(workbook):
    for ws in workbook.worksheets:
        setup = ws.page_setup
        assert int(setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert int(setup.fitToHeight) == 0, ws.title  # never squeezed to one page tall
        width = width_of(ws, 1, ws.max_column)
        assert setup.orientation == ("landscape" if width > 110 else "portrait"), ws.title
        scale = int(setup.scale) / 100
        printable_width, _ = PRINTABLE[setup.orientation]
        assert width * UNIT_PT * scale <= printable_width, f"{ws.title} is wider than the page"
        assert 10 * scale >= 8, f"{ws.title} prints at {10 * scale} pt"
        assert ws.page_margins.left == 0.5 and ws.page_margins.top == 0.75
        # The header of the sheet's first table repeats on every page and stays in view.
        first_label = ws.cell(1, 1)
        titles = ws.print_title_rows
        assert titles, ws.title
        first, last = (int(part.strip("$")) for part in titles.split(":"))
        assert ws.freeze_panes == f"A{last + 1}", ws.title
        header = [ws.cell(last, col).value for col in range(1, ws.max_column + 1)]
        assert all(header), f"{ws.title}: rad {last} är inte tabellhuvudet: {header}"
        assert ws.cell(last, 1).font.b and first_label.value
        assert first <= last


def test_malredovisning_reads_on_a4_landscape_and_keeps_every_word(workbook, report):
    ws = workbook["Målredovisning"]
    assert ws.page_setup.orientation == "landscape"
    assert width_of(ws, 1, 6) <= 160  # not 273 characters
    assert int(ws.page_setup.scale) >= 80
    # A long text continues in the rows below its goal; read back, nothing is lost.
    table = report.table("malredovisning")
    header = next(row[0].row for row in ws.iter_rows() if row[0].value == "Nämndmål")
    goal_rows = [
        row[0].row
        for row in ws.iter_rows(min_row=header + 1)
        if row[0].value is not None and not str(row[0].value).startswith("Målområde ")
    ]
    goals = [row for row in table.rows if row.kind != RowKind.SECTION]
    assert len(goal_rows) == len(goals) == 9
    ends = [*goal_rows[1:], ws.max_row + 1]
    split = 0
    for goal, start, end in zip(goals, goal_rows, ends, strict=True):
        rows = [
            r for r in range(start, end) if not str(ws.cell(r, 1).value or "").startswith("Målo")
        ]
        split += len(rows) > 1
        for column in range(3, 7):
            expected = goal.cells[column - 1].text
            printed = "\n".join(
                str(ws.cell(r, column).value) for r in rows if ws.cell(r, column).value
            )
            assert printed.replace("\n", " ").split() == expected.replace("\n", " ").split()
    assert split >= 3  # the long analyses of seed 001 do not fit one printed page
