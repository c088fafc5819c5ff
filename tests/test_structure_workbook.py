"""The structure workbook: export → import of the same file changes nothing; an empty
board-year gets everything; bad input is refused at its cell with nothing written."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from indicators.structure_workbook import sheets
from indicators.structure_workbook.export import export_structure
from indicators.structure_workbook.importing import import_structure
from indicators.structure_workbook.state import load_state


def records(board, year):
    state = load_state(board, year)
    return {
        sheet.key: {key: entry.record for key, entry in state.kind(sheet.key).items()}
        for sheet in sheets.SHEETS[1:]
    }


def test_demo_round_trip_changes_nothing(demo_data, django_assert_max_num_queries):
    board = demo_data
    before = records(board, 2022)
    data = export_structure(board=board, year=2022)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [sheet.title for sheet in sheets.SHEETS]
    result = import_structure(data=data, user=None, dry_run=False)
    assert result.ok, [str(e) for e in result.errors]
    assert result.changed == 0, result.summary_lines()
    assert sum(c.unchanged for c in result.counts.values()) > 50
    assert records(board, 2022) == before
