"""The report as an .xlsx workbook: one sheet per table (or group of tables), real numbers.

Numbers are numeric cells with number formats in the file's own syntax (`#,##0`, `#,##0.0`),
which Swedish Excel and LibreOffice show as `3 327` and `88,9`. A unit or a footnote mark after
a number is a literal inside the number format (`#,##0.0"% ⁷"`), so the value stays a number.
Every text is written as a string, never a formula, whatever it starts with.

Print layout: every sheet is set in Arial 10 (Liberation Sans in LibreOffice, the same metrics),
so the row heights estimated here from characters per line hold in Excel and LibreOffice, which
do not grow a merged or explicitly sized row. A row is given the height its longest text needs at
its column width (word-wrapped, explicit newlines kept); a vertically merged block gets rows whose
total height fits its text; a text too long for one printed page (rows never break across pages)
continues in the rows below, paragraph by paragraph. A sheet wider than the page has its text
columns narrowed so that it prints fitted to width at no less than about 9 pt; header rows repeat
on every printed page and stay in view (freeze panes).

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
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from core.gc_pause import gc_paused
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
FONT_NAME = "Arial"  # Liberation Sans in LibreOffice: the same metrics, so the same line breaks
FONT_SIZE = 10
LINE_HEIGHT = 12.75  # points per line of 10 pt text (Excel's row height for Arial 10)
FOOTNOTE_LINE_HEIGHT = 11.5  # 9 pt
ROW_PADDING = 2.5
DEFAULT_ROW_HEIGHT = 15.0  # openpyxl's defaultRowHeight: a row given no height
MAX_ROW_LINES = 22  # a taller text continues in the next row: a row never breaks across pages
# Characters of text per unit of column width (the width of a digit): Arial's average letter is
# narrower than a digit, bold wider; one character is kept free for the cell's padding.
CHARS_PER_UNIT = 1.15
BOLD_CHARS_PER_UNIT = 1.0
# The printable width of A4 with the margins below, in column-width units (7 px a unit + 5 px
# padding per column, 0.75 pt a px): a sheet wider than the portrait page is printed landscape,
# and one wider than SHEET_WIDTH has its text columns narrowed (fitted to width, the text then
# prints at 10 pt × 770 / ((7 × 160 + 5 × columns) × 0.75) ≥ 8,5 pt).
PORTRAIT_WIDTH = 110
SHEET_WIDTH = 160
MIN_TEXT_WIDTH = 18
MAX_NUMERIC_WIDTH = 22
MARGINS = dict(left=0.5, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.3)  # inches
# The printable A4 area within those margins, in points: (width, height) per orientation.
PRINTABLE = {"portrait": (595 - 72, 842 - 108), "landscape": (842 - 72, 595 - 108)}
POINTS_PER_UNIT = 5.6  # a unit of column width: a digit of Arial 10 (7,4 px, 0.75 pt a px)
PAGE_SLACK = 0.94  # a page is filled to this share: the applications' row heights may differ
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
        _set_default_font(workbook)
        self._add(NamedStyle("sk_title", font=_font(bold=True, size=14)))
        self._add(NamedStyle("sk_meta", font=_font(italic=True, color="555555")))
        self._add(NamedStyle("sk_heading", font=_font(bold=True, size=12)))
        self._add(NamedStyle("sk_subheading", font=_font(bold=True)))
        self._add(
            NamedStyle(
                "sk_header",
                font=_font(bold=True),
                fill=HEADER_FILL,
                border=BORDER,
                alignment=Alignment(wrap_text=True, vertical="bottom"),
            )
        )
        self._add(
            NamedStyle(
                "sk_header_num",
                font=_font(bold=True),
                fill=HEADER_FILL,
                border=BORDER,
                alignment=Alignment(wrap_text=True, vertical="bottom", horizontal="right"),
            )
        )
        self._add(
            NamedStyle(
                "sk_footnote",
                font=_font(size=9, color="333333"),
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
                    font=_font(bold=bold, italic=italic),
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
            font = self.inline_fonts[key] = InlineFont(
                rFont=FONT_NAME, sz=FONT_SIZE, b=bold or None, i=italic or None
            )
        return font


def _clip(text: str) -> str:
    if len(text) <= MAX_CELL_CHARS:
        return text
    return text[: MAX_CELL_CHARS - len(TRUNCATED)] + TRUNCATED


def _font(
    *, bold: bool = False, italic: bool = False, size: float = FONT_SIZE, **rest: Any
) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic, **rest)


def _set_default_font(workbook: Workbook) -> None:
    """The workbook's Normal font (font 0, which the column width unit is measured in): Arial 10.

    openpyxl has no setter for it; its workbook keeps the fonts in `_fonts`, Normal first.
    """
    font = _font()
    workbook._fonts = IndexedList([font])  # type: ignore[attr-defined]
    normal = workbook._named_styles["Normal"]  # type: ignore[attr-defined]
    normal.font = font


def _chars_per_line(width: float, *, bold: bool = False) -> int:
    return max(int(width * (BOLD_CHARS_PER_UNIT if bold else CHARS_PER_UNIT)) - 1, 1)


def _paragraph_lines(paragraph: str, chars: int) -> int:
    """Lines of one paragraph word-wrapped at `chars` characters (a long word is broken)."""
    if len(paragraph) <= chars:
        return 1
    lines, used = 1, 0
    for word in paragraph.split():
        length = len(word)
        if used and used + 1 + length <= chars:
            used += 1 + length
            continue
        if used:
            lines += 1
        lines += (length - 1) // chars
        used = length - (length - 1) // chars * chars
    return lines


def _lines_needed(text: str, width: float, *, bold: bool = False) -> int:
    chars = _chars_per_line(width, bold=bold)
    if len(text) <= chars and "\n" not in text:
        return 1  # most cells: no need to split and count
    return sum(_paragraph_lines(line, chars) for line in text.split("\n"))


def _height(lines: int, line_height: float = LINE_HEIGHT) -> float:
    return round(lines * line_height + ROW_PADDING, 2)


def _pieces(paragraph: str, chars: int) -> list[str]:
    """A paragraph too long for one row, cut at sentence ends (or between words)."""
    sentences = re.split(r"(?<=[.!?])\s+", paragraph)
    if len(sentences) == 1:
        sentences = paragraph.split(" ")
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        candidate = f"{current} {sentence}" if current else sentence
        if current and _paragraph_lines(candidate, chars) > MAX_ROW_LINES:
            pieces.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def _chunks(text: str, width: float) -> list[str]:
    """The text in parts of at most MAX_ROW_LINES lines each, split between paragraphs."""
    chars = _chars_per_line(width)
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for paragraph in text.split("\n"):
        lines = _paragraph_lines(paragraph, chars)
        pieces = [paragraph] if lines <= MAX_ROW_LINES else _pieces(paragraph, chars)
        for piece in pieces:
            lines = _paragraph_lines(piece, chars)
            if current and used + lines > MAX_ROW_LINES:
                chunks.append("\n".join(current))
                current, used = [], 0
            current.append(piece)
            used += lines
    if current:
        chunks.append("\n".join(current))
    # A part that is only blank lines (between paragraphs) goes with the one before it.
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()] or [text]


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
        self.heights: dict[int, float] = {}  # row -> the height its own cells need
        self.blocks: list[tuple[int, int, float]] = []  # vertical merges: first, last, height
        self.header_rows: tuple[int, int] | None = None  # the first table's header
        self.parts: list[list[Row]] = []  # the rows a long row was split into
        self.keep: list[tuple[int, int]] = []  # rows printed on one page: heading to first row
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

    def _need(self, row: int, height: float) -> None:
        if height > self.heights.get(row, 0.0):
            self.heights[row] = height

    def _set_heights(self) -> None:
        """Each row's height; a merged block's rows grown evenly until the block fits its text."""
        heights = self.heights
        for first, last, needed in self.blocks:
            rows = range(first, last + 1)
            total = sum(heights.get(row, DEFAULT_ROW_HEIGHT) for row in rows)
            if total < needed:
                extra = (needed - total) / len(rows)
                for row in rows:
                    heights[row] = round(heights.get(row, DEFAULT_ROW_HEIGHT) + extra + 0.01, 2)
        for row, height in heights.items():
            if height > DEFAULT_ROW_HEIGHT:
                self.ws.row_dimensions[row].height = min(height, 409.0)  # Excel's maximum

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
        wraps = [False] * count
        for table in self.tables:
            for index, column in enumerate(table.columns):
                # A header's longest word fits on its line: it wraps between words only.
                label_words = max((len(word) for word in column.label.split()), default=0)
                label_width = float(math.ceil(label_words / BOLD_CHARS_PER_UNIT + 2))
                if column.wrap and column.width:
                    wraps[index] = True
                    widths[index] = max(widths[index], float(column.width), label_width)
                    continue
                longest = len(column.label) if not column.group else 8
                for row in table.rows:
                    if index < len(row.cells):
                        cell = row.cells[index]
                        if cell.colspan == 1 and not cell.covered:
                            longest = max(longest, len(self._shown(cell)) + 1)
                cap = MAX_NUMERIC_WIDTH if column.numeric else 60
                widths[index] = max(
                    widths[index],
                    float(column.width or 0),
                    min(longest + 2, cap),
                    label_width,
                )
        return _narrowed(widths, wraps)

    def _table_width(self, table: ReportTable) -> int:
        return len(table.columns)

    def write(self) -> None:
        ws = self.ws
        for index, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        self._text(1, f"{self.report.board_name} – {self.report.title}", "sk_title", row=1)
        self._need(1, 18.0)
        created = self.report.generated_at.strftime("%Y-%m-%d %H:%M")
        self._text(1, f"Skapad {created} i Styrkort", "sk_meta", row=2)
        self.row = 2
        for table in self.tables:
            self.row += 2
            self._write_table(table)
        self._set_heights()
        self._page_setup(created)
        self._stream()

    def _page_setup(self, created: str) -> None:
        ws = self.ws
        header, footer = ws.HeaderFooter.oddHeader, ws.HeaderFooter.oddFooter
        header.left.text = _header_text(self.report.board_name)
        header.center.text = _header_text(self.report.title)
        header.right.text = _header_text(f"Skapad {created}")
        footer.center.text = "Sida &P av &N"
        orientation = "landscape" if sum(self.widths) > PORTRAIT_WIDTH else "portrait"
        ws.page_setup.orientation = orientation
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        # Fitted to the page's width by a scale computed here rather than by "fit to pages":
        # Excel ignores manual page breaks when fitting, and the breaks below keep every merged
        # block and every table's heading with its first rows on one page. fitToHeight 0 says
        # the same to an application that fits anyway: as many pages tall as it takes.
        scale = self._scale(orientation)
        ws.page_setup.scale = scale
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_margins = PageMargins(**MARGINS)
        if self.header_rows is not None:
            first, last = self.header_rows
            ws.print_title_rows = f"{first}:{last}"
            ws.freeze_panes = f"A{last + 1}"
        for row in self._page_breaks(PRINTABLE[orientation][1] * 100 / scale):
            ws.row_breaks.append(Break(id=row))

    def _scale(self, orientation: str) -> int:
        """The print scale in percent that fits the sheet's columns to the page's width."""
        width = sum(self.widths) * POINTS_PER_UNIT
        return max(10, min(100, math.floor(PRINTABLE[orientation][0] / width * 99)))

    def _page_breaks(self, page_height: float) -> list[int]:
        """Rows after which a page ends, so that no kept-together range crosses a page.

        The rows are laid out as the applications do: each with its height, the print titles
        repeated on every page after the first. A range (a vertical merge; a heading with its
        table's header and first row) that would cross the end of a page starts the next one.
        """
        heights = self.heights
        last_row = max(self.grid, default=0)
        titles = 0.0
        if self.header_rows is not None:
            first, last = self.header_rows
            titles = sum(heights.get(row, DEFAULT_ROW_HEIGHT) for row in range(first, last + 1))
        keep_to: dict[int, int] = {}
        for first, last in [(first, last) for first, last, _ in self.blocks] + self.keep:
            keep_to[first] = max(keep_to.get(first, first), last)
        capacity = page_height * PAGE_SLACK
        breaks: list[int] = []
        used, row, page_start = 0.0, 1, 1
        while row <= last_row:
            end = keep_to.get(row, row)
            probe = row
            while probe < end:  # ranges that overlap this one are kept with it
                probe += 1
                end = max(end, keep_to.get(probe, probe))
            height = sum(heights.get(r, DEFAULT_ROW_HEIGHT) for r in range(row, end + 1))
            if used + height > capacity and row > page_start:
                breaks.append(row - 1)
                page_start = row
                used = titles
            used += height
            row = end + 1
        return breaks

    def _text(self, column: int, text: str, style: str, row: int | None = None) -> SheetCell:
        cell = self._cell(row or self.row, column, style)
        cell.value = _clip(text)
        cell.data_type = "s"
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True  # a goal title or note typed as "=…" stays text in Excel
        return cell

    def _write_table(self, table: ReportTable) -> None:
        start = self.row
        for heading in table.headings:
            self._text(1, heading, "sk_heading")
            self.row += 1
        if not table.headings:
            self._text(1, table.title, "sk_heading")
            self.row += 1
        self._write_header(table)
        for index, body_row in enumerate(table.rows):
            self.row += 1
            self._write_row(table, body_row)
            if index == 0:
                self.keep.append((start, self.row))
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
        # 9 pt: about a tenth more characters a line than 10 pt.
        lines = _lines_needed(text, total * 1.1)
        if lines > 1:
            self._need(self.row, _height(lines, FOOTNOTE_LINE_HEIGHT))

    def _write_header(self, table: ReportTable) -> None:
        first = self.row
        if table.has_groups:
            for group in table.column_groups():
                start = group.start + 1
                self._text(start, group.label, "sk_header")
                if group.span > 1:
                    self.merge(self.row, start, self.row, start + group.span - 1, "sk_header")
                width = sum(self.widths[start - 1 : start - 1 + group.span])
                self._need(self.row, _height(_lines_needed(group.label, width, bold=True)))
            self.row += 1
        for index, column in enumerate(table.columns, start=1):
            self._text(index, column.label, "sk_header_num" if column.numeric else "sk_header")
            lines = _lines_needed(column.label, self.widths[index - 1], bold=True)
            self._need(self.row, _height(lines))
        if self.header_rows is None:
            self.header_rows = (first, self.row)

    def _split_row(self, table: ReportTable, body_row: Row) -> list[Row] | None:
        """The row as several rows when a plain text of it is too long for one printed page.

        Each long text continues, paragraph by paragraph, in the rows below; the other cells
        (the goal, its assessment) stay in the first row, unmerged: a merged cell that crosses a
        page break prints badly in LibreOffice. None when the row fits.
        """
        if any(cell.rowspan > 1 or cell.colspan > 1 or cell.covered for cell in body_row.cells):
            return None
        pieces: list[list[str] | None] = []
        for index, cell in enumerate(body_row.cells):
            plain = not cell.is_number and (
                cell.parts is None or not any(part.italic for part in cell.parts)
            )
            text = self._shown(cell) if plain else ""
            width = self.widths[index] if index < len(self.widths) else 8.0
            if plain and len(text) > MAX_ROW_LINES * width * 0.8:
                chunks = _chunks(text, width)
                pieces.append(chunks if len(chunks) > 1 else None)
            else:
                pieces.append(None)
        count = max((len(chunks) for chunks in pieces if chunks), default=1)
        if count == 1:
            return None
        rows = []
        for part in range(count):
            cells = []
            for cell, cut in zip(body_row.cells, pieces, strict=True):
                if cut is not None:
                    piece = cut[part] if part < len(cut) else ""
                    cells.append(Cell(piece, bold=cell.bold, italic=cell.italic))
                else:
                    cells.append(cell if part == 0 else Cell())
            rows.append(Row(body_row.kind, cells))
        self.parts.append(rows)  # kept alive: self.shown is keyed by id()
        return rows

    def _write_row(self, table: ReportTable, body_row: Row) -> None:
        split = self._split_row(table, body_row)
        if split is None:
            self._write_one_row(table, body_row)
            return
        for index, part in enumerate(split):
            if index:
                self.row += 1
            self._write_one_row(table, part)

    def _write_one_row(self, table: ReportTable, body_row: Row) -> None:
        section = body_row.kind == RowKind.SECTION
        lines = 1
        column_index = 0
        for cell in body_row.cells:
            column_index += 1
            if cell.covered:
                continue
            column = table.columns[column_index - 1] if column_index <= len(table.columns) else None
            numeric = bool(column and column.numeric)
            bold = cell.bold or body_row.kind == RowKind.SUM
            style = self.styles.body(
                cell.format if cell.is_number else TEXT,
                numeric=numeric,
                bold=bold,
                italic=cell.italic or body_row.kind == RowKind.BREAKDOWN,
                section=section,
            )
            target = self._cell(self.row, column_index, style)
            if cell.is_number:
                target.value = cell.value
                if cell.suffix or cell.marks:
                    target.number_format = number_format(cell)
            else:
                self._write_text(target, cell, style, bold=bold)
            span_end = column_index + cell.colspan - 1
            if cell.colspan > 1 or cell.rowspan > 1:
                self.merge(self.row, column_index, self.row + cell.rowspan - 1, span_end, style)
            width = sum(self.widths[column_index - 1 : span_end])
            needed = _lines_needed(self._shown(cell), width, bold=bold)
            if cell.rowspan == 1:
                lines = max(lines, needed)
            elif needed > 1:
                self.blocks.append((self.row, self.row + cell.rowspan - 1, _height(needed)))
            column_index = span_end
        if lines > 1:
            self._need(self.row, _height(lines))

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


def _narrowed(widths: list[float], wraps: list[bool]) -> list[float]:
    """Widths whose sum is at most SHEET_WIDTH, taken from the wrapping text columns.

    Each wrapping column gives up the same share of its width above MIN_TEXT_WIDTH, so a sheet
    like Målredovisning (six text columns, 273 characters) prints fitted to the width of A4
    landscape at a readable size instead of at 6 pt.
    """
    excess = sum(widths) - SHEET_WIDTH
    spare = sum(width - MIN_TEXT_WIDTH for width, wrap in zip(widths, wraps, strict=True) if wrap)
    if excess <= 0 or spare <= 0:
        return widths
    keep = max(0.0, 1 - excess / spare)
    return [
        round(MIN_TEXT_WIDTH + (width - MIN_TEXT_WIDTH) * keep)
        if wrap and width > MIN_TEXT_WIDTH
        else width
        for width, wrap in zip(widths, wraps, strict=True)
    ]


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
    with gc_paused():
        return _render_xlsx(report)


def _render_xlsx(report: Report) -> bytes:
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
