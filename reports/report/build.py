"""build_report(board, year): every table of the verksamhetsberättelse, as plain data."""

from __future__ import annotations

import datetime

from django.utils import timezone

from goals.models import Board
from reports.report.data import load_report_data
from reports.report.document import attach_document
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
    data = load_report_data(board, year, as_of=as_of)
    numbering = FootnoteNumbering()
    report = Report(
        board_code=board.code,
        board_name=board.name,
        year=year,
        generated_at=timezone.localtime(now or timezone.now()),
        as_of=as_of,
    )
    report.tables.extend(build_economy_tables(data, numbering))
    report.tables.append(build_goal_report_table(data, numbering))
    report.tables.extend(build_assignment_tables(data, numbering))
    report.tables.append(build_volume_table(data, numbering))
    report.tables.append(build_staff_table(data, numbering))
    report.tables.extend(build_indicator_tables(data, numbering))
    return attach_document(report, board, year)
