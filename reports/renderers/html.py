"""The report model prepared for the HTML templates (templates/reports/report*.html).

django-tables2 is not used here: its tables are one object per row with one value per column,
while these tables merge the nämndmål cell over many rows (rowspan), mix numbers and composite
texts in one column, carry footnote marks inside cells and have grouped two-line headers. A
template over the plain report data renders exactly what the workbook shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.renderers.narrative_html import Node, narrative_nodes
from reports.report.model import Cell, OutlineKind, Part, Report, ReportTable, RowKind

ROW_CLASSES = {
    RowKind.BREAKDOWN: "breakdown",
    RowKind.SUM: "sum",
    RowKind.SECTION: "section",
    RowKind.HEADER: "header",
    RowKind.DATA: "",
}


@dataclass
class HtmlCell:
    html: SafeString
    classes: str = ""
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


def _cell_attributes(cell: HtmlCell) -> str:
    # Classes and spans come from this module's own vocabulary and integers, never user text.
    attributes = f' class="{cell.classes}"' if cell.classes else ""
    if cell.rowspan > 1:
        attributes += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attributes += f' colspan="{cell.colspan}"'
    return attributes


def row_html(cells: list[HtmlCell], classes: str = "") -> SafeString:
    """One table row as HTML. Written here rather than by a template loop over the cells: a
    template renders every cell several calls deep, and in CPython 3.11 a call stack that keeps
    crossing one of its 16 KB chunk boundaries maps and unmaps a chunk at every crossing
    (python/cpython#142183, fixed in 3.13), which made the same page two to three times slower
    depending on how deep the request began."""
    tag = "th" if cells and cells[0].header else "td"
    scope = ' scope="col"' if tag == "th" else ""
    inner = "".join(f"<{tag}{scope}{_cell_attributes(cell)}>{cell.html}</{tag}>" for cell in cells)
    row_class = f' class="{classes}"' if classes else ""
    return mark_safe(f"<tr{row_class}>{inner}</tr>")


@dataclass
class HtmlRow:
    classes: str
    cells: list[HtmlCell]
    html: SafeString = field(init=False)

    def __post_init__(self) -> None:
        self.html = row_html(self.cells, self.classes)


@dataclass
class HtmlTable:
    table: ReportTable
    header_rows: list[list[HtmlCell]]
    rows: list[HtmlRow]

    @property
    def key(self) -> str:
        return self.table.key

    @property
    def header_html(self) -> list[SafeString]:
        return [row_html(cells) for cells in self.header_rows]


MARK_HTML = '<sup class="fn"><a href="#fotnot-{0}" aria-label="Fotnot {0}">{0}</a></sup>'


def _marks_html(marks: list[int]) -> str:
    """The footnote marks as links. A mark is a footnote's number (an int): nothing to escape,
    so plain formatting, not format_html_join's lazy-aware escaping of every argument (which
    was most of a cold report page's time in its thousand cells)."""
    return "".join(MARK_HTML.format(int(mark)) for mark in marks)


def _part_html(part: Part) -> str:
    text = escape(part.text).replace("\n", "<br>")
    if part.italic:
        text = f"<em>{text}</em>"
    return text + _marks_html(part.marks) if part.marks else text


def cell_html(cell: Cell) -> SafeString:
    inner = "".join(_part_html(part) for part in cell.display_parts())
    if cell.parts is not None and cell.marks:
        inner += _marks_html(cell.marks)
    if cell.bold:
        inner = f"<strong>{inner}</strong>"
    return mark_safe(inner)


def table_view(table: ReportTable) -> HtmlTable:
    header_rows: list[list[HtmlCell]] = []
    if table.has_groups:
        header_rows.append(
            [
                HtmlCell(escape(group.label), colspan=group.span, header=True)
                for group in table.column_groups()
            ]
        )
    header_rows.append(
        [
            HtmlCell(escape(column.label), classes="num" if column.numeric else "", header=True)
            for column in table.columns
        ]
    )
    rows = []
    for row in table.rows:
        cells = []
        for index, cell in enumerate(row.cells):
            if cell.covered:
                continue
            spec = table.columns[index] if index < len(table.columns) else None
            classes = ""
            if spec is not None and spec.numeric:
                # A long composite text ("7,6% (total, inkl BEA-anst) …") may wrap.
                classes = "num split" if len(cell.text) > 14 and not cell.is_number else "num"
            elif spec is not None and spec.wrap and (spec.width or 0) >= 40:
                classes = "wrap"
            cells.append(
                HtmlCell(
                    cell_html(cell), classes=classes, rowspan=cell.rowspan, colspan=cell.colspan
                )
            )
        rows.append(HtmlRow(ROW_CLASSES[row.kind], cells))
    # The template reads the table's title, columns and notes; its rows are in `rows` as HTML.
    return HtmlTable(replace(table, rows=[]), header_rows, rows)


@dataclass
class HtmlGroup:
    """The tables of one sheet: one section of the page, one download."""

    key: str
    title: str
    tables: list[HtmlTable]


def table_views(report: Report) -> dict[int, HtmlTable]:
    """Each table's view, by the id of the report's table (the groups and parts share them)."""
    return {id(table): table_view(table) for table in report.tables}


def report_groups(report: Report, views: dict[int, HtmlTable] | None = None) -> list[HtmlGroup]:
    views = table_views(report) if views is None else views
    return [
        HtmlGroup(sheet.key, sheet.title, [views[id(table)] for table in sheet.tables])
        for sheet in report.sheets()
    ]


@dataclass
class DocumentPart:
    """One step of the document walk (templates/reports/_document.html), in outline order: a
    heading (`level` is its HTML level), a narrative text (`nodes`, empty when not written)
    or the tables an outline entry names (`tables`, the same views as the page's groups)."""

    kind: str  # "heading", "narrative" or "tables"
    key: str = ""
    title: str = ""
    level: int = 2
    nodes: list[Node] = field(default_factory=list)
    tables: list[HtmlTable] = field(default_factory=list)


def document_parts(report: Report, views: dict[int, HtmlTable]) -> list[DocumentPart]:
    """The report's outline as parts, with its texts and tables; the tables no entry names
    come last, one part per sheet, so none is lost. Empty outline: no parts (the page then
    shows the tables alone, as before documents had outlines)."""
    if not report.outline:
        return []
    parts: list[DocumentPart] = []
    heading_level = 1  # the page's h1 is the document's title
    for entry in report.outline:
        if entry.kind == OutlineKind.HEADING:
            heading_level = min(6, entry.level + 1)
            parts.append(DocumentPart("heading", title=entry.title, level=heading_level))
        elif entry.kind == OutlineKind.NARRATIVE:
            text = report.narratives.get(entry.key, "")
            nodes = narrative_nodes(text, heading_level=min(6, heading_level + 1))
            parts.append(DocumentPart("narrative", key=entry.key, title=entry.title, nodes=nodes))
        else:
            tables = [views[id(table)] for table in report.tables_for(entry.key)]
            if tables:
                parts.append(DocumentPart("tables", key=entry.key, tables=tables))
    unplaced = {id(table) for table in report.unplaced_tables()}
    for sheet in report.sheets():
        rest = [views[id(table)] for table in sheet.tables if id(table) in unplaced]
        if rest:
            parts.append(DocumentPart("heading", title=sheet.title, level=2))
            parts.append(DocumentPart("tables", key=sheet.key, tables=rest))
    return parts


@dataclass(frozen=True)
class SheetLink:
    """A sheet in the page's table of contents."""

    key: str
    title: str


def body_context(report: Report, *, downloads: bool = True) -> dict:
    """What the report's body is drawn from (templates/reports/_report_body.html): "groups",
    the tables by sheet, and "parts", the document walk in outline order
    (templates/reports/_document.html), sharing their tables."""
    # The header fields only: the tables are in "groups" and "parts".
    header = replace(report, tables=[])
    views = table_views(report)
    return {
        "report": header,
        "groups": report_groups(report, views),
        "parts": document_parts(report, views),
        "downloads": downloads,
    }


def page_context(body: dict) -> dict:
    """The page's context from body_context(): the body drawn once, as HTML, and the table of
    contents. The body is the same for every reader, so a page kept in the cache is drawn
    from it with a short template instead of every table's loops at every request."""
    return {
        "report": body["report"],
        "groups": [SheetLink(group.key, group.title) for group in body["groups"]],
        "body": render_to_string("reports/_report_body.html", body),
        "downloads": body["downloads"],
    }


def report_context(report: Report, *, downloads: bool = True) -> dict:
    """Template context of the report page; downloads=False leaves out the live .xlsx links
    (for a stored report shown later, whose figures the live download no longer matches)."""
    return page_context(body_context(report, downloads=downloads))


__all__ = [
    "body_context",
    "cell_html",
    "document_parts",
    "page_context",
    "report_context",
    "report_groups",
    "row_html",
    "table_view",
    "table_views",
]
