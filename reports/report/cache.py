"""get_report(board, year): the report to show or export, built once per state of the data.

A built report is cached under the data token it was read with (reports.freshness), so any
committed change to goals, indicators or budget makes the next request build it anew. The
cache is per process (settings.CACHES): a copy is only ever reused for the exact data it was
built from, so workers need not share it.
"""

from __future__ import annotations

from goals.models import Board
from reports.freshness import cached, cached_each
from reports.report.build import build_report, build_reports
from reports.report.data import report_years
from reports.report.model import Report


def _key(board: Board, year: int) -> str:
    return f"report:{board.pk}:{year}"


def get_report(board: Board, year: int, *, token: str | None = None) -> Report:
    return cached(
        _key(board, year),
        lambda: build_report(board, year),
        token=token,
        boards=[board],
        years=report_years(year),
    )


def get_reports(boards: list[Board], year: int, *, tokens: dict[int, str]) -> list[Report]:
    """Each board's report (in the order given) under its own token (freshness.board_tokens):
    the copy the board's own pages use where one is built, and the others built together in
    the queries of one board (build_reports), then kept for those pages. So a save in one
    board rebuilds only that board's report, and a cold build does not grow with the boards."""
    by_id = {board.pk: board for board in boards}

    def build(ids: list[int]) -> dict[int, Report]:
        missing = [by_id[board_id] for board_id in ids]
        return dict(zip(ids, build_reports(missing, year), strict=True))

    reports = cached_each(
        lambda board_id: _key(by_id[board_id], year),
        {board.pk: tokens[board.pk] for board in boards},
        build,
    )
    return [reports[board.pk] for board in boards]
