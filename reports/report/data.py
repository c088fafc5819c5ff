"""Everything one report needs, read in a fixed number of queries.

The builders never query: they get a ReportData. The count is the same for a board with three
indicators or three hundred (asserted in tests/test_report_queries.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from budget import tables as budget_tables
from goals.models import (
    AssignmentStatus,
    Board,
    GoalAssessment,
    StrategicAssignment,
)
from goals.periods import OccasionKind
from goals.structure import GoalAreaNode, goal_structure
from indicators.models import Footnote, Indicator, IndicatorBreakdown
from indicators.selectors import IndicatorSeries, indicators_for_board, load_series

# How many years each kind of table shows, ending with the report year.
INDICATOR_YEARS = 3
VOLUME_YEARS = 5
STAFF_YEARS = 5


@dataclass
class IndicatorData:
    """The goal structure and indicators of a board-year with their series: what the indicator
    tables (reports.report.indicator_tables) read, in the verksamhetsberättelse and the plans."""

    board: Board
    year: int
    structure: list[GoalAreaNode]
    indicators: list[Indicator]
    series: dict[int, IndicatorSeries]
    children: dict[int, list[Indicator]]
    breakdown_order: dict[int, dict[int, int]]
    declared_genders: dict[int, set[str]]
    goal_footnotes: dict[int, list[str]]

    def top_level(self, category: str) -> list[Indicator]:
        return [i for i in self.indicators if i.category == category and i.parent_id is None]

    def years(self, count: int) -> list[int]:
        return list(range(self.year - count + 1, self.year + 1))


@dataclass
class ReportData(IndicatorData):
    assessments: dict[int, GoalAssessment]
    assignments: list[StrategicAssignment]
    assignment_statuses: dict[int, AssignmentStatus]
    # The budget tables, read once: the Ekonomi table is made from the other two.
    operations: budget_tables.OperatingSummary
    investments: budget_tables.InvestmentTable
    economy: budget_tables.EconomySummary
    extra: dict = field(default_factory=dict)


def load_indicator_data(
    board: Board,
    year: int,
    years: range,
    goal_years: range,
    *,
    as_of: datetime.datetime | None = None,
    indicators_as_of: datetime.datetime | None = None,
) -> IndicatorData:
    """The year's goal structure and every indicator with values and targets of `years`
    (the goal indicators only of `goal_years`), as the history stood `as_of` (None: now);
    `indicators_as_of` chooses the indicators valid in `year` as their history stood then."""
    structure = goal_structure(board, year, only_with_board_goals=True)
    indicators = list(
        indicators_for_board(
            board,
            year,
            categories=[choice.value for choice in Indicator.Category],
            as_of=indicators_as_of,
        )
    )
    goal_indicator_ids = [i.pk for i in indicators if i.category == Indicator.Category.GOAL]
    series = load_series(
        indicators, years, fewer_years=(goal_indicator_ids, goal_years), as_of=as_of
    )

    ids = {indicator.pk for indicator in indicators}
    children: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        if indicator.parent_id is not None and indicator.parent_id in ids:
            children[indicator.parent_id].append(indicator)

    breakdown_order, declared_genders = _declared_breakdowns(ids, years[0], years[-1])
    goal_footnotes = _goal_footnotes(
        [goal.pk for area in structure for goal in area.board_goals], year
    )
    return IndicatorData(
        board=board,
        year=year,
        structure=structure,
        indicators=indicators,
        series=series,
        children=dict(children),
        breakdown_order=breakdown_order,
        declared_genders=declared_genders,
        goal_footnotes=goal_footnotes,
    )


def load_report_data(
    board: Board, year: int, *, as_of: datetime.datetime | None = None
) -> ReportData:
    """The report's data; `as_of` reads the indicator values and targets as they stood then
    (the budget tables and the follow-up are read as stored)."""
    first_year = year - max(INDICATOR_YEARS, VOLUME_YEARS, STAFF_YEARS) + 1
    base = load_indicator_data(
        board,
        year,
        range(first_year, year + 1),
        range(year - INDICATOR_YEARS + 1, year + 1),
        as_of=as_of,
    )
    assessments, assignments, statuses = _year_end_followup(board, year)
    operations = budget_tables.operating_summary(board, year)
    investments = budget_tables.investments(board, year)
    economy = budget_tables.economy_summary(
        board, year, operations=operations, investment_table=investments
    )
    return ReportData(
        **vars(base),
        assessments=assessments,
        assignments=assignments,
        assignment_statuses=statuses,
        operations=operations,
        investments=investments,
        economy=economy,
    )


def _declared_breakdowns(
    indicator_ids: set[int], first_year: int, year: int
) -> tuple[dict[int, dict[int, int]], dict[int, set[str]]]:
    """Per indicator, the order of its breakdowns and the genders it declares over the years."""
    breakdown_order: dict[int, dict[int, int]] = defaultdict(dict)
    declared_genders: dict[int, set[str]] = defaultdict(set)
    declared = (
        IndicatorBreakdown.objects.valid_between(first_year, year)
        .filter(indicator__in=indicator_ids)
        .select_related("breakdown")
        .order_by("indicator", "order", "pk")
    )
    for row in declared:
        breakdown_order[row.indicator_id].setdefault(row.breakdown_id, row.order)
        declared_genders[row.indicator_id].add(row.breakdown.gender)
    return dict(breakdown_order), dict(declared_genders)


def _goal_footnotes(goal_ids: list[int], year: int) -> dict[int, list[str]]:
    """The footnote texts of each nämndmål for the year (or for every year), in order."""
    goal_footnotes: dict[int, list[str]] = defaultdict(list)
    for note in (
        Footnote.objects.filter(board_goal__in=goal_ids)
        .filter(Q(year__isnull=True) | Q(year=year))
        .order_by("order", "pk")
    ):
        if note.board_goal_id is not None:  # always: the filter is on board_goal
            goal_footnotes[note.board_goal_id].append(note.text)
    return dict(goal_footnotes)


def _year_end_followup(
    board: Board, year: int
) -> tuple[dict[int, GoalAssessment], list[StrategicAssignment], dict[int, AssignmentStatus]]:
    """The helår occasion's goal assessments, the year's strategic assignments and their statuses."""
    assessments = {
        assessment.board_goal_id: assessment
        for assessment in GoalAssessment.objects.filter(
            occasion__board=board, occasion__year=year, occasion__kind=OccasionKind.FULL_YEAR
        )
    }
    assignments = year_assignments(board, year)
    statuses = {
        status.assignment_id: status
        for status in AssignmentStatus.objects.filter(
            occasion__board=board, occasion__year=year, occasion__kind=OccasionKind.FULL_YEAR
        )
    }
    return assessments, assignments, statuses


def year_assignments(board: Board, year: int) -> list[StrategicAssignment]:
    """The strategic assignments of the board's year: KF's common ones, the board-specific
    ones and the board's own nämnduppdrag, by scope and order (one query)."""
    return list(
        StrategicAssignment.objects.valid_in(year)
        .filter(
            Q(scope=StrategicAssignment.Scope.COMMON, municipality_id=board.municipality_id)
            | Q(
                scope__in=[StrategicAssignment.Scope.BOARD, StrategicAssignment.Scope.BOARD_OWN],
                board=board,
            )
        )
        .order_by("scope", "order", "pk")
    )
