"""Uppföljningstillfällen, målbedömningar, strategiska uppdrag och aktiviteter (followup.toml).

Occasions are created open and filled; `approve_occasions` (called by load_demo after every
loader) then approves those the file marks approved through goals.services, like any approval
(transitions with the reason "Demodata", the archived report): an approved occasion locks what
it covers, so nothing could be written to it afterwards. On a second
run everything already matches and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from demo.loaders.base import CHANGE_REASON, DemoDataError, Stats, read, sync
from demo.loaders.organisation import municipality
from goals.deadlines import due_quarter
from goals.models import (
    Activity,
    ActivityStatus,
    AssignmentStatus,
    Board,
    BoardGoal,
    GoalAssessment,
    ReportingOccasion,
    StrategicAssignment,
)
from goals.services import approve_occasion_by_command

FILE = "followup.toml"
UNKNOWN_STATE = (
    "Demodata: tillståndet {state!r} går inte att läsa in (oppen eller godkand, se {file})."
)

# The occasion of (board code, year, kind) and the nämndmål of (board, title, year), found
# among the rows load() read once.
OccasionOf = Callable[[str, int, str], ReportingOccasion]
GoalOf = Callable[[Board, str, int], BoardGoal]


def load(stats: Stats) -> None:
    """The demo occasions, goal assessments, strategic assignments and activities."""
    data = read(FILE)
    boards = {board.code: board for board in Board.objects.all()}
    occasion_key = ["board_id", "year", "kind"]
    occasion_rows = []
    for spec in data["occasions"]:
        row = {
            "board_id": boards[spec["board"]].pk,
            "year": spec["year"],
            "kind": spec["kind"],
            "deadline": spec["deadline"],
        }
        occasion_rows.append(row)
    occasions = sync(
        ReportingOccasion,
        occasion_rows,
        occasion_key,
        stats,
        existing=ReportingOccasion.objects.filter(board__in=boards.values()),
    )

    def occasion(board_code: str, year: int, kind: str) -> ReportingOccasion:
        found = occasions.get((boards[board_code].pk, year, kind))
        if found is None:
            raise DemoDataError(f"Demodata: tillfället {board_code} {kind} {year} saknas i {FILE}.")
        return found

    goals = list(BoardGoal.objects.filter(board__in=boards.values()))

    def goal(board: Board, title: str, year: int) -> BoardGoal:
        for candidate in goals:
            if (
                candidate.board_id == board.pk
                and candidate.title == title
                and candidate.is_valid_in(year)
            ):
                return candidate
        raise DemoDataError(f"Demodata: nämndmålet {title!r} finns inte för {board.code} {year}.")

    _load_assessments(data, boards, occasion, goal, stats)
    by_text = _load_assignments(data, boards, occasion, stats)
    _load_activities(data, boards, occasion, goal, by_text, stats)


def _load_assessments(
    data: dict[str, Any],
    boards: dict[str, Board],
    occasion: OccasionOf,
    goal: GoalOf,
    stats: Stats,
) -> None:
    """The goal assessments, each at its occasion."""
    assessment_rows = []
    for spec in data["assessments"]:
        board = boards[spec["board"]]
        assessment_rows.append(
            {
                "occasion_id": occasion(spec["board"], spec["year"], spec["kind"]).pk,
                "board_goal_id": goal(board, spec["goal"], spec["year"]).pk,
                "level": spec["level"],
                "analysis": spec.get("analysis", "").strip(),
                "results": spec.get("results", "").strip(),
                "other_activities": spec.get("other_activities", "").strip(),
                "deviations": spec.get("deviations", "").strip(),
            }
        )
    sync(
        GoalAssessment,
        assessment_rows,
        ["occasion_id", "board_goal_id"],
        stats,
        existing=GoalAssessment.objects.filter(occasion__board__in=boards.values()),
    )


def _load_assignments(
    data: dict[str, Any], boards: dict[str, Board], occasion: OccasionOf, stats: Stats
) -> dict[str, StrategicAssignment]:
    """The strategic assignments and their statuses; the assignments by text."""
    town = municipality()
    assignment_key = ["scope", "board_id", "text"]
    assignment_rows = [
        {
            "municipality_id": town.pk,
            "scope": spec["scope"],
            "board_id": boards[spec["board"]].pk if spec.get("board") else None,
            "text": spec["text"],
            "note": spec.get("note", ""),
            "order": spec["order"],
            "valid_from": spec["valid_from"],
            "valid_to": spec.get("valid_to"),
        }
        for spec in data["assignments"]
    ]
    assignments = sync(
        StrategicAssignment,
        assignment_rows,
        assignment_key,
        stats,
        existing=StrategicAssignment.objects.filter(municipality=town),
    )
    by_text = {text: obj for (_, _, text), obj in assignments.items()}
    status_rows = []
    for spec, row in zip(data["assignments"], assignment_rows, strict=True):
        assignment = assignments[tuple(row[name] for name in assignment_key)]
        for status in spec.get("statuses", []):
            status_rows.append(
                {
                    "occasion_id": occasion(status["board"], status["year"], status["kind"]).pk,
                    "assignment_id": assignment.pk,
                    "status": status["status"],
                    "comment": status.get("comment", ""),
                }
            )
    sync(
        AssignmentStatus,
        status_rows,
        ["occasion_id", "assignment_id"],
        stats,
        existing=AssignmentStatus.objects.filter(occasion__board__in=boards.values()),
    )
    return by_text


def _load_activities(
    data: dict[str, Any],
    boards: dict[str, Board],
    occasion: OccasionOf,
    goal: GoalOf,
    by_text: dict[str, StrategicAssignment],
    stats: Stats,
) -> None:
    """The activities of the verksamhetsplan and their statuses."""
    activity_key = ["board_id", "year", "title"]
    activity_rows = []
    for spec in data["activities"]:
        board = boards[spec["board"]]
        assignment = by_text.get(spec["assignment"]) if spec.get("assignment") else None
        if spec.get("assignment") and assignment is None:
            raise DemoDataError(f"Demodata: okänt uppdrag {spec['assignment'][:60]!r}.")
        activity_rows.append(
            {
                "board_id": board.pk,
                "year": spec["year"],
                "title": spec["title"],
                "assignment_id": assignment.pk if assignment else None,
                "deadline": spec["deadline"],
                "due_quarter": due_quarter(spec["deadline"]),
                "order": spec["order"],
            }
        )
    activities = sync(
        Activity,
        activity_rows,
        activity_key,
        stats,
        existing=Activity.objects.filter(board__in=boards.values()),
    )
    # The stored nämndmål links of every activity in one query, not one per activity.
    linked: dict[int, set[int]] = {}
    for activity_id, goal_id in Activity.board_goals.through.objects.filter(
        activity__in=activities.values()
    ).values_list("activity_id", "boardgoal_id"):
        linked.setdefault(activity_id, set()).add(goal_id)
    activity_status_rows = []
    for spec, row in zip(data["activities"], activity_rows, strict=True):
        activity = activities[tuple(row[name] for name in activity_key)]
        goals = (
            [goal(boards[spec["board"]], spec["goal"], spec["year"])] if spec.get("goal") else []
        )
        if {g.pk for g in goals} != linked.get(activity.pk, set()):
            activity.board_goals.set(goals)
        for status in spec.get("statuses", []):
            activity_status_rows.append(
                {
                    "occasion_id": occasion(spec["board"], status["year"], status["kind"]).pk,
                    "activity_id": activity.pk,
                    "status": status["status"],
                    "comment": status.get("comment", ""),
                }
            )
    sync(
        ActivityStatus,
        activity_status_rows,
        ["occasion_id", "activity_id"],
        stats,
        existing=ActivityStatus.objects.filter(occasion__board__in=boards.values()),
    )


def approve_occasions(stats: Stats) -> None:
    """Approve the demo occasions the data file marks approved, as any approval does.

    Runs after every loader (load_demo calls it last), since an approved occasion locks what it
    covers. Each goes through goals.services (submit and approve, with the transitions and the
    archived report of an approval); only occasions still open and never moved (no transition)
    are touched: an occasion a person has submitted, reopened or approved keeps its state.
    """
    data = read(FILE)
    boards = {board.code: board for board in Board.objects.all()}
    for spec in data["occasions"]:
        if spec["state"] == ReportingOccasion.State.OPEN:
            continue
        if spec["state"] != ReportingOccasion.State.APPROVED:
            raise DemoDataError(UNKNOWN_STATE.format(state=spec["state"], file=FILE))
        occasion = ReportingOccasion.objects.filter(
            board=boards[spec["board"]], year=spec["year"], kind=spec["kind"]
        ).first()
        if occasion is None or occasion.state != ReportingOccasion.State.OPEN:
            continue
        if occasion.transitions.exists():
            continue
        approve_occasion_by_command(occasion=occasion, reason=CHANGE_REASON)
        stats.approved += 1
