"""Write a board-year's structure as the structure workbook (.xlsx)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from goals.deadlines import due_quarter
from goals.models import Board
from indicators.models import Breakdown
from indicators.structure_workbook import sheets
from indicators.structure_workbook.state import State, Triple, load_state


def ref_text(ref: tuple) -> str:
    """A footnote's reference in words: NM-1, IND-3, IND-3 mål 2022 Totalt, IND-3 utfall 2022 Män."""
    kind = ref[0]
    if kind in ("goal", "indicator"):
        return ref[1]
    word = "mål" if kind == "target" else "utfall"
    return f"{ref[1]} {word} {ref[2]} {Breakdown.make_label(*ref[3])}"


IU = "I.U."


def cell_value(column: sheets.Column, value: Any, record: dict[str, Any]) -> Any:
    """The canonical value as the cell shows it (None for an empty cell)."""
    if column.key == "value" and value is None and record.get("missing_reason"):
        return IU  # an outcome given as I.U., its reason in the next columns
    if column.key == "due_quarter":
        # Empty means "read from the deadline": write the quarter only where that differs.
        if value is None:
            return sheets.NO_QUARTER if due_quarter(record["deadline"]) is not None else None
        return value
    if column.kind == sheets.BOOL:
        return sheets.YES if value else sheets.NO
    if column.kind == sheets.CHOICE:
        return sheets.label_of(column, value) if value else None
    if column.kind == sheets.REFS:
        return "; ".join(value) or None
    if column.kind in (sheets.INT, sheets.NUMBER):
        return value
    if column.key == "breakdown":
        return Breakdown.make_label(*value)
    if column.key == "refs":
        return "; ".join(ref_text(ref) for ref in value)
    return value if value != "" else None


def _write_cell(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None:
        return
    if isinstance(value, str):
        # Text stays text: openpyxl would turn a leading "=" into a formula.
        cell.value = value
        cell.data_type = "s"
        if value.startswith("="):
            cell.quotePrefix = True
    elif isinstance(value, Decimal):
        cell.value = value
        exponent = value.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        cell.number_format = "#,##0" if decimals == 0 else "#,##0." + "0" * decimals
    else:
        cell.value = value


def _sheet(wb: Workbook, sheet: sheets.Sheet, records: list[dict[str, Any]]) -> None:
    ws = wb.create_sheet(sheet.title)
    bold = Font(bold=True)
    for col, column in enumerate(sheet.columns, start=1):
        _write_cell(ws, sheets.HEADER_ROW, col, column.header)
        ws.cell(row=sheets.HEADER_ROW, column=col).font = bold
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = column.width
    for row, record in enumerate(records, start=sheets.FIRST_ROW):
        for col, column in enumerate(sheet.columns, start=1):
            _write_cell(ws, row, col, cell_value(column, record[column.key], record))
    ws.freeze_panes = "A2"
    if sheet.help:
        ws.cell(row=sheets.HEADER_ROW, column=1).comment = Comment(sheet.help, "Styrkort")


def _records(state: State, kind: str) -> list[dict[str, Any]]:
    return [entry.record for entry in state.kind(kind).values()]


def build_workbook(state: State) -> bytes:
    wb = Workbook()
    for default in wb.worksheets:
        wb.remove(default)
    _sheet(wb, sheets.BOARD_SHEET, [{"board": state.board.code, "year": state.year}])
    for sheet in sheets.SHEETS[1:]:
        _sheet(wb, sheet, _records(state, sheet.key))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_structure(*, board: Board, year: int) -> bytes:
    """The board's structure for the year as an .xlsx workbook, one sheet per kind."""
    return build_workbook(load_state(board, year))


__all__ = ["Triple", "export_structure", "ref_text"]
