"""build_verksamhetsplan(board, year): the administration's activities for the year.

(Placeholder until the verksamhetsplan builder lands: a verksamhetsplan with no tables.)
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from goals.models import Board, ReportingOccasion
from reports.report.model import Report, ReportKind


def build_verksamhetsplan(
    board: Board,
    year: int,
    *,
    occasion: ReportingOccasion | None = None,
    now: datetime.datetime | None = None,
) -> Report:
    return Report(
        board_code=board.code,
        board_name=board.name,
        year=year,
        generated_at=timezone.localtime(now or timezone.now()),
        kind=ReportKind.VERKSAMHETSPLAN,
    )
