"""The report as a Word document (.docx): the third renderer of the one report model.

A pure function of the Report (no database): a cover (title, board, subtitle, decision status,
date), a table of contents field, then the outline in order — headings in the real "Heading N"
styles, the narrative texts read by reports.narrative.parse, and the tables where the outline
names them, then any table no outline entry names. LibreOffice converts the file to the PDF.

The look comes from a template document, by default reports/document_template/styrkort.docx
(made by scripts/make_document_template.py). A municipality replaces it with its own graphic
profile: a .docx made in Word or LibreOffice with the same style names — Normal, Title,
Subtitle, Heading 1–4, List Bullet, List Bullet 2, List Number, List Number 2, Caption, TOC
Heading, "Försättsblad", "Tabelltext" (table cells), "Fotnot" (paragraph styles) and "Styrkort tabell" (a table style) —
and the setting STYRKORT_DOCUMENT_TEMPLATE (environment variable of the same name) pointing to
it. The template's body is cleared; its styles, header, footer, page size and margins stay. A
style the template lacks is added with plain defaults, so no template breaks the document.

Tables: header rows (the column groups, then the labels) repeat on every page (w:tblHeader);
numbers are right-aligned in the Swedish format the model prints ("3 327", "88,9"); footnote
marks are superscript numbers after the text, listed under the table in "Fotnot" style;
Kvinnor/Män rows are italic, sums bold, section lines bold across the table; merged cells are
merged. Column widths follow Column.width scaled to the text width; a table too wide for A4
portrait gets a landscape section, with its heading and comment.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Emu, Pt
from docx.styles.style import BaseStyle, ParagraphStyle
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph

from goals.periods import swedish_date
from reports.narrative import Block, parse
from reports.report.model import Cell, OutlineEntry, OutlineKind, Report, ReportTable, RowKind

DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent / "document_template" / "styrkort.docx"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LANGUAGE = "sv-SE"
TOC_INSTRUCTION = ' TOC \\o "1-4" \\h \\z \\u '
TOC_PLACEHOLDER = "Högerklicka och välj Uppdatera fält för att visa innehållsförteckningen"
TOC_TITLE = "Innehåll"
GENERATED = "Skapad {date}"
DEFAULT_AUTHOR = "Styrkort"
HEADER_FILL = "E8ECF0"
SECTION_FILL = "F4F6F8"
MAX_HEADING = 4
# Layout of tables, in the template's 9 pt table text: a character is about 0.19 cm wide (a
# little more than Liberation Sans' average, so bold text fits too), and a cell has 0.3 cm of
# margins. A table wider than portrait allows, or with seven columns or more, is set landscape.
CHAR_CM = 0.21
CELL_MARGIN_CM = 0.3
# A long compound word in a wrapping text column may break rather than widen the column.
LONGEST_WRAPPED_WORD = 14
LINE_PT = 11.0
LANDSCAPE_COLUMNS = 7
LANDSCAPE_CHARS = 180
# A row that cannot split must fit on one page; rows longer than this may break.
CANT_SPLIT_LINES = 20
EMU_PER_CM = 360_000
# The elements of w:settings that come after w:updateFields (ECMA-376 CT_Settings).
SETTINGS_AFTER_UPDATE = {
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
}
# Characters XML 1.0 cannot hold (user text may contain them); tab and newline are kept.
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def template_path() -> Path:
    """The template: settings.STYRKORT_DOCUMENT_TEMPLATE (config/settings.py reads it from the
    environment and checks the file exists), else the repository's own."""
    return Path(getattr(settings, "STYRKORT_DOCUMENT_TEMPLATE", "") or DEFAULT_TEMPLATE)


def clean(text: str) -> str:
    return INVALID_XML.sub("", text)


def _marks_text(marks: list[int]) -> str:
    return " ".join(str(mark) for mark in marks)


# -- styles ------------------------------------------------------------------------------------
FALLBACK_BASE = {"TOC Heading": "Heading 1"}
FALLBACK_SIZE = {"Tabelltext": 9, "Fotnot": 8.5}


