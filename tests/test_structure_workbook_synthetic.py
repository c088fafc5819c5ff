"""The structure workbook on the synthetic municipality: S01's year round trip, and the same
year loaded into an empty board-year, timed (the structure of one board-year is the same at
every size, see demo/synthetic.py; size L only has a longer history)."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import load_workbook

from goals.models import Board
from indicators.structure_workbook import sheets
from indicators.structure_workbook.export import export_structure
from indicators.structure_workbook.importing import import_structure
from indicators.structure_workbook.state import load_state
from tests.work_time import measured

pytestmark = pytest.mark.django_db
YEAR = 2022
SECONDS = 5.0


def records(board, year):
    state = load_state(board, year)
    return {
        sheet.key: {key: entry.record for key, entry in state.kind(sheet.key).items()}
        for sheet in sheets.SHEETS[1:]
    }


def for_board(data: bytes, code: str, *, activities: int = 60, assignments: int = 15) -> bytes:
    """The workbook for another board, topped up to the plan's size: 60 activities and 15
    assignments (the synthetic board has fewer)."""
    book = load_workbook(io.BytesIO(data))
    book[sheets.BOARD_SHEET.title]["A2"].value = code
    ws = book[sheets.ASSIGNMENT_SHEET.title]
    for number in range(ws.max_row, assignments + 1):
        ws.append([f"UPP-x{number}", "Nämnduppdrag", f"Nämnduppdrag nummer {number}", None, number])
    ws = book[sheets.ACTIVITY_SHEET.title]
    deadlines = ["Succesivt avslut Q4", "Sept Q3", "Kontinuerligt, uppföljning Q4", "Våren"]
    for number in range(ws.max_row, activities + 1):
        goals = f"NM-{number % 10 + 1}; NM-{(number + 3) % 10 + 1}"
        deadline = deadlines[number % len(deadlines)]
        ws.append([f"AKT-x{number}", f"Aktivitet {number}", goals, None, None, None, deadline])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_synthetic_round_trip_and_an_empty_board_year_in_under_five_seconds(capsys):
    from demo.synthetic import generate_municipality

    generate_municipality(boards=1, years=2, seed=1)
    s01 = Board.objects.get(code="S01")
    before = records(s01, YEAR)
    assert len(before["indicators"]) >= 35 and len(before["goals"]) == 10

    started = time.perf_counter()
    data = export_structure(board=s01, year=YEAR)
    exported = time.perf_counter() - started
    started = time.perf_counter()
    same = import_structure(data=data, user=None, dry_run=False)
    unchanged = time.perf_counter() - started
    assert same.ok and same.changed == 0, same.summary_lines()
    assert records(s01, YEAR) == before

    empty = Board.objects.create(
        municipality=s01.municipality, code="T01", name="Tom nämnd", valid_from=YEAR
    )
    # What counts is the CPU time the import costs, here and in the database, not what the
    # shared CI machine's wall clock shows (tests/work_time.py).
    with measured() as loaded:
        created = import_structure(data=for_board(data, "T01"), user=None, dry_run=False)
    assert created.ok, [str(e) for e in created.errors]
    assert created.counts["indicators"].created == len(before["indicators"])
    assert created.counts["activities"].created == 60
    after = records(empty, YEAR)
    assert {
        kind: rows for kind, rows in after.items() if kind not in ("activities", "assignments")
    } == {kind: rows for kind, rows in before.items() if kind not in ("activities", "assignments")}
    assert len(after["activities"]) == 60
    assert len([a for a in after["assignments"].values() if a["scope"] != "kommungemensamt"]) >= 15
    counts = {kind: len(rows) for kind, rows in after.items()}
    with capsys.disabled():
        print(
            f"\nstructure workbook S01 {YEAR} {counts}: export {exported:.2f} s, "
            f"unchanged import {unchanged:.2f} s, import into an empty board-year {loaded}"
        )
    assert loaded.cost < SECONDS
