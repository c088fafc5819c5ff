"""The report as an .xlsx workbook: one sheet per table (or group of tables), real numbers.

Numbers are numeric cells with number formats in the file's own syntax (`#,##0`, `#,##0.0`),
which Swedish Excel and LibreOffice show as `3 327` and `88,9`. A unit or a footnote mark after
a number is a literal inside the number format (`#,##0.0"% ⁷"`), so the value stays a number.
Every text is written as a string, never a formula, whatever it starts with.

The workbook is written in openpyxl's write-only mode: a sheet's cells are collected row by row
and streamed out once, without the ordinary worksheet's cell store. Styles are NamedStyles
registered once per workbook; a cell gets a copy of its style's index array (what openpyxl's
`cell.style = name` ends with, after a search through every name), so the cost per cell is one
small copy.
"""

from __future__ import annotations

import io
import math
import re
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.report.model import TEXT, Cell, Report, ReportTable, Row, RowKind

# A write-only sheet (openpyxl's WriteOnlyWorksheet). Its stubs leave out what openpyxl gives it
# at run time (row and column dimensions, merged cells, page setup), so it is typed loosely.
WriteOnlySheet = Any

BASE_FORMATS = {
    "int": "#,##0",
    "dec1": "#,##0.0",
    "dec2": "#,##0.00",
    "dec3": "#,##0.000",
    "dec4": "#,##0.0000",
}
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
TRUNCATED = " … (texten är avkortad här; hela texten finns i Styrkort)"
INVALID_SHEET_CHARS = re.compile(r"[\[\]\*\?/\\:]")
LINE_HEIGHT = 15.0
THIN = Side(style="thin", color="B0B0B0")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E8ECF0")
SECTION_FILL = PatternFill("solid", fgColor="F4F6F8")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def superscript(marks: list[int]) -> str:
    return " ".join(str(mark).translate(SUPERSCRIPT) for mark in marks)


def with_marks(text: str, marks: list[int]) -> str:
    return f"{text} {superscript(marks)}" if marks else text


def number_format(cell: Cell) -> str:
    """`#,##0.0`, plus the unit and footnote marks as a quoted literal when there are any."""
    literal = cell.suffix
    if cell.marks:
        literal += " " + superscript(cell.marks)
    base = BASE_FORMATS[cell.format]
    if not literal:
        return base
    return base + '"' + literal.replace('"', "") + '"'


def safe_sheet_title(title: str, taken: set[str]) -> str:
    base = INVALID_SHEET_CHARS.sub(" ", title).strip()[:31] or "Tabell"
    candidate, counter = base, 2
    while candidate.lower() in taken:
        suffix = f" {counter}"
        candidate = base[: 31 - len(suffix)] + suffix
        counter += 1
    taken.add(candidate.lower())
    return candidate


def _header_text(text: str) -> str:
    return text.replace("&", "&&")


class _Styles:
    """The workbook's named styles, created once and referred to by name."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.arrays: dict[str, object] = {}
        self.body_names: dict[tuple, str] = {}
        self.inline_fonts: dict[tuple[bool, bool], InlineFont] = {}
        self._add(NamedStyle("sk_title", font=Font(bold=True, size=14)))
        self._add(NamedStyle("sk_meta", font=Font(italic=True, color="555555")))
        self._add(NamedStyle("sk_heading", font=Font(bold=True, size=12)))
        self._add(NamedStyle("sk_subheading", font=Font(bold=True)))
        self._add(
            NamedStyle(
                "sk_header",
                font=Font(bold=True),
                fill=HEADER_FILL,
                border=BORDER,
                alignment=Alignment(wrap_text=True, vertical="bottom"),
            )
        )
        self._add(
            NamedStyle(
                "sk_header_num",
                font=Font(bold=True),
                fill=HEADER_FILL,
                border=BORDER,
                alignment=Alignment(wrap_text=True, vertical="bottom", horizontal="right"),
            )
        )
        self._add(
            NamedStyle(
                "sk_footnote",
                font=Font(size=9, color="333333"),
                alignment=Alignment(wrap_text=True, vertical="top"),
            )
        )

    def _add(self, style: NamedStyle) -> None:
        self.workbook.add_named_style(style)
        self.arrays[style.name] = style.as_tuple()

    def apply(self, cell: SheetCell, name: str) -> None:
        """cell.style = name, without openpyxl's search through the names for every cell."""
        # openpyxl's style array, which its stubs keep private.
        cell._style = copy(self.arrays[name])  # type: ignore[attr-defined]

    def body(
        self, cell_format: str, *, numeric: bool, bold: bool, italic: bool, section: bool
    ) -> str:
        key = (cell_format, numeric, bold, italic, section)
        name = self.body_names.get(key)
        if name is not None:
            return name
        name = self.body_names[key] = "sk_{}{}{}{}{}".format(
            cell_format,
            "_r" if numeric else "",
            "_b" if bold else "",
            "_i" if italic else "",
            "_s" if section else "",
        )
        if name not in self.arrays:
            self._add(
                NamedStyle(
                    name,
                    font=Font(bold=bold, italic=italic),
                    border=BORDER,
                    fill=SECTION_FILL if section else PatternFill(),
                    number_format=BASE_FORMATS.get(cell_format, "General"),
                    alignment=Alignment(
                        wrap_text=True, vertical="top", horizontal="right" if numeric else "left"
                    ),
                )
            )
        return name

    def inline_font(self, *, bold: bool, italic: bool) -> InlineFont:
        key = (bold, italic)
        font = self.inline_fonts.get(key)
        if font is None:
            font = self.inline_fonts[key] = InlineFont(b=bold or None, i=italic or None)
        return font


