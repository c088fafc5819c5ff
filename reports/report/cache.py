"""get_report(board, year): the report to show or export, built once per state of the data.

A built report is cached under the data token it was read with (reports.freshness), so any
committed change to goals, indicators or budget makes the next request build it anew. The
cache is per process (settings.CACHES): a copy is only ever reused for the exact data it was
built from, so workers need not share it.
"""

from __future__ import annotations

from goals.models import Board
from reports.freshness import cached
from reports.report.build import build_report
from reports.report.data import report_years
from reports.report.model import Report


def get_report(board: Board, year: int, *, token: str | None = None) -> Report:
    return cached(
        f"report:{board.pk}:{year}",
        lambda: build_report(board, year),
        token=token,
        boards=[board],
        years=report_years(year),
    )
