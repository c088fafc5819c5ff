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
from goals.periods import OccasionKind, PeriodType
from goals.structure import GoalAreaNode, goal_structures
from indicators import yearrule
from indicators.models import Footnote, Indicator, IndicatorBreakdown
from indicators.selectors import Cell, IndicatorSeries, indicators_for_boards, load_series
from reports.freshness import up_to

# How many years each kind of table shows, ending with the report year.
INDICATOR_YEARS = 3
VOLUME_YEARS = 5
STAFF_YEARS = 5


def report_years(year: int) -> range:
    """The years a report (verksamhetsberättelse or delår) of `year` reads, for its data token
    (reports.freshness): the indicator tables back to year - 4, the budget's bokslut year - 1,
    and the investments' budgets and outcomes of every earlier year
    (budget.selectors.investment_amounts_to). Nothing after `year`."""
    return up_to(year)


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
    # The follow-up occasion the report is of: helår (the verksamhetsberättelse) or a delår,
    # whose report also has the year's forecasts and the indicators' year so far.
    occasion: OccasionKind = OccasionKind.FULL_YEAR
    forecasts: budget_tables.ForecastTable | None = None
    extra: dict = field(default_factory=dict)


def load_indicator_data(
    board: Board,
    year: int,
    years: range,
    goal_years: range,
    *,
    as_of: datetime.datetime | None = None,
    indicators_as_of: datetime.datetime | None = None,
    with_periods: bool = False,
) -> IndicatorData:
    """The year's goal structure and every indicator with values and targets of `years`
    (the goal indicators only of `goal_years`), as the history stood `as_of` (None: now);
    `indicators_as_of` chooses the indicators valid in `year` as their history stood then;
    `with_periods` also reads the months, quarters and tertials of `year` (same queries)."""
    return load_indicator_data_of_boards(
        [board],
        year,
        years,
        goal_years,
        as_of=as_of,
        indicators_as_of=indicators_as_of,
        with_periods=with_periods,
    )[board.pk]


def load_indicator_data_of_boards(
    boards: list[Board],
    year: int,
    years: range,
    goal_years: range,
    *,
    as_of: datetime.datetime | None = None,
    indicators_as_of: datetime.datetime | None = None,
    with_periods: bool = False,
) -> dict[int, IndicatorData]:
    """`load_indicator_data` of each board, by board id, in the queries of one board: every
    board's structure, indicators and series are read together and then divided."""
    structures = goal_structures(boards, year, only_with_board_goals=True)
    all_indicators = list(
        indicators_for_boards(
            boards,
            year,
            categories=[choice.value for choice in Indicator.Category],
            as_of=indicators_as_of,
        )
    )
    goal_indicator_ids = [i.pk for i in all_indicators if i.category == Indicator.Category.GOAL]
    series = load_series(
        all_indicators,
        years,
        period_types=tuple(PeriodType) if with_periods else (PeriodType.YEAR,),
        sub_year_periods_in=[year] if with_periods else None,
        fewer_years=(goal_indicator_ids, goal_years),
        as_of=as_of,
    )
    ids = {indicator.pk for indicator in all_indicators}
    breakdown_order, declared_genders = _declared_breakdowns(ids, years[0], years[-1])
    goal_footnotes = _goal_footnotes(
        [
            goal.pk
            for structure in structures.values()
            for area in structure
            for goal in area.board_goals
        ],
        year,
    )
    by_board: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in all_indicators:
        by_board[indicator.board_id].append(indicator)
    result: dict[int, IndicatorData] = {}
    for board in boards:
        indicators = by_board[board.pk]
        own = {indicator.pk for indicator in indicators}
        children: dict[int, list[Indicator]] = defaultdict(list)
        for indicator in indicators:
            if indicator.parent_id is not None and indicator.parent_id in own:
                children[indicator.parent_id].append(indicator)
        result[board.pk] = IndicatorData(
            board=board,
            year=year,
            structure=structures[board.pk],
            indicators=indicators,
            series={pk: series[pk] for pk in own},
            children=dict(children),
            breakdown_order={pk: breakdown_order[pk] for pk in own if pk in breakdown_order},
            declared_genders={pk: declared_genders[pk] for pk in own if pk in declared_genders},
            goal_footnotes={
                goal.pk: goal_footnotes[goal.pk]
                for area in structures[board.pk]
                for goal in area.board_goals
                if goal.pk in goal_footnotes
            },
        )
    return result


