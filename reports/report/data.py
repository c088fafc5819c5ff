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
from goals.structure import GoalAreaNode, goal_structure
from indicators import yearrule
from indicators.models import Footnote, Indicator, IndicatorBreakdown
from indicators.selectors import Cell, IndicatorSeries, indicators_for_board, load_series
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
        indicators,
        years,
        period_types=tuple(PeriodType) if with_periods else (PeriodType.YEAR,),
        sub_year_periods_in=[year] if with_periods else None,
        fewer_years=(goal_indicator_ids, goal_years),
        as_of=as_of,
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
    occasion = OccasionKind(occasion)
    interim = occasion != OccasionKind.FULL_YEAR
    # A delårsrapport has no five-year volume and staff tables: the indicators' three years.
    shown = INDICATOR_YEARS if interim else max(INDICATOR_YEARS, VOLUME_YEARS, STAFF_YEARS)
    base = load_indicator_data(
        board,
        year,
        range(year - shown + 1, year + 1),
        range(year - INDICATOR_YEARS + 1, year + 1),
        as_of=as_of,
        with_periods=interim,
    )
    if interim:
        year_to_date(base, occasion.end_month)
    assessments, assignments, statuses = _followup(board, year, occasion)
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
        occasion=occasion,
        forecasts=budget_tables.forecasts(board, year) if interim else None,
    )


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


def _followup(
    board: Board, year: int, occasion: OccasionKind
) -> tuple[dict[int, GoalAssessment], list[StrategicAssignment], dict[int, AssignmentStatus]]:
    """The occasion's goal assessments, the year's strategic assignments and their statuses
    at the occasion."""
    at = {"occasion__board": board, "occasion__year": year, "occasion__kind": occasion}
    assessments = {
        assessment.board_goal_id: assessment for assessment in GoalAssessment.objects.filter(**at)
    }
    assignments = year_assignments(board, year)
    statuses = {status.assignment_id: status for status in AssignmentStatus.objects.filter(**at)}
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
