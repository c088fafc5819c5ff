"""The report model prepared for the HTML templates (templates/reports/report*.html).

django-tables2 is not used here: its tables are one object per row with one value per column,
while these tables merge the nämndmål cell over many rows (rowspan), mix numbers and composite
texts in one column, carry footnote marks inside cells and have grouped two-line headers. A
template over the plain report data renders exactly what the workbook shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.template.loader import render_to_string
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from reports.report.model import Cell, Part, Report, ReportTable, RowKind

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


@dataclass
class HtmlRow:
    classes: str
    cells: list[HtmlCell]


@dataclass
class HtmlTable:
    table: ReportTable
    header_rows: list[list[HtmlCell]]
    rows: list[HtmlRow]

    @property
    def key(self) -> str:
        return self.table.key


def _marks_html(marks: list[int]) -> SafeString:
    return format_html_join(
        "",
        '<sup class="fn"><a href="#fotnot-{0}" aria-label="Fotnot {0}">{0}</a></sup>',
        ((mark,) for mark in marks),
    )


def _part_html(part: Part) -> SafeString:
    text = escape(part.text).replace("\n", "<br>")
    if part.italic:
        text = f"<em>{text}</em>"
    return mark_safe(text + _marks_html(part.marks))


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


def report_groups(report: Report) -> list[HtmlGroup]:
    return [
        HtmlGroup(sheet.key, sheet.title, [table_view(table) for table in sheet.tables])
        for sheet in report.sheets()
    ]


def report_context(report: Report, *, downloads: bool = True) -> dict:
    """Template context of the report page; downloads=False leaves out the live .xlsx links
    (for a stored report shown later, whose figures the live download no longer matches)."""
    # The header fields only: the tables are in "groups", and a page kept in the cache should
    # not carry every cell twice.
    header = replace(report, tables=[])
    return {"report": header, "groups": report_groups(report), "downloads": downloads}


def render_report_tables(report: Report, *, downloads: bool = False) -> str:
    """Every table as an HTML fragment (what the report page shows between header and footer)."""
    return render_to_string(
        "reports/report_tables.html", report_context(report, downloads=downloads)
    )


__all__ = ["cell_html", "render_report_tables", "report_context", "report_groups", "table_view"]