class _Styles:
    """The template's styles by name, looked up once (python-docx searches them every time)."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self.by_name: dict[str, BaseStyle] = {}

    def __call__(self, name: str) -> BaseStyle:
        style = self.by_name.get(name)
        if style is None:
            style = self.by_name[name] = self._find(name)
        return style

    def _find(self, name: str) -> BaseStyle:
        styles = self.document.styles
        try:
            return styles[name]
        except KeyError:
            pass
        if name == "Styrkort tabell":
            style = styles.add_style(name, WD_STYLE_TYPE.TABLE)
            with contextlib.suppress(KeyError):
                style.base_style = styles["Table Grid"]
            return style
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if name != "Normal":
            style.base_style = self(FALLBACK_BASE.get(name, "Normal"))
        if name in FALLBACK_SIZE:
            style.font.size = Pt(FALLBACK_SIZE[name])
            style.paragraph_format.space_after = Pt(0)
        return style


def _set_language(rpr: BaseOxmlElement) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)  # w:eastAsia and w:bidi stay as the template has them


def _prepare(document: DocxDocument, styles: _Styles) -> None:
    """An empty body, Swedish as the language, and fields updated when the file is opened."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        document.styles.element.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _set_language(rpr)
    _set_language(styles("Normal").element.get_or_add_rPr())
    settings_element = document.settings.element
    update = settings_element.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        # Word refuses settings out of the schema's order: updateFields goes before the first
        # of the elements that follow it there.
        later = [child for child in settings_element if _local_name(child) in SETTINGS_AFTER_UPDATE]
        if later:
            later[0].addprevious(update)
        else:
            settings_element.append(update)
    update.set(qn("w:val"), "true")


def _local_name(element: BaseOxmlElement) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


# -- the page ----------------------------------------------------------------------------------
@dataclass
class _Page:
    """The orientation the body is in now, and the text width there."""

    landscape: bool
    width_cm: float


def _text_width_cm(section: Section) -> float:
    width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    return width / EMU_PER_CM


def _switch(document: DocxDocument, page: _Page, landscape: bool) -> None:
    if page.landscape == landscape:
        return
    section = document.add_section(WD_SECTION.NEW_PAGE)
    width, height = section.page_width, section.page_height
    if (width > height) != landscape:
        section.page_width, section.page_height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    page.landscape = landscape
    page.width_cm = _text_width_cm(section)


# -- tables ------------------------------------------------------------------------------------
def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _desired_chars(table: ReportTable) -> list[float]:
    """Each column's width in characters: Column.width, else its longest content."""
    widths: list[float] = []
    for index, column in enumerate(table.columns):
        if column.width:
            widths.append(float(column.width))
            continue
        longest = len(column.label)
        for row in table.rows:
            if index < len(row.cells) and row.cells[index].colspan == 1:
                longest = max(longest, len(row.cells[index].text) + 3)
        widths.append(float(min(max(longest, 6), 60 if not column.numeric else 20)))
    return widths


def _minimum_cm(table: ReportTable) -> list[float]:
    """No column narrower than its longest word (labels and cells), so nothing breaks mid-word."""
    minimum = [_longest_word(column.label) for column in table.columns]
    for row in table.rows:
        position = 0
        for cell in row.cells:
            if position >= len(minimum):
                break
            if not cell.covered and cell.colspan == 1:
                longest = _longest_word(cell.text) + (3 if cell.all_marks else 0)
                if table.columns[position].wrap:
                    longest = min(longest, LONGEST_WRAPPED_WORD)
                minimum[position] = max(minimum[position], longest)
            position += 1 if cell.covered else cell.colspan
    return [max(chars, 3) * CHAR_CM + CELL_MARGIN_CM for chars in minimum]


def is_wide(table: ReportTable, portrait_width_cm: float) -> bool:
    """True when the table needs a landscape page."""
    if len(table.columns) >= LANDSCAPE_COLUMNS:
        return True
    if sum(_desired_chars(table)) > LANDSCAPE_CHARS:
        return True
    return sum(_minimum_cm(table)) > portrait_width_cm


def column_widths_cm(table: ReportTable, width_cm: float) -> list[float]:
    """Column.width scaled to the text width, every column at least its minimum (all scaled
    down together if even the minimums are wider than the page, so nothing passes its edge)."""
    desired = _desired_chars(table)
    minimum = _minimum_cm(table)
    if sum(minimum) >= width_cm:
        return [width * width_cm / sum(minimum) for width in minimum]
    fixed = [False] * len(desired)
    widths = [0.0] * len(desired)
    for _ in range(len(desired) + 1):
        free = width_cm - sum(m for m, f in zip(minimum, fixed, strict=True) if f)
        share = sum(d for d, f in zip(desired, fixed, strict=True) if not f) or 1.0
        changed = False
        for index, chars in enumerate(desired):
            if fixed[index]:
                widths[index] = minimum[index]
                continue
            widths[index] = max(free, 0.0) * chars / share
            if widths[index] < minimum[index]:
                fixed[index] = True
                changed = True
        if not changed:
            break
    return [max(w, m) if f else w for w, m, f in zip(widths, minimum, fixed, strict=True)]


