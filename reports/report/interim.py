"""build_interim(board, year, kind): the delårsrapport 1 or 2 as a Report (issue 15, in work)."""

from __future__ import annotations

import datetime

from goals.models import Board, DocumentKind
from reports.report.model import Report


def build_interim(
    board: Board, year: int, kind: DocumentKind, *, now: datetime.datetime | None = None
) -> Report:
    raise NotImplementedError("Delårsrapporten byggs i issue 15.")
