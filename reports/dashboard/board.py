"""The board dashboard: målområden → nämndmål with status → indicators with value, target, trend."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from goals.models import (
    Board,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    GoalAssessment,
    ReportingOccasion,
)
from goals.periods import OccasionKind
from goals.structure import goal_structure
from indicators.selectors import group_by_goal, indicators_for_board
from reports.dashboard.rows import IndicatorRow, indicator_rows, load_dashboard_series
from reports.dashboard.status import (
    GOAL_STATUS_ORDER,
    GOAL_STATUSES,
    TARGET_STATUS_ORDER,
    TARGET_STATUSES,
    Status,
    goal_status,
    suggest_level,
)

ASSESSING_KINDS = [kind.value for kind in OccasionKind if kind.assesses_goals]


def latest_assessing_occasion(
    occasions: Iterable[ReportingOccasion],
) -> ReportingOccasion | None:
    """Of one board's occasions in a year, the latest that assesses goals (helår over delår 2…)."""
    assessing = [o for o in occasions if o.kind in ASSESSING_KINDS]
    if not assessing:
        return None
    return max(assessing, key=lambda occasion: OccasionKind(occasion.kind).end_month)


@dataclass
class GoalCard:
    goal: BoardGoal
    council_goal: CouncilGoal
    status: Status
    assessment: GoalAssessment | None = None
    is_preliminary: bool = False
    suggested: Status | None = None
    reasons: list[tuple[str, Status]] = field(default_factory=list)
    not_counted: list[str] = field(default_factory=list)
    rows: list[IndicatorRow] = field(default_factory=list)

    @property
    def is_assessed(self) -> bool:
        return self.assessment is not None


@dataclass
class AreaSection:
    area: GoalArea
    goals: list[GoalCard] = field(default_factory=list)


@dataclass
class StatusCount:
    status: Status
    count: int


@dataclass
class BoardDashboard:
    board: Board
    year: int
    goal_area: GoalArea | None
    occasion: ReportingOccasion | None
    areas: list[AreaSection]
    goal_counts: list[StatusCount]
    indicator_counts: list[StatusCount]

    @property
    def goal_total(self) -> int:
        return sum(item.count for item in self.goal_counts)

    @property
    def indicator_total(self) -> int:
        return sum(item.count for item in self.indicator_counts)


def goal_card(
    goal: BoardGoal,
    council_goal: CouncilGoal,
    rows: list[IndicatorRow],
    assessment: GoalAssessment | None,
    occasion: ReportingOccasion | None,
) -> GoalCard:
    card = GoalCard(
        goal=goal,
        council_goal=council_goal,
        status=goal_status(assessment.level if assessment else None),
        assessment=assessment,
        rows=rows,
    )
    if assessment is not None and occasion is not None:
        card.is_preliminary = occasion.state != ReportingOccasion.State.APPROVED
    for row in rows:
        if row.met is None:
            card.not_counted.append(row.indicator.name)
        else:
            card.reasons.append((row.indicator.name, row.status))
    suggestion = suggest_level(row.met for row in rows)
    if suggestion is not None:
        card.suggested = GOAL_STATUSES[suggestion]
    return card


def board_dashboard(
    board: Board, year: int, *, goal_area: GoalArea | None = None
) -> BoardDashboard:
    """Everything the board dashboard shows, in a fixed number of queries."""
    structure = goal_structure(board, year, only_with_board_goals=True)
    if goal_area is not None:
        structure = [node for node in structure if node.area.pk == goal_area.pk]

    occasion = latest_assessing_occasion(
        ReportingOccasion.objects.filter(board=board, year=year, kind__in=ASSESSING_KINDS)
    )
    assessments: dict[int, GoalAssessment] = {}
    if occasion is not None:
        assessments = {a.board_goal_id: a for a in GoalAssessment.objects.filter(occasion=occasion)}

    goal_ids = {goal.pk for node in structure for goal in node.board_goals}
    indicators = [
        indicator
        # The names' footnotes are not shown here (and a prefetched queryset in each cached
        # indicator made the built dashboard slow to store and to read back).
        for indicator in indicators_for_board(board, year, name_notes=False)
        if indicator.board_goal_id in goal_ids
        or (indicator.parent is not None and indicator.parent.board_goal_id in goal_ids)
    ]
    series = load_dashboard_series(indicators, year) if goal_ids else {}
    by_goal = group_by_goal(indicators)

    areas = []
    goal_counter: Counter[str] = Counter()
    indicator_counter: Counter[str] = Counter()
    for node in structure:
        section = AreaSection(area=node.area)
        for council_node in node.council_goals:
            for goal in council_node.board_goals:
                rows = indicator_rows(by_goal.get(goal.pk, []), series, year)
                card = goal_card(goal, council_node.goal, rows, assessments.get(goal.pk), occasion)
                section.goals.append(card)
                goal_counter[card.status.key] += 1
                indicator_counter.update(row.status.key for row in rows)
        areas.append(section)

    return BoardDashboard(
        board=board,
        year=year,
        goal_area=goal_area,
        occasion=occasion,
        areas=areas,
        goal_counts=[
            StatusCount(GOAL_STATUSES[key], goal_counter[key]) for key in GOAL_STATUS_ORDER
        ],
        indicator_counts=[
            StatusCount(TARGET_STATUSES[key], indicator_counter[key]) for key in TARGET_STATUS_ORDER
        ],
    )