def load_report_data(
    board: Board,
    year: int,
    *,
    as_of: datetime.datetime | None = None,
    occasion: OccasionKind = OccasionKind.FULL_YEAR,
) -> ReportData:
    """The report's data at a follow-up occasion: helår for the verksamhetsberättelse, delår 1
    or 2 for a delårsrapport. The goal assessments and assignment statuses are the occasion's;
    at a delår the indicators' year value is the year so far (`year_to_date`) and the year's
    forecasts are read too. `as_of` reads the indicator values and targets as they stood then
    (the budget tables and the follow-up are read as stored)."""
    return load_reports_data([board], year, as_of=as_of, occasion=occasion)[board.pk]


def load_reports_data(
    boards: list[Board],
    year: int,
    *,
    as_of: datetime.datetime | None = None,
    occasion: OccasionKind = OccasionKind.FULL_YEAR,
) -> dict[int, ReportData]:
    """`load_report_data` of each board, by board id, in the queries of one board (at a delår
    the forecasts cost two queries per board)."""
    occasion = OccasionKind(occasion)
    interim = occasion != OccasionKind.FULL_YEAR
    # A delårsrapport has no five-year volume and staff tables: the indicators' three years.
    shown = INDICATOR_YEARS if interim else max(INDICATOR_YEARS, VOLUME_YEARS, STAFF_YEARS)
    bases = load_indicator_data_of_boards(
        boards,
        year,
        range(year - shown + 1, year + 1),
        range(year - INDICATOR_YEARS + 1, year + 1),
        as_of=as_of,
        with_periods=interim,
    )
    followups = _followups(boards, year, occasion)
    board_ids = [board.pk for board in boards]
    operations = budget_tables.operating_summaries(board_ids, year)
    investments = budget_tables.investments_of_boards(board_ids, year)
    result: dict[int, ReportData] = {}
    for board in boards:
        base = bases[board.pk]
        if interim:
            year_to_date(base, occasion.end_month)
        assessments, assignments, statuses = followups[board.pk]
        economy = budget_tables.economy_summary(
            board,
            year,
            operations=operations[board.pk],
            investment_table=investments[board.pk],
        )
        result[board.pk] = ReportData(
            **vars(base),
            assessments=assessments,
            assignments=assignments,
            assignment_statuses=statuses,
            operations=operations[board.pk],
            investments=investments[board.pk],
            economy=economy,
            occasion=occasion,
            forecasts=budget_tables.forecasts(board, year) if interim else None,
        )
    return result


def year_to_date(data: IndicatorData, month: int) -> None:
    """The report year's values as they are at the end of `month`: what the periods ending by
    then give by the indicator's year rule (indicators.yearrule.derive_year_to_date, each
    cell's `to_date` saying up to which period), per breakdown. A year value (entered, derived
    from all periods, or computed) is not known before the year ends, so it is not shown; nor
    is an indicator reported only per year."""
    year_key = (data.year, PeriodType.YEAR.value, 1)
    for series in data.series.values():
        series.values.pop(year_key, None)
        indicator = series.indicator
        if not yearrule.is_derivable(indicator):
            continue
        frequency = PeriodType(indicator.frequency)
        last = frequency.periods_per_year * month // 12
        periods: dict[str, dict[int, Cell]] = defaultdict(dict)
        for number in range(1, last + 1):
            for code, cell in series.cells(data.year, frequency.value, number).items():
                periods[code][number] = cell
        cells: dict[str, Cell] = {}
        for code, by_number in periods.items():
            result = yearrule.derive_year_to_date(
                aggregation=indicator.aggregation,
                frequency=frequency.value,
                periods={number: cell.value for number, cell in by_number.items()},
            )
            if result.derived or result.missing:
                cells[code] = Cell(
                    value=result.value,
                    decimals=indicator.decimals,
                    breakdown=next(iter(by_number.values())).breakdown,
                    is_derived=True,
                    to_date=result.to_date,
                )
        if cells:
            series.values[year_key] = cells


