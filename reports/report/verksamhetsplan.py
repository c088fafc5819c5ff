"""build_verksamhetsplan(board, year): the administration's activities for the year.

The plan lists every activity of the board's year under what it serves, as the printed plan
does: per målområde → nämndmål (an activity serving several nämndmål under each, one serving
only a målområde under "Hela målområdet"), per strategic assignment (kommungemensamma,
nämndspecifika), per prioriterat styrdokument, and under "Övriga uppdrag och projekt" the
board's own nämnduppdrag and what is linked to nothing else. Deadlines are printed exactly as
written ("Succesivt avslut Q4"). With an occasion it is the plan's follow-up: each activity's
status and comment at that occasion.

Built from a fixed set of queries (`load_plan_activities`), whatever the number of goals,
activities, assignments or years.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from goals.models import (
    Activity,
    ActivityStatus,
    Board,
    PolicyDocument,
    ReportingOccasion,
    StrategicAssignment,
    WorkStatus,
)
from goals.selectors import year_activities
from goals.structure import GoalAreaNode, goal_structure
from reports.report.goal_tables import NOT_REPORTED, assignment_parts
from reports.report.model import Cell, Column, Report, ReportKind, ReportTable, Row, RowKind

NO_ACTIVITIES = "Inga aktiviteter"
WHOLE_AREA = "Hela målområdet"
OTHER_ACTIVITIES = "Övriga aktiviteter"
FOLLOW_UP = "Uppföljning {label}"
OCCASION_OF_OTHER_PLAN = "Uppföljningstillfället hör inte till nämndens verksamhetsplan {year}."

Scope = StrategicAssignment.Scope


@dataclass
class PlanActivities:
    """What the verksamhetsplan is built from, read once."""

    structure: list[GoalAreaNode]
    activities: list[Activity]  # in the plan's order (goals.selectors.activity_sort_key)
    assignments: list[StrategicAssignment]
    policy_documents: list[PolicyDocument]
    statuses: dict[int, ActivityStatus] | None  # None: the plan itself, not a follow-up


def load_plan_activities(
    board: Board, year: int, occasion: ReportingOccasion | None = None
) -> PlanActivities:
    """The year's goal structure, activities, assignments and styrdokument (and the statuses at
    `occasion`): 7 queries, 8 with an occasion."""
    statuses = None
    if occasion is not None:
        statuses = {
            status.activity_id: status
            for status in ActivityStatus.objects.filter(occasion=occasion)
        }
    assignments = list(
        StrategicAssignment.objects.valid_in(year)
        .filter(
            Q(scope=Scope.COMMON, municipality_id=board.municipality_id)
            | Q(scope__in=[Scope.BOARD, Scope.BOARD_OWN], board=board)
        )
        .order_by("scope", "order", "pk")
    )
    policy_documents = list(
        PolicyDocument.objects.valid_in(year)
        .filter(municipality_id=board.municipality_id)
        .order_by("order", "title", "pk")
    )
    return PlanActivities(
        structure=goal_structure(board, year),
        activities=year_activities(board, year),
        assignments=assignments,
        policy_documents=policy_documents,
        statuses=statuses,
    )


class _TableWriter:
    """Rows of one table: a group cell spanning its activities' rows, then each activity."""

    def __init__(self, table: ReportTable, plan: PlanActivities, placed: set[int]) -> None:
        self.table = table
        self.plan = plan
        self.placed = placed

    @property
    def width(self) -> int:
        return len(self.table.columns)

    def section(self, text: str) -> None:
        self.table.rows.append(Row(RowKind.SECTION, [Cell(text, bold=True, colspan=self.width)]))

    def group(
        self, head: Cell, activities: Iterable[Activity], *, empty: str = NO_ACTIVITIES
    ) -> None:
        rows = [self._activity_cells(activity) for activity in activities]
        if not rows:
            rows = [[Cell(empty, italic=True)] + [Cell() for _ in range(self.width - 2)]]
        head.rowspan = len(rows)
        self.table.rows.append(Row(RowKind.DATA, [head, *rows[0]]))
        for cells in rows[1:]:
            self.table.rows.append(Row(RowKind.DATA, [Cell.covered_cell(), *cells]))

    def _activity_cells(self, activity: Activity) -> list[Cell]:
        self.placed.add(activity.pk)
        cells = [Cell(activity.title), Cell(activity.deadline or None)]
        statuses = self.plan.statuses
        if statuses is not None:
            status = statuses.get(activity.pk)
            cells.append(Cell(WorkStatus(status.status).label if status else NOT_REPORTED))
            cells.append(Cell((status.comment or None) if status else None))
        return cells


def _columns(first: Column, follow_up: bool) -> list[Column]:
    columns = [
        first,
        Column("activity", "Aktivitet", width=60, wrap=True),
        Column("deadline", "Klart", width=20, wrap=True),
    ]
    if follow_up:
        columns += [
            Column("status", "Status", width=14),
            Column("comment", "Kommentar", width=50, wrap=True),
        ]
    return columns


def _assignment_cell(assignment: StrategicAssignment) -> Cell:
    return Cell(parts=assignment_parts(assignment))


