"""python manage.py export_structure --board AN --year 2022 --output struktur.xlsx

The board's structure for a year (nämndmål, indicators, breakdowns, targets, outcomes,
footnotes, assignments, styrdokument, activities) as the structure workbook, the same file as
the download on the structure page; `import_structure` reads it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from goals.models import Board
from indicators.structure_workbook.export import export_structure

UNKNOWN_BOARD = "Det finns ingen nämnd med kortnamnet {code}."
CANNOT_WRITE = "Kunde inte skriva {path}: {error}"
WROTE = "Skrev strukturen för {code} {year} till {path}."


class Command(BaseCommand):
    help = "Skriver en nämnds struktur för ett år som arbetsbok (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--board", required=True, help="Nämndens kortnamn, t.ex. AN.")
        parser.add_argument("--year", required=True, type=int, help="Året, t.ex. 2022.")
        parser.add_argument(
            "--output", required=True, help="Filen som skapas, t.ex. struktur.xlsx."
        )

    def handle(self, *args: Any, board: str, year: int, output: str, **options: Any) -> None:
        board_obj = Board.objects.select_related("municipality").filter(code=board).first()
        if board_obj is None:
            raise CommandError(UNKNOWN_BOARD.format(code=board))
        content = export_structure(board=board_obj, year=year)
        try:
            Path(output).write_bytes(content)
        except OSError as error:
            raise CommandError(CANNOT_WRITE.format(path=output, error=error)) from None
        self.stdout.write(WROTE.format(code=board_obj.code, year=year, path=output))
