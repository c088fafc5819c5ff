"""build_interim(board, year, kind): the delårsrapport 1 (30 april) or 2 (31 augusti) as a Report.

The same Report model as the verksamhetsberättelse, read by the same loader at the delår's
occasion (reports.report.data.load_report_data): the year's forecast against budget per
verksamhet (`prognos`), the goal assessments at the occasion (`malredovisning`), the
assignments' status at the occasion (sheet `strategiska-uppdrag`) and the nämndindikatorer with
the year so far at the occasion's month and the year's målvärde (sheet `namndindikatorer`),
then the outline and texts of the delårsrapport (attach_document).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from budget.models import forecast_label
from goals.models import Board, DocumentKind
from goals.periods import PeriodType
from indicators.models import Indicator
from reports.report.data import ReportData, load_report_data
from reports.report.document import attach_document
from reports.report.economy_tables import build_forecast_table
from reports.report.goal_tables import build_assignment_tables, build_goal_report_table
from reports.report.indicator_tables import build_indicator_tables
from reports.report.model import FootnoteNumbering, Report, ReportKind

INTERIM_KINDS = {DocumentKind.DELAR1: ReportKind.DELAR1, DocumentKind.DELAR2: ReportKind.DELAR2}
NOT_INTERIM = "{kind} är ingen delårsrapport."
YEAR_SO_FAR = "{year} t.o.m. {day}"
TO_DATE_NOTE = "Utfall {year} avser läget {to_date} {year}."
NO_YEAR_SO_FAR = (
    "Indikatorer som redovisas per år har inget utfall för {year} förrän i verksamhetsberättelsen."
)


def build_interim(
    board: Board, year: int, kind: DocumentKind, *, now: datetime.datetime | None = None
) -> Report:
    kind = DocumentKind(kind)
    if kind not in INTERIM_KINDS:
        raise ValueError(NOT_INTERIM.format(kind=kind.label))
    occasion = kind.occasion_kind
    assert occasion is not None  # every delårsrapport belongs to its occasion
    data = load_report_data(board, year, occasion=occasion)
    numbering = FootnoteNumbering()
    report = Report(
        board_code=board.code,
        board_name=board.name,
        year=year,
        generated_at=timezone.localtime(now or timezone.now()),
        kind=INTERIM_KINDS[kind],
    )
    month = occasion.end_month
    report.tables.append(build_forecast_table(data, month))
    report.tables.append(build_goal_report_table(data, numbering))
    report.tables.extend(build_assignment_tables(data, numbering))
    indicator_tables = build_indicator_tables(
        data, numbering, table_notes=lambda listed: year_so_far_notes(data, listed)
    )
    for table in indicator_tables:
        column = table.columns[table.column_index(f"y{year}")]
        column.label = YEAR_SO_FAR.format(year=year, day=forecast_label(year, month))
    report.tables.extend(indicator_tables)
    return attach_document(report, board, year)


def year_so_far_notes(data: ReportData, indicators: list[Indicator]) -> list[str]:
    """Under a table: which periods the year so far is made of, once per kind ("Utfall 2022
    avser läget t.o.m. kvartal 2 2022."), and that the yearly indicators have none yet."""
    year = data.year
    seen: dict[str, None] = {}
    yearly = False
    pending = list(indicators)
    while pending:
        indicator = pending.pop(0)
        pending.extend(data.children.get(indicator.pk, []))
        for cell in data.series[indicator.pk].cells(year).values():
            if cell.to_date:
                seen.setdefault(cell.to_date, None)
        yearly = yearly or indicator.frequency == PeriodType.YEAR
    notes = [TO_DATE_NOTE.format(year=year, to_date=to_date) for to_date in seen]
    if yearly:
        notes.append(NO_YEAR_SO_FAR.format(year=year))
    return notes