def _declared_breakdowns(
    indicator_ids: set[int], first_year: int, year: int
) -> tuple[dict[int, dict[int, int]], dict[int, set[str]]]:
    """Per indicator, the order of its breakdowns and the genders it declares over the years."""
    breakdown_order: dict[int, dict[int, int]] = defaultdict(dict)
    declared_genders: dict[int, set[str]] = defaultdict(set)
    declared = (
        IndicatorBreakdown.objects.valid_between(first_year, year)
        .filter(indicator__in=indicator_ids)
        # By indicator id, not "indicator": that expands to the indicator's default order,
        # which joins the boards and compares their names (ICU collation), 8 ms at size L.
        .order_by("indicator_id", "order", "pk")
        .values_list("indicator_id", "breakdown_id", "order", "breakdown__gender")
    )
    for indicator_id, breakdown_id, order, gender in declared:
        breakdown_order[indicator_id].setdefault(breakdown_id, order)
        declared_genders[indicator_id].add(gender)
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


def _followups(
    boards: list[Board], year: int, occasion: OccasionKind
) -> dict[
    int,
    tuple[dict[int, GoalAssessment], list[StrategicAssignment], dict[int, AssignmentStatus]],
]:
    """Per board: the occasion's goal assessments, the year's strategic assignments and their
    statuses at the occasion (three queries for any number of boards)."""
    at = {"occasion__board__in": boards, "occasion__year": year, "occasion__kind": occasion}
    assessments: dict[int, dict[int, GoalAssessment]] = defaultdict(dict)
    for assessment in GoalAssessment.objects.filter(**at).select_related("occasion"):
        assessments[assessment.occasion.board_id][assessment.board_goal_id] = assessment
    statuses: dict[int, dict[int, AssignmentStatus]] = defaultdict(dict)
    for status in AssignmentStatus.objects.filter(**at).select_related("occasion"):
        statuses[status.occasion.board_id][status.assignment_id] = status
    assignments = assignments_of_boards(boards, year)
    return {
        board.pk: (assessments[board.pk], assignments[board.pk], statuses[board.pk])
        for board in boards
    }


def year_assignments(board: Board, year: int) -> list[StrategicAssignment]:
    """The strategic assignments of the board's year: KF's common ones, the board-specific
    ones and the board's own nämnduppdrag, by scope and order (one query)."""
    return assignments_of_boards([board], year)[board.pk]


def assignments_of_boards(boards: list[Board], year: int) -> dict[int, list[StrategicAssignment]]:
    """`year_assignments` of each board, by board id, in one query for any number of boards."""
    rows = list(
        StrategicAssignment.objects.valid_in(year)
        .filter(
            Q(
                scope=StrategicAssignment.Scope.COMMON,
                municipality_id__in={board.municipality_id for board in boards},
            )
            | Q(
                scope__in=[StrategicAssignment.Scope.BOARD, StrategicAssignment.Scope.BOARD_OWN],
                board__in=boards,
            )
        )
        .order_by("scope", "order", "pk")
    )
    return {
        board.pk: [
            row
            for row in rows
            if (
                row.board_id == board.pk
                if row.scope != StrategicAssignment.Scope.COMMON
                else row.municipality_id == board.municipality_id
            )
        ]
        for board in boards
    }
