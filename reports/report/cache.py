"""get_report(board, year): the report to show or export; build_report() does the work."""

from __future__ import annotations

from goals.models import Board
from reports.report.build import build_report
from reports.report.model import Report


def get_report(board: Board, year: int) -> Report:
    return build_report(board, year)