def _set_row_flags(row: _Row, *, header: bool, cant_split: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    if cant_split:
        tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _superscript(paragraph: Paragraph, marks: list[int], *, bold: bool = False) -> None:
    """Footnote marks after a text: " 15 16" as one superscript run (the space with it, so the
    text without the superscript runs is exactly the cell's text)."""
    run = paragraph.add_run(" " + _marks_text(marks))
    run.font.superscript = True
    run.bold = bold or None


def _fill_cell(target: _Cell, cell: Cell, *, numeric: bool, bold: bool, italic: bool) -> None:
    paragraph = target.paragraphs[0]
    if numeric:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for part in cell.display_parts():
        if part.text:
            run = paragraph.add_run(clean(part.text))
            run.bold = bold or None
            run.italic = (italic or part.italic) or None
        if part.marks:
            _superscript(paragraph, part.marks, bold=bold)
    if cell.parts is not None and cell.marks:
        _superscript(paragraph, cell.marks, bold=bold)


def _header_cell(target: _Cell, text: str, *, numeric: bool) -> None:
    paragraph = target.paragraphs[0]
    if numeric:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(clean(text)).bold = True
    _shade(target, HEADER_FILL)


def _lines(text: str, width_cm: float) -> int:
    chars = max(int((width_cm - CELL_MARGIN_CM) / CHAR_CM), 1)
    return sum(max(1, math.ceil(len(line) / chars)) for line in text.split("\n"))


class _Writer:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.document = Document(str(template_path()))
        self.styles = _Styles(self.document)
        _prepare(self.document, self.styles)
        section = self.document.sections[-1]
        width, height = section.page_width or 0, section.page_height or 0
        if width > height:  # a landscape template: start portrait
            section.page_width, section.page_height = Emu(height), Emu(width)
            section.orientation = WD_ORIENT.PORTRAIT
        self.portrait_width_cm = _text_width_cm(section)
        self.page = _Page(False, self.portrait_width_cm)
        self.heading_level = 0
        self.heading_top = 1
        self.list_numbers: dict[int, str] = {}  # list depth → numId of the list being written

    # -- paragraphs
    def paragraph(self, text: str = "", style: str = "Normal") -> Paragraph:
        paragraph = self.document.add_paragraph(style=cast(ParagraphStyle, self.styles(style)))
        if text:
            paragraph.add_run(clean(text))
        return paragraph

    def heading(self, text: str, level: int) -> None:
        level = max(1, min(level, MAX_HEADING))
        paragraph = self.paragraph(text, f"Heading {level}")
        paragraph.paragraph_format.keep_with_next = True

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # -- cover and contents
    def cover(self) -> None:
        report = self.report
        self.paragraph(report.title, "Title")
        self.paragraph(report.board_name, "Subtitle")
        if report.subtitle:
            self.paragraph(report.subtitle, "Försättsblad")
        if report.status_line:
            self.paragraph(report.status_line, "Försättsblad")
        generated = (
            timezone.localtime(report.generated_at)
            if timezone.is_aware(report.generated_at)
            else report.generated_at
        )
        self.paragraph(GENERATED.format(date=swedish_date(generated.date())), "Försättsblad")
        self.page_break()

    def contents(self) -> None:
        self.paragraph(TOC_TITLE, "TOC Heading")
        paragraph = self.document.add_paragraph()
        p = paragraph._p

        def run_with(child: BaseOxmlElement) -> None:
            run = OxmlElement("w:r")
            run.append(child)
            p.append(run)

        begin = OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        begin.set(qn("w:dirty"), "true")
        run_with(begin)
        instruction = OxmlElement("w:instrText")
        instruction.set(qn("xml:space"), "preserve")
        instruction.text = TOC_INSTRUCTION
        run_with(instruction)
        separate = OxmlElement("w:fldChar")
        separate.set(qn("w:fldCharType"), "separate")
        run_with(separate)
        placeholder = OxmlElement("w:t")
        placeholder.text = TOC_PLACEHOLDER
        run_with(placeholder)
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        run_with(end)
        self.page_break()

    # -- narrative text
    def narrative(self, text: str) -> None:
        blocks = parse(text)
        # The text's highest heading ("### " as the entry page suggests, or "# ") sits one level
        # below the outline heading before it; deeper ones follow it down (at most Heading 4).
        self.heading_top = min((b.level for b in blocks if b.kind == "heading"), default=1)
        for block in blocks:
            self.block(block)

    def _numbering(self, style_name: str, depth: int) -> str | None:
        """A fresh w:num for a new numbered list, so each list starts at its first number."""
        style = self.styles(style_name)
        num_pr = style.element.find(qn("w:pPr") + "/" + qn("w:numPr"))
        if num_pr is None or num_pr.find(qn("w:numId")) is None:
            return None
        style_num = num_pr.find(qn("w:numId")).get(qn("w:val"))
        numbering = self.document.part.numbering_part.element
        abstract = None
        for num in numbering.findall(qn("w:num")):
            if num.get(qn("w:numId")) == style_num:
                abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        if abstract is None:
            return None
        num = numbering.add_num(int(abstract))
        override = num.add_lvlOverride(ilvl=0)
        override.add_startOverride(1)
        return str(num.numId)

    def block(self, block: Block) -> None:
        if block.kind != "number":
            self.list_numbers = {k: v for k, v in self.list_numbers.items() if k < block.level}
        if block.kind == "heading":
            self.heading(block.text, self.heading_level + 1 + block.level - self.heading_top)
            return
        if block.kind in ("bullet", "number"):
            base = "List Bullet" if block.kind == "bullet" else "List Number"
            style = base if block.level <= 1 else f"{base} 2"
            paragraph = self.paragraph(style=style)
            if block.kind == "number":
                if block.level not in self.list_numbers or block.number == 1:
                    num_id = self._numbering(style, block.level)
                    if num_id is not None:
                        self.list_numbers[block.level] = num_id
                num_id = self.list_numbers.get(block.level)
                if num_id is not None:
                    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                    num_pr.get_or_add_ilvl().val = 0
                    num_pr.get_or_add_numId().val = int(num_id)
        else:
            paragraph = self.paragraph()
            if block.level:
                paragraph.paragraph_format.left_indent = Emu(int(0.63 * EMU_PER_CM) * block.level)
        for run in block.runs:
            text = run.text
            if run.link and run.link != run.text:
                text = f"{text} ({run.link})"
            target = paragraph.add_run(clean(text))
            target.bold = run.bold or None
            target.italic = run.italic or None

    # -- tables
    def table(self, table: ReportTable) -> None:
        for text in table.headings:
            paragraph = self.paragraph(text)
            paragraph.paragraph_format.keep_with_next = True
            if paragraph.runs:
                paragraph.runs[0].bold = True
        caption = self.paragraph(table.title, "Caption")
        caption.paragraph_format.keep_with_next = True
        self.grid(table)
        for note in table.footnotes:
            paragraph = self.paragraph(style="Fotnot")
            paragraph.add_run(str(note.number)).font.superscript = True
            paragraph.add_run(" " + clean(note.text))
        for text in table.notes:
            self.paragraph(text, "Fotnot")
        self.paragraph()  # space after the table

    def grid(self, table: ReportTable) -> None:
        columns = table.columns
        count = len(columns)
        if count == 0:
            return
        widths = column_widths_cm(table, self.page.width_cm)
        header_rows = 2 if table.has_groups else 1
        grid = self.document.add_table(rows=header_rows + len(table.rows), cols=count)
        grid.style = self.styles("Styrkort tabell")
        grid.alignment = WD_TABLE_ALIGNMENT.LEFT
        grid.autofit = False
        tbl_pr = grid._tbl.tblPr
        caption = OxmlElement("w:tblCaption")
        caption.set(qn("w:val"), clean(table.title)[:255])
        tbl_pr.append(caption)
        tbl_w = tbl_pr.find(qn("w:tblW"))
        if tbl_w is not None:
            tbl_w.set(qn("w:type"), "dxa")
            tbl_w.set(qn("w:w"), str(int(sum(widths) * 567)))
        emu_widths = [Emu(int(width * EMU_PER_CM)) for width in widths]
        for column, width in zip(grid.columns, emu_widths, strict=True):
            column.width = width
        rows = grid.rows
        cells = [row.cells for row in rows]
        merges: list[tuple[int, int, int, int]] = []
        cell_style = self.styles("Tabelltext").style_id
        for row_cells in cells:
            for target, width in zip(row_cells, emu_widths, strict=True):
                target.width = width
                target._tc.p_lst[0].get_or_add_pPr().style = cell_style

        if table.has_groups:
            for group in table.column_groups():
                _header_cell(cells[0][group.start], group.label, numeric=False)
                for extra in range(group.start + 1, group.start + group.span):
                    _shade(cells[0][extra], HEADER_FILL)
                if group.span > 1:
                    merges.append((0, group.start, 0, group.start + group.span - 1))
        label_row = header_rows - 1
        for index, column in enumerate(columns):
            _header_cell(cells[label_row][index], column.label, numeric=column.numeric)
        for index in range(header_rows):
            _set_row_flags(rows[index], header=True, cant_split=True)

        for offset, row in enumerate(table.rows):
            row_index = header_rows + offset
            kind = row.kind
            bold = kind in (RowKind.SUM, RowKind.SECTION, RowKind.HEADER)
            italic = kind == RowKind.BREAKDOWN
            position = 0
            lines = 1
            for cell in row.cells:
                if position >= count:
                    break
                if cell.covered:
                    position += 1
                    continue
                span = max(1, min(cell.colspan, count - position))
                column = columns[position]
                target = cells[row_index][position]
                _fill_cell(
                    target,
                    cell,
                    numeric=column.numeric and kind != RowKind.SECTION,
                    bold=bold or cell.bold,
                    italic=italic or cell.italic,
                )
                if kind in (RowKind.SECTION, RowKind.HEADER):
                    for extra in range(position, position + span):
                        _shade(
                            cells[row_index][extra],
                            SECTION_FILL if kind == RowKind.SECTION else HEADER_FILL,
                        )
                last_row = min(row_index + cell.rowspan - 1, len(cells) - 1)
                if span > 1 or last_row > row_index:
                    merges.append((row_index, position, last_row, position + span - 1))
                if cell.rowspan == 1:
                    lines = max(lines, _lines(cell.text, sum(widths[position : position + span])))
                position += span
            _set_row_flags(rows[row_index], header=False, cant_split=lines <= CANT_SPLIT_LINES)

        for top, left, bottom, right in merges:
            cells[top][left].merge(cells[bottom][right])

    # -- the document
    def body(self) -> None:
        report = self.report
        outline = report.outline
        landscape = self._landscape_entries(outline)
        for index, entry in enumerate(outline):
            _switch(self.document, self.page, landscape[index])
            if entry.kind == OutlineKind.HEADING:
                self.heading_level = max(1, min(entry.level, MAX_HEADING))
                self.heading(entry.title, entry.level)
            elif entry.kind == OutlineKind.NARRATIVE:
                self.narrative(report.narratives.get(entry.key, ""))
            else:
                for table in report.tables_for(entry.key):
                    self.table(table)
        for table in report.unplaced_tables():
            _switch(self.document, self.page, is_wide(table, self.portrait_width_cm))
            self.table(table)

    def _landscape_entries(self, outline: list[OutlineEntry]) -> list[bool]:
        """Which outline entries sit on landscape pages: a wide table, the headings and texts
        from the first heading after the table before it, and the texts right after it."""
        flags = [False] * len(outline)
        for index, entry in enumerate(outline):
            if entry.kind != OutlineKind.TABLE:
                continue
            tables = self.report.tables_for(entry.key)
            if not any(is_wide(table, self.portrait_width_cm) for table in tables):
                continue
            flags[index] = True
            start = index
            back = index - 1
            while back >= 0 and outline[back].kind != OutlineKind.TABLE:
                if outline[back].kind == OutlineKind.HEADING:
                    start = back
                back -= 1
            for between in range(start, index):
                flags[between] = True
            after = index + 1
            while after < len(outline) and outline[after].kind == OutlineKind.NARRATIVE:
                flags[after] = True
                after += 1
        return flags

    def properties(self) -> None:
        report = self.report
        properties = self.document.core_properties
        properties.title = report.title
        properties.subject = f"{report.title}, {report.board_name}" if report.board_name else ""
        properties.author = report.board_name or DEFAULT_AUTHOR
        properties.last_modified_by = DEFAULT_AUTHOR
        properties.language = LANGUAGE
        properties.keywords = report.status_line
        properties.comments = ""
        generated = report.generated_at
        if timezone.is_aware(generated):
            generated = generated.astimezone(datetime.UTC).replace(tzinfo=None)
        properties.created = generated
        properties.modified = generated

    def render(self) -> bytes:
        self.properties()
        self.cover()
        if self.report.outline:
            self.contents()
        self.body()
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def render_docx(report: Report) -> bytes:
    """The report as a .docx file, drawn on the template (STYRKORT_DOCUMENT_TEMPLATE)."""
    return _Writer(report).render()
