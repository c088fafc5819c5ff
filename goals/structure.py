"""A board's goal structure as it was in a given year: målområde → KF-mål → nämndmål."""

from __future__ import annotations

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
    areas = {area.pk: GoalAreaNode(area) for area in GoalArea.objects.order_by("order", "pk")}
    council_nodes: dict[int, CouncilGoalNode] = {}
    for goal in CouncilGoal.objects.valid_in(year).order_by("goal_area__order", "order", "pk"):
        node = CouncilGoalNode(goal)
        council_nodes[goal.pk] = node
        areas[goal.goal_area_id].council_goals.append(node)
    board_goals = (
        BoardGoal.objects.valid_in(year)
        .filter(board=board)
        .order_by("council_goal__goal_area__order", "council_goal__order", "order", "pk")
    )
    for board_goal in board_goals:
        parent = council_nodes.get(board_goal.council_goal_id)
        if parent is not None:
            parent.board_goals.append(board_goal)
    if only_with_board_goals:
        for area in areas.values():
            area.council_goals = [node for node in area.council_goals if node.board_goals]
        return [area for area in areas.values() if area.council_goals]
    return list(areas.values())
