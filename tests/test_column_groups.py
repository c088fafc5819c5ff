"""The group header over report columns: one rule (ReportTable.column_groups), both renderers."""

from __future__ import annotations

import datetime
import io

from openpyxl import load_workbook

from reports.renderers.html import table_view
from reports.renderers.xlsx import render_xlsx
from reports.report.model import Cell, Column, ColumnGroup, Report, ReportTable, Row, RowKind


def grouped_table() -> ReportTable:
    return ReportTable(
        key="grupper",
        title="Grupper",
        columns=[
            Column("name", "Projekt"),
            Column("a", "A", numeric=True, group="Sedan start"),
            Column("b", "B", numeric=True, group="Sedan start"),
            Column("c", "C", numeric=True, group="Året"),
            Column("d", "D", numeric=True),
            Column("e", "E", numeric=True),
            Column("f", "F", numeric=True, group="Sedan start"),
        ],
        rows=[Row(RowKind.DATA, [Cell("x"), *(Cell.number(n, 0) for n in range(6))])],
    )


def test_neighbours_with_one_group_share_a_cell_and_ungrouped_columns_stand_alone():
    assert grouped_table().column_groups() == [
        ColumnGroup("", 0, 1),
        ColumnGroup("Sedan start", 1, 2),
        ColumnGroup("Året", 3, 1),
        ColumnGroup("", 4, 1),
        ColumnGroup("", 5, 1),
        ColumnGroup("Sedan start", 6, 1),  # the same group again, not next to the first
    ]


def test_html_and_xlsx_span_the_same_columns():
    table = grouped_table()
    header = table_view(table).header_rows[0]
    assert [(str(cell.html), cell.colspan) for cell in header] == [
        ("", 1),
        ("Sedan start", 2),
        ("Året", 1),
        ("", 1),
        ("", 1),
        ("Sedan start", 1),
    ]
    report = Report("AN", "Arbetsmarknadsnämnden", 2022, datetime.datetime(2023, 2, 1), [table])
    sheet = load_workbook(io.BytesIO(render_xlsx(report))).worksheets[0]
    header_row = next(
        row for row in sheet.iter_rows() if any(cell.value == "Sedan start" for cell in row)
    )
    number = header_row[0].row
    merged = [str(r) for r in sheet.merged_cells.ranges if r.min_row == number == r.max_row]
    assert merged == [f"B{number}:C{number}"]
    assert [cell.value for cell in header_row[:7]] == [
        None,
        "Sedan start",
        None,
        "Året",
        None,
        None,
        "Sedan start",
    ]
