"""The document around a report's tables: its outline, its narrative texts and its status.

Every builder (verksamhetsberättelse, delårsrapport, internbudget, verksamhetsplan) ends with
`attach_document`, so the HTML page, the workbook, the .docx and the PDF all draw one Report.
Three small queries whatever the size of the board; `attach_documents` gives many boards'
reports of one year their documents in the same three.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from goals.models import (
    Board,
    BoardPlan,
    DocumentKind,
    NarrativeText,
    OccasionTransition,
    ReportingOccasion,
)
from goals.periods import swedish_date
from reports.outline import outline_for
from reports.report.model import Report

DRAFT = "Utkast – ej godkänt"
SUBMITTED = "Inskickat för godkännande – ej godkänt"
APPROVED = "Godkänt {date}"
PLAN_DECIDED = "Beslutad {date}{decision}"
PLAN_UNDECIDED = "Förslag – ej beslutad"


def narratives_of(board: Board, year: int, document: str) -> dict[str, str]:
    rows = NarrativeText.objects.filter(board=board, year=year, document=document)
    return {row.section: row.text for row in rows.only("section", "text") if row.text.strip()}


def status_line(board: Board, year: int, document: str, now: datetime.datetime) -> str:
    """What the cover says of the decision at `now` (the report's moment, so a rebuilt
    archive says what the stored one said): approved and when, submitted, or draft; for a
    plan its decision date."""
    kind = DocumentKind(document)
    if kind.occasion_kind is None:
        plan = BoardPlan.objects.filter(board=board, year=year, kind=document).first()
        if plan is None or plan.decided_on is None:
            return PLAN_UNDECIDED
        decision = f", {plan.decision}" if plan.decision else ""
        return PLAN_DECIDED.format(date=swedish_date(plan.decided_on), decision=decision)
    last = (
        OccasionTransition.objects.filter(
            occasion__board=board,
            occasion__year=year,
            occasion__kind=kind.occasion_kind,
            at__lte=now,
        )
        .order_by("at", "pk")
        .last()
    )
    return _status_of(last)


def _status_of(last: OccasionTransition | None) -> str:
    """The cover's status after the occasion's last transition (None: never moved)."""
    if last is None or last.to_state == ReportingOccasion.State.OPEN:
        return DRAFT
    if last.to_state == ReportingOccasion.State.SUBMITTED:
        return SUBMITTED
    return APPROVED.format(date=swedish_date(timezone.localdate(last.at)))


def attach_document(report: Report, board: Board, year: int) -> Report:
    document = report.kind.value
    report.outline = outline_for(document, year)
    report.narratives = narratives_of(board, year, document)
    report.status_line = status_line(board, year, document, report.generated_at)
    return report


def attach_documents(reports: list[tuple[Board, Report]], year: int) -> list[Report]:
    """`attach_document` for the reports (one per board, all of one kind and moment, the
    verksamhetsberättelse or a delårsrapport) in three queries for any number of boards."""
    if not reports:
        return []
    document = reports[0][1].kind.value
    kind = DocumentKind(document)
    now = reports[0][1].generated_at
    if kind.occasion_kind is None:
        raise ValueError("En plans status läses av attach_document, en nämnd i taget.")
    boards = [board for board, _ in reports]
    outline = outline_for(document, year)
    narratives: dict[int, dict[str, str]] = defaultdict(dict)
    for row in NarrativeText.objects.filter(board__in=boards, year=year, document=document).only(
        "board_id", "section", "text"
    ):
        if row.text.strip():
            narratives[row.board_id][row.section] = row.text
    last: dict[int, OccasionTransition] = {}
    for transition in (
        OccasionTransition.objects.filter(
            occasion__board__in=boards,
            occasion__year=year,
            occasion__kind=kind.occasion_kind,
            at__lte=now,
        )
        .select_related("occasion")
        .order_by("at", "pk")
    ):
        last[transition.occasion.board_id] = transition
    for board, report in reports:
        report.outline = list(outline)
        report.narratives = narratives[board.pk]
        report.status_line = _status_of(last.get(board.pk))
    return [report for _, report in reports]