def _goal_table(plan: PlanActivities, placed: set[int]) -> ReportTable:
    follow_up = plan.statuses is not None
    table = ReportTable(
        key="namndmal",
        title="Aktiviteter per nämndmål",
        columns=_columns(Column("goal", "Nämndmål", width=36, wrap=True), follow_up),
    )
    writer = _TableWriter(table, plan, placed)
    by_goal: dict[int, list[Activity]] = defaultdict(list)
    by_area: dict[int, list[Activity]] = defaultdict(list)
    for activity in plan.activities:
        for goal in activity.board_goals.all():
            by_goal[goal.pk].append(activity)
        if activity.goal_area_id is not None:
            by_area[activity.goal_area_id].append(activity)
    for area in plan.structure:
        goals = area.board_goals
        area_activities = by_area.get(area.area.pk, [])
        if not goals and not area_activities:
            continue
        writer.section(f"Målområde {area.area.name}")
        for goal in goals:
            writer.group(Cell(goal.title, bold=True), by_goal.get(goal.pk, []))
        if area_activities:
            writer.group(Cell(WHOLE_AREA, bold=True), area_activities)
    return table


def _assignment_tables(plan: PlanActivities, placed: set[int]) -> list[ReportTable]:
    follow_up = plan.statuses is not None
    by_assignment: dict[int, list[Activity]] = defaultdict(list)
    for activity in plan.activities:
        if activity.assignment_id is not None:
            by_assignment[activity.assignment_id].append(activity)
    tables = []
    for scope, key, heading in (
        (
            Scope.COMMON,
            "uppdrag-kommungemensamma",
            "Kommungemensamma strategiska utvecklingsuppdrag",
        ),
        (Scope.BOARD, "uppdrag-namndspecifika", "Nämndspecifika strategiska utvecklingsuppdrag"),
    ):
        table = ReportTable(
            key=key,
            title=heading,
            columns=_columns(Column("assignment", "Uppdrag", width=50, wrap=True), follow_up),
            sheet="uppdrag",
            sheet_title="Strategiska utvecklingsuppdrag",
        )
        writer = _TableWriter(table, plan, placed)
        for assignment in plan.assignments:
            if assignment.scope == scope:
                writer.group(_assignment_cell(assignment), by_assignment.get(assignment.pk, []))
        tables.append(table)
    return tables


def _policy_table(plan: PlanActivities, placed: set[int]) -> ReportTable | None:
    """Only when the board's year has activities for a styrdokument."""
    by_document: dict[int, list[Activity]] = defaultdict(list)
    for activity in plan.activities:
        if activity.policy_document_id is not None:
            by_document[activity.policy_document_id].append(activity)
    if not by_document:
        return None
    table = ReportTable(
        key="styrdokument",
        title="Prioriterade styrdokument",
        columns=_columns(
            Column("document", "Styrdokument", width=40, wrap=True), plan.statuses is not None
        ),
    )
    writer = _TableWriter(table, plan, placed)
    shown = set()
    for document in plan.policy_documents:
        shown.add(document.pk)
        writer.group(Cell(document.title, bold=True), by_document.get(document.pk, []))
    # A styrdokument no longer valid in the year keeps its activities in the plan.
    for activity in plan.activities:
        outside = activity.policy_document
        if outside is not None and outside.pk not in shown:
            shown.add(outside.pk)
            writer.group(Cell(outside.title, bold=True), by_document[outside.pk])
    return table


def _other_table(plan: PlanActivities, placed: set[int]) -> ReportTable:
    """The board's nämnduppdrag with their activities, then every activity not listed yet
    (linked to nothing else, or to something outside the year's structure)."""
    table = ReportTable(
        key="ovriga",
        title="Övriga uppdrag och projekt",
        columns=_columns(
            Column("assignment", "Uppdrag eller projekt", width=50, wrap=True),
            plan.statuses is not None,
        ),
    )
    writer = _TableWriter(table, plan, placed)
    by_assignment: dict[int, list[Activity]] = defaultdict(list)
    for activity in plan.activities:
        if activity.assignment_id is not None:
            by_assignment[activity.assignment_id].append(activity)
    for assignment in plan.assignments:
        if assignment.scope == Scope.BOARD_OWN:
            writer.group(_assignment_cell(assignment), by_assignment.get(assignment.pk, []))
    # Activities of an assignment that is not the board's year's (none should be) come here.
    rest = [activity for activity in plan.activities if activity.pk not in placed]
    if rest or not table.rows:
        writer.group(Cell(OTHER_ACTIVITIES, bold=True), rest)
    return table


def build_verksamhetsplan(
    board: Board,
    year: int,
    *,
    occasion: ReportingOccasion | None = None,
    now: datetime.datetime | None = None,
) -> Report:
    if occasion is not None and (occasion.board_id != board.pk or occasion.year != year):
        raise ValueError(OCCASION_OF_OTHER_PLAN.format(year=year))
    plan = load_plan_activities(board, year, occasion)
    placed: set[int] = set()
    tables = [_goal_table(plan, placed), *_assignment_tables(plan, placed)]
    policy = _policy_table(plan, placed)
    if policy is not None:
        tables.append(policy)
    tables.append(_other_table(plan, placed))
    subtitle = ""
    if occasion is not None:
        subtitle = FOLLOW_UP.format(label=f"{occasion.get_kind_display()} {occasion.year}")
    return Report(
        board_code=board.code,
        board_name=board.name,
        year=year,
        generated_at=timezone.localtime(now or timezone.now()),
        tables=tables,
        kind=ReportKind.VERKSAMHETSPLAN,
        subtitle=subtitle,
    )
