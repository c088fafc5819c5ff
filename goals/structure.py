"""A board's goal structure as it was in a given year: målområde → KF-mål → nämndmål."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from goals.models import Board, BoardGoal, CouncilGoal, GoalArea


@dataclass
class CouncilGoalNode:
    goal: CouncilGoal
    board_goals: list[BoardGoal] = field(default_factory=list)


@dataclass
class GoalAreaNode:
    area: GoalArea
    council_goals: list[CouncilGoalNode] = field(default_factory=list)

    @property
    def board_goals(self) -> list[BoardGoal]:
        return [goal for node in self.council_goals for goal in node.board_goals]


def goal_structure(
    board: Board | int, year: int, *, only_with_board_goals: bool = False
) -> list[GoalAreaNode]:
    """The five målområden with the KF goals and the board's nämndmål valid in `year` (3 queries)."""
    board_id = board if isinstance(board, int) else board.pk
    return goal_structures([board_id], year, only_with_board_goals=only_with_board_goals)[board_id]


def goal_structures(
    boards: Iterable[Board | int], year: int, *, only_with_board_goals: bool = False
) -> dict[int, list[GoalAreaNode]]:
    """`goal_structure` of each board, by board id, in the same 3 queries for any number of
    boards: the målområden and KF goals are read once, each board gets its own nodes."""
    board_ids = [board if isinstance(board, int) else board.pk for board in boards]
    areas = list(GoalArea.objects.order_by("order", "pk"))
    council_goals = list(
        CouncilGoal.objects.valid_in(year).order_by("goal_area__order", "order", "pk")
    )
    board_goals: dict[int, list[BoardGoal]] = defaultdict(list)
    for board_goal in (
        BoardGoal.objects.valid_in(year)
        .filter(board__in=board_ids)
        .order_by("council_goal__goal_area__order", "council_goal__order", "order", "pk")
    ):
        board_goals[board_goal.board_id].append(board_goal)
    return {
        board_id: _structure(areas, council_goals, board_goals[board_id], only_with_board_goals)
        for board_id in board_ids
    }


def _structure(
    areas: list[GoalArea],
    council_goals: list[CouncilGoal],
    board_goals: list[BoardGoal],
    only_with_board_goals: bool,
) -> list[GoalAreaNode]:
    nodes = {area.pk: GoalAreaNode(area) for area in areas}
    council_nodes: dict[int, CouncilGoalNode] = {}
    for goal in council_goals:
        node = CouncilGoalNode(goal)
        council_nodes[goal.pk] = node
        nodes[goal.goal_area_id].council_goals.append(node)
    for board_goal in board_goals:
        parent = council_nodes.get(board_goal.council_goal_id)
        if parent is not None:
            parent.board_goals.append(board_goal)
    if only_with_board_goals:
        for area in nodes.values():
            area.council_goals = [node for node in area.council_goals if node.board_goals]
        return [area for area in nodes.values() if area.council_goals]
    return list(nodes.values())
