"""Every board's verksamhetsberättelse for one year in one workbook, one sheet per board.

A contents sheet lists the boards with a link to each board's sheet; a board's sheet has all
of the board's tables one after another.

The board sheets are written by the per-board renderer's own _SheetWriter and named styles, so
every number is the same numeric cell with the same number format as in the board's own
download; only the grouping differs (one sheet per board instead of one per table group). Like
that renderer, the workbook is written in openpyxl's write-only mode, so the contents sheet is
written first, with the titles the board sheets will get.
"""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.hyperlink import Hyperlink

from core.gc_pause import gc_paused
from reports.renderers.xlsx import WriteOnlySheet, _SheetWriter, _Styles, safe_sheet_title
from reports.report.model import TEXT, Report

CONTENTS_TITLE = "Innehåll"
NO_TABLES = "Nämnden har inga tabeller i verksamhetsberättelsen det här året."
LINK_FONT = Font(color="0563C1", underline="single")


def workbook_title(year: int) -> str:
    return f"Verksamhetsberättelse {year} – alla nämnder"


def board_sheet_title(report: Report, taken: set[str]) -> str:
    """The board's code and name, cut to Excel's 31 characters and unique in the workbook."""
    return safe_sheet_title(f"{report.board_code} {report.board_name}", taken)


def _text(ws: WriteOnlySheet, text: str, style: str) -> Cell:
    """A text cell, never a formula whatever the text starts with (names are typed by users)."""
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.style = style
    if text.startswith("="):
        cell.quotePrefix = True  # else Excel reads it as a formula once the cell is edited
    return cell


def _write_contents(
    ws: WriteOnlySheet, styles: _Styles, year: int, boards: list[tuple[Report, str]]
) -> None:
    """Kortnamn and name of each board; the name links to the board's sheet."""
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 60
    ws.freeze_panes = "A5"
    created = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    ws.append([_text(ws, workbook_title(year), "sk_title")])
    ws.append([_text(ws, f"Skapad {created} i Styrkort. En flik per nämnd.", "sk_meta")])
    ws.append([])
    ws.append([_text(ws, "Kortnamn", "sk_header"), _text(ws, "Nämnd", "sk_header")])
    body = styles.body(TEXT, numeric=False, bold=False, italic=False, section=False)
    for report, title in boards:
        name = _text(ws, report.board_name, body)
        location = "'{}'!A1".format(title.replace("'", "''"))
        name.hyperlink = Hyperlink(ref="", location=location, tooltip=f"Gå till fliken {title}")
        name.font = LINK_FONT
        ws.append([_text(ws, report.board_code, body), name])


def _write_board(ws: WriteOnlySheet, styles: _Styles, report: Report) -> None:
    if report.tables:
        _SheetWriter(ws, styles, report, report.tables).write()
        return
    ws.append([_text(ws, f"{report.board_name} – {report.title}", "sk_title")])
    ws.append([_text(ws, NO_TABLES, "sk_meta")])


def render_all_boards_xlsx(reports: list[Report], year: int) -> bytes:
    """The reports (one per board, in the order given) as the bytes of one .xlsx file."""
    with gc_paused():
        return _render_all(reports, year)


def _render_all(reports: list[Report], year: int) -> bytes:
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Styrkort"
    workbook.properties.title = workbook_title(year)
    styles = _Styles(workbook)
    taken: set[str] = set()
    contents = workbook.create_sheet(safe_sheet_title(CONTENTS_TITLE, taken))
    boards = [(report, board_sheet_title(report, taken)) for report in reports]
    _write_contents(contents, styles, year, boards)
    for report, title in boards:
        _write_board(workbook.create_sheet(title), styles, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
