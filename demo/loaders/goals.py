"""Målområden, kommunövergripande mål och nämndmål (fixtures/linkoping/goals.toml)."""

from __future__ import annotations

from typing import Any

from demo.loaders.base import DemoDataError, Stats, read, sync
from goals.models import Board, BoardGoal, CouncilGoal, GoalArea
from indicators.models import Footnote

FILE = "goals.toml"


def load(stats: Stats) -> None:
    """The goal areas, kommunövergripande mål, nämndmål and the nämndmål's footnotes."""
    data = read(FILE)
    council_goals = _load_council_goals(data, stats)
    board_goal_specs = data["board_goals"]
    boards = {board.code: board for board in Board.objects.all()}
    board_goals = _load_board_goals(board_goal_specs, boards, council_goals, stats)
    _load_board_goal_notes(board_goal_specs, boards, board_goals, stats)


def _load_council_goals(data: dict[str, Any], stats: Stats) -> dict[tuple, CouncilGoal]:
    """The målområden and the kommunövergripande mål of the mandate period.

    AN's 2023 is made by the year rollover from 2022 (demo.loaders.rollover), which continues
    the KF goals AN's nämndmål stand under.
    """
    first, last = data["council_goal_years"]
    areas = sync(
        GoalArea,
        [
            {"name": area["name"], "description": area["description"], "order": area["order"]}
            for area in data["goal_areas"]
        ],
        ["name"],
        stats,
    )
    council_goals = sync(
        CouncilGoal,
        [
            {
                "goal_area_id": areas[(goal["goal_area"],)].pk,
                "title": goal["title"],
                "valid_from": first,
                "description": goal["description"],
                "order": goal["order"],
                "valid_to": last,
            }
            for goal in data["council_goals"]
        ],
        ["goal_area_id", "title", "valid_from"],
        stats,
    )
    return council_goals


def _load_board_goals(
    board_goal_specs: list[dict[str, Any]],
    boards: dict[str, Board],
    council_goals: dict[tuple, CouncilGoal],
    stats: Stats,
) -> dict[tuple, BoardGoal]:
    """The nämndmål, each under the kommunövergripande mål of its title in its first year."""

    def council_for(goal: dict) -> CouncilGoal | None:
        """The kommunövergripande mål of that title valid in the nämndmål's first year."""
        for council in council_goals.values():
            if council.title == goal["council_goal"] and council.is_valid_in(goal["valid_from"]):
                return council
        return None

    rows = []
    for goal in board_goal_specs:
        council = council_for(goal)
        if council is None:
            raise DemoDataError(f"Demodata: okänt kommunövergripande mål {goal['council_goal']!r}.")
        rows.append(
            {
                "board_id": boards[goal["board"]].pk,
                "title": goal["title"],
                "valid_from": goal["valid_from"],
                "council_goal_id": council.pk,
                "description": goal["description"],
                "order": goal["order"],
                "valid_to": goal.get("valid_to"),
            }
        )
    return sync(BoardGoal, rows, ["board_id", "title", "valid_from"], stats)


def _load_board_goal_notes(
    board_goal_specs: list[dict[str, Any]],
    boards: dict[str, Board],
    board_goals: dict[tuple, BoardGoal],
    stats: Stats,
) -> None:
    """The footnotes of the nämndmål, numbered in the files' order."""
    footnote_rows = []
    for goal in board_goal_specs:
        owner = board_goals[(boards[goal["board"]].pk, goal["title"], goal["valid_from"])]
        for order, note in enumerate(goal.get("footnotes", []), start=1):
            footnote_rows.append(
                {
                    "board_goal_id": owner.pk,
                    "order": order,
                    "text": note["text"],
                    "year": note.get("year"),
                }
            )
    sync(
        Footnote,
        footnote_rows,
        ["board_goal_id", "order"],
        stats,
        existing=Footnote.objects.filter(board_goal__in=[g.pk for g in board_goals.values()]),
    )


def board_goal(board: Board, title: str, year: int) -> BoardGoal:
    goal = BoardGoal.objects.valid_in(year).filter(board=board, title=title).first()
    if goal is None:
        raise DemoDataError(f"Demodata: nämndmålet {title!r} finns inte för {board.code} {year}.")
    return goal
