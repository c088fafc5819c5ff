"""The municipality overview: every board side by side, goals per status, indicators on/off target.

Aggregated across boards in a fixed number of queries (never a loop of board → selectors).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from goals.models import Board, BoardGoal, GoalArea, GoalAssessment, ReportingOccasion
from indicators.models import Indicator
from indicators.selectors import IndicatorSeries, group_by_goal, load_series
from reports.dashboard.board import ASSESSING_KINDS, StatusCount, latest_assessing_occasion
from reports.dashboard.rows import ALL_PERIOD_TYPES, indicator_rows
from reports.dashboard.status import (
    GOAL_STATUS_ORDER,
    GOAL_STATUSES,
    NOT_ASSESSED,
    TARGET_STATUS_ORDER,
    TARGET_STATUSES,
)


def overview_years(year: int) -> range:
    """The years the overview of `year` reads, for its data token (reports.freshness): the
    indicators' year and the one before (the trend), the occasions and economy of `year`."""
    return range(year - 1, year + 1)


@dataclass
class BoardSummary:
    board: Board | None  # None for the municipality's total row
    occasion: ReportingOccasion | None
    goal_counts: list[StatusCount]
    indicator_counts: list[StatusCount]

    @property
    def goal_total(self) -> int:
        return sum(item.count for item in self.goal_counts)

    @property
    def indicator_total(self) -> int:
        return sum(item.count for item in self.indicator_counts)

    def goal_count(self, key: str) -> int:
        return next(item.count for item in self.goal_counts if item.status.key == key)

    def indicator_count(self, key: str) -> int:
        return next(item.count for item in self.indicator_counts if item.status.key == key)


@dataclass
class Overview:
    year: int
    goal_area: GoalArea | None
    boards: list[BoardSummary] = field(default_factory=list)
    totals: BoardSummary | None = None


def _counts(counter: Counter[str], order: list[str], statuses: dict) -> list[StatusCount]:
    return [StatusCount(statuses[key], counter[key]) for key in order]


def _assessed_levels(
    board_ids: list[int], year: int, goal_ids: set[int]
) -> tuple[dict[int, ReportingOccasion | None], dict[int, str]]:
    """Each board's latest assessing occasion of the year and its goals' levels (two queries)."""
    occasions_by_board: dict[int, list[ReportingOccasion]] = defaultdict(list)
    for occasion in ReportingOccasion.objects.filter(
        board__in=board_ids, year=year, kind__in=ASSESSING_KINDS
    ):
        occasions_by_board[occasion.board_id].append(occasion)
    chosen = {
        board_id: latest_assessing_occasion(occasions)
        for board_id, occasions in occasions_by_board.items()
    }
    levels: dict[int, str] = dict(
        GoalAssessment.objects.filter(
            occasion__in=[occasion.pk for occasion in chosen.values() if occasion is not None],
            board_goal__in=goal_ids,
        ).values_list("board_goal_id", "level")
    )
    return chosen, levels


def overview_series(indicators: Iterable[Indicator], year: int) -> dict[int, IndicatorSeries]:
    """What judging the year's latest outcomes reads: the year's values of every period type,
    last year's year values (the base of a direction target) and the year's targets, no
    footnotes and no splits by kön or enhet (the overview counts judgements, which are of
    totals; it shows no value), in a fixed number of queries."""
    return load_series(
        indicators,
        overview_years(year),
        period_types=ALL_PERIOD_TYPES,
        sub_year_periods_in=[year],
        target_years=[year],
        value_notes=False,
        target_notes=False,
        splits_in=[],
    )


def municipality_overview(
    boards: Iterable[Board], year: int, *, goal_area: GoalArea | None = None
) -> Overview:
    """Per board and in total: how many goals have each level and indicators each status."""
    boards = list(boards)
    summaries = board_summaries(boards, year, goal_area=goal_area)
    return overview_of([summaries[board.pk] for board in boards], year, goal_area=goal_area)


def overview_of(
    summaries: list[BoardSummary], year: int, *, goal_area: GoalArea | None = None
) -> Overview:
    """The overview of these boards' summaries (in the order shown), with the total row."""
    total_goals: Counter[str] = Counter()
    total_indicators: Counter[str] = Counter()
    for summary in summaries:
        total_goals.update({item.status.key: item.count for item in summary.goal_counts})
        total_indicators.update({item.status.key: item.count for item in summary.indicator_counts})
    return Overview(
        year=year,
        goal_area=goal_area,
        boards=list(summaries),
        totals=BoardSummary(
            board=None,
            occasion=None,
            goal_counts=_counts(total_goals, GOAL_STATUS_ORDER, GOAL_STATUSES),
            indicator_counts=_counts(total_indicators, TARGET_STATUS_ORDER, TARGET_STATUSES),
        ),
    )


def board_summaries(
    boards: Iterable[Board], year: int, *, goal_area: GoalArea | None = None
) -> dict[int, BoardSummary]:
    """Each board's summary, by board id, read together in a fixed number of queries. A board's
    summary reads only that board's data (and the shared structure), so it can be kept under
    the board's own token (reports.views.dashboard.overview_context)."""
    boards = list(boards)
    board_ids = [board.pk for board in boards]

    selected = BoardGoal.objects.valid_in(year).filter(board__in=board_ids)
    if goal_area is not None:
        selected = selected.filter(council_goal__goal_area=goal_area)
    goals = list(selected.only("pk", "board_id").order_by("pk"))
    goal_ids = {goal.pk for goal in goals}

    chosen, levels = _assessed_levels(board_ids, year, goal_ids)
    indicators = [
        indicator
        for indicator in Indicator.objects.valid_in(year)
        .filter(board__in=board_ids, category=Indicator.Category.GOAL)
        .select_related("parent")
        .order_by("order", "pk")
        if indicator.board_goal_id in goal_ids
        or (indicator.parent is not None and indicator.parent.board_goal_id in goal_ids)
    ]
    series = overview_series(indicators, year)
    by_goal = group_by_goal(indicators)

    goal_counters: dict[int, Counter[str]] = defaultdict(Counter)
    indicator_counters: dict[int, Counter[str]] = defaultdict(Counter)
    for goal in goals:
        goal_counters[goal.board_id][levels.get(goal.pk, NOT_ASSESSED)] += 1
        rows = indicator_rows(by_goal.get(goal.pk, []), series, year, with_trend=False)
        indicator_counters[goal.board_id].update(row.status.key for row in rows)

    return {
        board.pk: BoardSummary(
            board=board,
            occasion=chosen.get(board.pk),
            goal_counts=_counts(goal_counters[board.pk], GOAL_STATUS_ORDER, GOAL_STATUSES),
            indicator_counts=_counts(
                indicator_counters[board.pk], TARGET_STATUS_ORDER, TARGET_STATUSES
            ),
        )
        for board in boards
    }