def _clip(text: str) -> str:
    if len(text) <= MAX_CELL_CHARS:
        return text
    return text[: MAX_CELL_CHARS - len(TRUNCATED)] + TRUNCATED


def _lines_needed(text: str, width: float) -> int:
    chars = max(int(width * 1.1), 1)
    if len(text) <= chars and "\n" not in text:
        return 1  # most cells: no need to split and count
    return sum(max(1, math.ceil(len(line) / chars)) for line in text.split("\n"))


class _SheetWriter:
    """Writes tables to a write-only sheet: cells are placed in a grid, then streamed in order."""

    def __init__(
        self, ws: WriteOnlySheet, styles: _Styles, report: Report, tables: list[ReportTable]
    ) -> None:
        self.ws = ws
        self.styles = styles
        self.report = report
        self.tables = tables
        self.row = 1
        self.grid: dict[int, dict[int, SheetCell]] = {}
        self.shown: dict[int, str] = {}  # id(cell) -> _display(cell), computed once per cell
        self.widths = self._column_widths()

    def _cell(self, row: int, column: int, style: str) -> SheetCell:
        cell = WriteOnlyCell(self.ws)
        self.styles.apply(cell, style)
        self.grid.setdefault(row, {})[column] = cell
        return cell

    def merge(
        self, first_row: int, first_column: int, last_row: int, last_column: int, style: str
    ) -> None:
        """Merge a range whose covered cells carry the top cell's style (borders included)."""
        self.ws.merged_cells.add(
            f"{get_column_letter(first_column)}{first_row}:"
            f"{get_column_letter(last_column)}{last_row}"
        )
        for row in range(first_row, last_row + 1):
            for column in range(first_column, last_column + 1):
                if row != first_row or column != first_column:
                    self._cell(row, column, style)

    def _stream(self) -> None:
        """Every row of the grid in order; a gap is an empty cell, a missing row an empty one."""
        grid = self.grid
        for row in range(1, max(grid, default=0) + 1):
            cells = grid.get(row)
            if not cells:
                self.ws.append([])
                continue
            line: list[SheetCell | None] = [None] * max(cells)
            for column, cell in cells.items():
                line[column - 1] = cell
            self.ws.append(line)

    def _shown(self, cell: Cell) -> str:
        text = self.shown.get(id(cell))
        if text is None:
            text = self.shown[id(cell)] = _display(cell)
        return text

    # -- layout ---------------------------------------------------------------------------
    def _column_widths(self) -> list[float]:
        count = max(len(table.columns) for table in self.tables)
        widths = [8.0] * count
        for table in self.tables:
            for index, column in enumerate(table.columns):
                if column.wrap and column.width:
                    widths[index] = max(widths[index], float(column.width))
                    continue
                longest = len(column.label) if not column.group else 8
                for row in table.rows:
                    if index < len(row.cells):
                        cell = row.cells[index]
                        if cell.colspan == 1 and not cell.covered:
                            longest = max(longest, len(self._shown(cell)) + 1)
                cap = 34 if column.numeric else 60
                widths[index] = max(widths[index], float(column.width or 0), min(longest + 2, cap))
        return widths

    def _table_width(self, table: ReportTable) -> int:
        return len(table.columns)

    def write(self) -> None:
        ws = self.ws
        for index, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        self._text(1, f"{self.report.board_name} – {self.report.title}", "sk_title", row=1)
        created = self.report.generated_at.strftime("%Y-%m-%d %H:%M")
        self._text(1, f"Skapad {created} i Styrkort", "sk_meta", row=2)
        self.row = 2
        for table in self.tables:
            self.row += 2
            self._write_table(table)
        header, footer = ws.HeaderFooter.oddHeader, ws.HeaderFooter.oddFooter
        header.left.text = _header_text(self.report.board_name)
        header.center.text = _header_text(self.report.title)
        header.right.text = _header_text(f"Skapad {created}")
        footer.center.text = "Sida &P av &N"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        self._stream()

    def _text(self, column: int, text: str, style: str, row: int | None = None) -> SheetCell:
        cell = self._cell(row or self.row, column, style)
        cell.value = _clip(text)
        cell.data_type = "s"
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True  # a goal title or note typed as "=…" stays text in Excel
        return cell

    def _write_table(self, table: ReportTable) -> None:
        for heading in table.headings:
            self._text(1, heading, "sk_heading")
            self.row += 1
        if not table.headings:
            self._text(1, table.title, "sk_heading")
            self.row += 1
        self._write_header(table)
        for body_row in table.rows:
            self.row += 1
            self._write_row(table, body_row)
        width = self._table_width(table)
        for note in table.footnotes:
            self.row += 1
            self._footnote(f"{superscript([note.number])} {note.text}", width)
        for text in table.notes:
            self.row += 1
            self._footnote(text, width)

    def _footnote(self, text: str, width: int) -> None:
        self._text(1, text, "sk_footnote")
        if width > 1:
            self.merge(self.row, 1, self.row, width, "sk_footnote")
        total = sum(self.widths[:width])
        lines = _lines_needed(text, total)
        if lines > 1:
            self.ws.row_dimensions[self.row].height = LINE_HEIGHT * 0.85 * lines

    def _write_header(self, table: ReportTable) -> None:
        if table.has_groups:
            for group in table.column_groups():
                first = group.start + 1
                self._text(first, group.label, "sk_header")
                if group.span > 1:
                    self.merge(self.row, first, self.row, first + group.span - 1, "sk_header")
            self.row += 1
        for index, column in enumerate(table.columns, start=1):
            self._text(index, column.label, "sk_header_num" if column.numeric else "sk_header")

    def _write_row(self, table: ReportTable, body_row: Row) -> None:
        ws = self.ws
        section = body_row.kind == RowKind.SECTION
        lines = 1
        column_index = 0
        for cell in body_row.cells:
            column_index += 1
            if cell.covered:
                continue
            column = table.columns[column_index - 1] if column_index <= len(table.columns) else None
            numeric = bool(column and column.numeric)
            style = self.styles.body(
                cell.format if cell.is_number else TEXT,
                numeric=numeric,
                bold=cell.bold or body_row.kind == RowKind.SUM,
                italic=cell.italic or body_row.kind == RowKind.BREAKDOWN,
                section=section,
            )
            target = self._cell(self.row, column_index, style)
            if cell.is_number:
                target.value = cell.value
                if cell.suffix or cell.marks:
                    target.number_format = number_format(cell)
            else:
                self._write_text(
                    target, cell, style, bold=cell.bold or body_row.kind == RowKind.SUM
                )
            span_end = column_index + cell.colspan - 1
            if cell.colspan > 1 or cell.rowspan > 1:
                self.merge(self.row, column_index, self.row + cell.rowspan - 1, span_end, style)
            if cell.rowspan == 1:
                width = sum(self.widths[column_index - 1 : span_end])
                lines = max(lines, _lines_needed(self._shown(cell), width))
            column_index = span_end
        if lines > 1:
            ws.row_dimensions[self.row].height = LINE_HEIGHT * lines

    def _write_text(self, target: SheetCell, cell: Cell, style: str, *, bold: bool) -> None:
        parts = cell.display_parts()
        if cell.parts is not None and any(part.italic for part in parts):
            rich = CellRichText()
            for part in parts:
                font = self.styles.inline_font(bold=bold, italic=part.italic or cell.italic)
                rich.append(TextBlock(font, _clip(with_marks(part.text, part.marks))))
            target.value = rich
            if str(rich).startswith(FORMULA_START):
                target.quotePrefix = True
            return
        text = self._shown(cell)
        if not text:
            return
        target.value = _clip(text)
        target.data_type = "s"  # never a formula, whatever the text starts with
        if text.startswith(FORMULA_START):
            target.quotePrefix = True


def _display(cell: Cell) -> str:
    """The cell's text with footnote marks, as it appears in the workbook."""
    if cell.is_number:
        return with_marks(cell.text, cell.marks)
    if cell.parts is not None:
        text = "".join(with_marks(part.text, part.marks) for part in cell.parts)
        return with_marks(text, cell.marks)
    return with_marks(cell.text, cell.marks)


def render_xlsx(report: Report) -> bytes:
    """The whole report (or a report.select(key) of it) as the bytes of an .xlsx file."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Styrkort"
    workbook.properties.title = f"{report.board_name} – {report.title}"
    styles = _Styles(workbook)
    taken: set[str] = set()
    for sheet in report.sheets():
        ws = workbook.create_sheet(safe_sheet_title(sheet.title, taken))
        _SheetWriter(ws, styles, report, sheet.tables).write()
    if not workbook.worksheets:
        workbook.create_sheet("Rapport")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
