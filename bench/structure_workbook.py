"""Time the structure workbook on one board-year of the database in DATABASE_URL.

    python bench/structure_workbook.py [--board S01] [--year 2022] [--runs 3]

Run it on the benchmark's size L database (`generate_municipality --boards 15 --years 10`)
or any other. It times the export, the import of the exported file (nothing changes), and
the import of the same file into an empty board-year (a new board, topped up to 60 activities
and 15 assignments as a plan has), the last inside a transaction that is rolled back, so the
database is left as it was. The last line printed is
`STRUCTURE_WORKBOOK export_s=… unchanged_s=… empty_year_s=… goal_s=5.0`.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()
from django.db import transaction  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from goals.models import Board  # noqa: E402
from indicators.structure_workbook import sheets  # noqa: E402
from indicators.structure_workbook.export import export_structure  # noqa: E402
from indicators.structure_workbook.importing import import_structure  # noqa: E402

GOAL_SECONDS = 5.0
EMPTY_BOARD = "WBB"


class _Rollback(Exception):
    pass


def as_plan_for(data: bytes, code: str, *, activities: int = 60, assignments: int = 15) -> bytes:
    book = load_workbook(io.BytesIO(data))
    book[sheets.BOARD_SHEET.title]["A2"].value = code
    ws = book[sheets.ASSIGNMENT_SHEET.title]
    for number in range(ws.max_row, assignments + 1):
        ws.append([f"UPP-x{number}", "Nämnduppdrag", f"Nämnduppdrag {number}", None, number])
    ws = book[sheets.ACTIVITY_SHEET.title]
    for number in range(ws.max_row, activities + 1):
        goals = f"NM-{number % 10 + 1}; NM-{(number + 3) % 10 + 1}"
        ws.append([f"AKT-x{number}", f"Aktivitet {number}", goals, None, None, None, "Sept Q3"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def empty_year(board: Board, year: int, data: bytes) -> float:
    seconds = 0.0
    try:
        with transaction.atomic():
            Board.objects.create(
                municipality=board.municipality, code=EMPTY_BOARD, name="Tom nämnd", valid_from=year
            )
            started = time.perf_counter()
            result = import_structure(data=data, user=None, dry_run=False)
            seconds = time.perf_counter() - started
            assert result.ok, [str(error) for error in result.errors[:5]]
            raise _Rollback
    except _Rollback:
        pass
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description="Strukturens arbetsbok: tider")
    parser.add_argument("--board", default="S01")
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    board = Board.objects.select_related("municipality").get(code=args.board)
    data = export_structure(board=board, year=args.year)
    plan = as_plan_for(data, EMPTY_BOARD)
    exports, unchanged, empties = [], [], []
    for _ in range(args.runs):
        exports.append(timed(lambda: export_structure(board=board, year=args.year)))
        unchanged.append(timed(lambda: import_structure(data=data, user=None, dry_run=False)))
        empties.append(empty_year(board, args.year, plan))
    print(
        f"STRUCTURE_WORKBOOK export_s={statistics.median(exports):.2f} "
        f"unchanged_s={statistics.median(unchanged):.2f} "
        f"empty_year_s={statistics.median(empties):.2f} goal_s={GOAL_SECONDS}"
    )


if __name__ == "__main__":
    main()
