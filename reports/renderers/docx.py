"""The report as a Word document (.docx): the third renderer of the one report model.

SKELETON (issue 15 foundation): headings, narrative texts and tables in outline order, so the
PDF, downloads and archive can be built on it. The styled renderer replaces this body.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document

from reports.narrative import parse
from reports.report.model import OutlineKind, Report, ReportTable


def _table(document: Any, table: ReportTable) -> None:
    document.add_paragraph(table.title)
    grid = document.add_table(rows=1, cols=len(table.columns))
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = column.label
    for row in table.rows:
        cells = grid.add_row().cells
        for target, cell in zip(cells, row.cells, strict=False):
            target.text = "" if cell.covered else cell.text


def render_docx(report: Report) -> bytes:
    document = Document()
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.board_name)
    for entry in report.outline:
        if entry.kind == OutlineKind.HEADING:
            document.add_heading(entry.title, level=entry.level)
        elif entry.kind == OutlineKind.NARRATIVE:
            for block in parse(report.narratives.get(entry.key, "")):
                document.add_paragraph(block.text)
        else:
            for table in report.tables_for(entry.key):
                _table(document, table)
    for table in report.unplaced_tables():
        _table(document, table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
