"""build_report(board, year): every table of the verksamhetsberättelse, as plain data."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.gc_pause import gc_paused
from goals.models import Board
from reports.report.data import ReportData, load_reports_data
from reports.report.document import attach_documents
from reports.report.economy_tables import build_economy_tables
from reports.report.goal_tables import build_assignment_tables, build_goal_report_table
from reports.report.indicator_tables import (
    build_indicator_tables,
    build_staff_table,
    build_volume_table,
)
from reports.report.model import FootnoteNumbering, Report


def build_report(
    board: Board,
    year: int,
    *,
    now: datetime.datetime | None = None,
    as_of: datetime.datetime | None = None,
) -> Report:
    """The whole report in the seed's order; footnotes numbered across it in that order.
    `as_of`: the indicator figures as they stood at that moment (what the report said then)."""
    return build_reports([board], year, now=now, as_of=as_of)[0]


def build_reports(
    boards: list[Board],
    year: int,
    *,
    now: datetime.datetime | None = None,
    as_of: datetime.datetime | None = None,
) -> list[Report]:
    """`build_report` of each board, in the order given, read in the queries of one board
    (reports.report.data.load_reports_data): the all-boards workbook's cost is flat in boards."""
    generated_at = timezone.localtime(now or timezone.now())
    with gc_paused():
        data = load_reports_data(boards, year, as_of=as_of)
        built = [(board, _tables(data[board.pk], generated_at, as_of)) for board in boards]
        return attach_documents(built, year)


def _tables(
    data: ReportData, generated_at: datetime.datetime, as_of: datetime.datetime | None
) -> Report:
    numbering = FootnoteNumbering()
    report = Report(
        board_code=data.board.code,
        board_name=data.board.name,
        year=data.year,
        generated_at=generated_at,
        as_of=as_of,
    )
    report.tables.extend(build_economy_tables(data, numbering))
    report.tables.append(build_goal_report_table(data, numbering))
    report.tables.extend(build_assignment_tables(data, numbering))
    report.tables.append(build_volume_table(data, numbering))
    report.tables.append(build_staff_table(data, numbering))
    report.tables.extend(build_indicator_tables(data, numbering))
    return report
