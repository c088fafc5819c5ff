"""What the document commands (export_report, export_plan) share: the board they are asked for
and the file they write, with the same Swedish messages. (A leading "_": not a command.)"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from goals.models import Board

UNKNOWN_BOARD = "Det finns ingen nämnd med kortnamnet {code}."
NO_SUCH_YEAR = "Nämnden {code} fanns inte år {year}."
CANNOT_WRITE = "Kunde inte skriva {path}: {error}"


def board_of_year(code: str, year: int) -> Board:
    """The board with that short name, existing that year; CommandError otherwise."""
    board = Board.objects.select_related("municipality").filter(code=code).first()
    if board is None:
        raise CommandError(UNKNOWN_BOARD.format(code=code))
    if not board.is_valid_in(year):
        raise CommandError(NO_SUCH_YEAR.format(code=code, year=year))
    return board


def write_output(output: str, content: bytes) -> Path:
    """The file written whole, or CommandError saying why not."""
    path = Path(output)
    try:
        path.write_bytes(content)
    except OSError as error:
        raise CommandError(CANNOT_WRITE.format(path=path, error=error)) from None
    return path
