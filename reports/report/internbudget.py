"""build_internbudget(board, year): every table of the internbudget, as plain data.

(Placeholder until the internbudget builder lands: an internbudget with no tables.)
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from goals.models import Board
from reports.report.model import Report, ReportKind


def build_internbudget(
    board: Board,
    year: int,
    *,
    as_of: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Report:
    return Report(
        board_code=board.code,
        board_name=board.name,
        year=year,
        generated_at=timezone.localtime(now or timezone.now()),
        kind=ReportKind.INTERNBUDGET,
        as_of=as_of,
    )
