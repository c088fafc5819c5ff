"""Målredovisning and Strategiska utvecklingsuppdrag, from the helår assessments and statuses."""

from __future__ import annotations

from goals.models import AssessmentLevel, StrategicAssignment, WorkStatus
from reports.report.data import ReportData
from reports.report.indicator_tables import NOT_ASSESSED
from reports.report.model import Cell, Column, FootnoteNumbering, Part, ReportTable, Row, RowKind

NOT_REPORTED = "Ej rapporterat"


def assignment_parts(assignment: StrategicAssignment) -> list[Part]:
    """An assignment as every document prints it: its text, then its note in italics."""
    parts = [Part(assignment.text)]
    if assignment.note:
        parts.append(Part(f" ({assignment.note})", italic=True))
    return parts


def build_goal_report_table(data: ReportData, numbering: FootnoteNumbering) -> ReportTable:
    table = ReportTable(
        key="malredovisning",
        title="Målredovisning",
        columns=[
            Column("goal", "Nämndmål", width=36, wrap=True),
            Column("level", "Bedömning", width=16),
            Column("analysis", "Analys", width=60, wrap=True),
            Column("results", "Resultat som bidragit", width=60, wrap=True),
            Column("other", "Övriga aktiviteter som bidragit", width=50, wrap=True),
            Column("deviations", "Avvikelser", width=50, wrap=True),
        ],
    )
    width = len(table.columns)
    for area in data.structure:
        goals = area.board_goals
        if not goals:
            continue
        table.rows.append(
            Row(RowKind.SECTION, [Cell(f"Målområde {area.area.name}", bold=True, colspan=width)])
        )
        for goal in goals:
            assessment = data.assessments.get(goal.pk)
            parts = [Part(goal.title)]
            if goal.description:
                parts.append(Part("\n" + goal.description, italic=True))
            # The goal's own footnotes are marked where the seed marks them: in the
            # nämndindikator table, not here.
            cells = [Cell(parts=parts, bold=True)]
            if assessment is None:
                cells.append(Cell(NOT_ASSESSED))
                cells.extend(Cell() for _ in range(width - 2))
            else:
                cells.append(Cell(AssessmentLevel(assessment.level).label, bold=True))
                cells.extend(
                    Cell(text or None)
                    for text in (
                        assessment.analysis,
                        assessment.results,
                        assessment.other_activities,
                        assessment.deviations,
                    )
                )
            table.rows.append(Row(RowKind.DATA, cells))
    return table


def build_assignment_tables(data: ReportData, numbering: FootnoteNumbering) -> list[ReportTable]:
    """The strategic assignments by scope; the board's own nämnduppdrag only when it has any
    (the printed report has no such table for a board without them)."""
    tables = []
    has_own = any(a.scope == StrategicAssignment.Scope.BOARD_OWN for a in data.assignments)
    for scope, key, heading in (
        (
            StrategicAssignment.Scope.COMMON,
            "uppdrag-kommungemensamma",
            "Kommungemensamma strategiska utvecklingsuppdrag",
        ),
        (
            StrategicAssignment.Scope.BOARD,
            "uppdrag-namndspecifika",
            "Nämndspecifika strategiska utvecklingsuppdrag",
        ),
        *(
            [(StrategicAssignment.Scope.BOARD_OWN, "uppdrag-namnduppdrag", "Nämnduppdrag")]
            if has_own
            else []
        ),
    ):
        table = ReportTable(
            key=key,
            title=heading,
            columns=[
                Column("assignment", heading, width=80, wrap=True),
                Column("status", "Status", width=14),
                Column("comment", "Kommentar vid avvikelse", width=40, wrap=True),
            ],
            sheet="strategiska-uppdrag",
            sheet_title="Strategiska uppdrag",
        )
        for assignment in data.assignments:
            if assignment.scope != scope:
                continue
            parts = assignment_parts(assignment)
            status = data.assignment_statuses.get(assignment.pk)
            table.rows.append(
                Row(
                    RowKind.DATA,
                    [
                        Cell(parts=parts),
                        Cell(WorkStatus(status.status).label if status else NOT_REPORTED),
                        Cell((status.comment or None) if status else None),
                    ],
                )
            )
        tables.append(table)
    return tables
