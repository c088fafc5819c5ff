"""Reads of the occasion workflow: what is still missing before submit, and send-back notes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from core.types import AnyUser
from goals.access import Action, on_every_board
from goals.models import (
    AccessChange,
    Activity,
    Board,
    BoardGoal,
    BoardPlan,
    BoardRole,
    ExternalIdentity,
    GroupRoleMapping,
    OccasionTransition,
    ReportingOccasion,
)
from goals.providers import entry_sheet

State = ReportingOccasion.State


@dataclass
class SubmissionGaps:
    """What a submit would send in without: each list holds the labels shown to the user."""

    values: list[str] = field(default_factory=list)
    assessments: list[str] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    total: int = 0  # every field, assessment and status the occasion asks for

    @property
    def count(self) -> int:
        return (
            len(self.values) + len(self.assessments) + len(self.assignments) + len(self.activities)
        )

    @property
    def everything_missing(self) -> bool:
        return self.total > 0 and self.count == self.total

    def groups(self) -> list[tuple[str, list[str]]]:
        """The non-empty groups with their Swedish headings, in page order."""
        named = [
            ("Fält utan värde eller I.U.", self.values),
            ("Nämndmål utan bedömning", self.assessments),
            ("Uppdrag utan status", self.assignments),
            ("Aktiviteter utan status", self.activities),
        ]
        return [(heading, items) for heading, items in named if items]

    def summary(self) -> str:
        """Plain text for the workflow step: one line per gap under its heading."""
        lines = []
        for heading, items in self.groups():
            lines.append(f"{heading} ({len(items)}):")
            lines += [f"- {item}" for item in items]
        return "\n".join(lines)


def submission_gaps(sheet: Any) -> SubmissionGaps:
    """Read the gaps from an entry sheet (indicators.entry.EntrySheet), with no further query.

    Typed Any: goals may not import indicators, where the sheet's type lives.
    """
    gaps = SubmissionGaps()
    gaps.values = [entry.label for entry in sheet.missing]
    gaps.total = sheet.field_count
    if sheet.occasion.assesses_goals:
        blocks = [block for area in sheet.areas for block in area.goals]
        gaps.assessments = [block.goal.title for block in blocks if block.assessment is None]
        gaps.total += len(blocks)
    gaps.assignments = [str(item.item) for item in sheet.assignments if item.status is None]
    gaps.activities = [str(item.item) for item in sheet.activities if item.status is None]
    gaps.total += len(sheet.assignments) + len(sheet.activities)
    return gaps


def occasion_gaps(occasion: ReportingOccasion) -> SubmissionGaps:
    # The sheet is built by indicators, which registers its builder (goals.providers).
    return submission_gaps(entry_sheet(occasion))


def send_back_notes(occasions: Iterable[ReportingOccasion]) -> dict[int, OccasionTransition]:
    """Per open occasion whose last step was a send-back: that step (one query for all).

    The reason stays on the controller's page until the occasion is submitted again.
    """
    open_ids = [occasion.pk for occasion in occasions if occasion.state == State.OPEN]
    if not open_ids:
        return {}
    latest: dict[int, OccasionTransition] = {}
    steps = (
        OccasionTransition.objects.filter(occasion_id__in=open_ids)
        .select_related("user")
        .order_by("occasion_id", "-at", "-pk")
    )
    for step in steps:
        latest.setdefault(step.occasion_id, step)
    return {
        occasion_id: step
        for occasion_id, step in latest.items()
        if step.from_state == State.SUBMITTED and step.to_state == State.OPEN
    }


def may_list_users(user: AnyUser) -> bool:
    """User administration is for administrators of every board only (issue 18)."""
    return on_every_board(user, Action.ADMINISTER)


def user_list_boards(user: AnyUser) -> QuerySet[Board]:
    """The boards the user administration's filters and forms offer."""
    return Board.objects.order_by("order", "name")


def _roles_shown() -> QuerySet[BoardRole]:
    return BoardRole.objects.select_related("board").order_by("board__order", "board__code", "role")


def users_for_administrator(user: AnyUser) -> QuerySet:
    """Every user, each with their roles prefetched (`shown_roles`): one query for the roles of
    a whole page."""
    users = get_user_model().objects.order_by("username")
    return users.prefetch_related(
        Prefetch("board_roles", queryset=_roles_shown(), to_attr="shown_roles")
    )


HISTORY_SHOWN = 50  # the user page's latest changes; the Behörighetslogg has them all


@dataclass
class UserAdministration:
    """What the user page shows: the roles, identities and latest access changes."""

    user: Any
    roles: list[BoardRole]
    identities: list[ExternalIdentity]
    changes: list[AccessChange]
    more_changes: bool


def user_administration(user: Any) -> UserAdministration:
    changes = list(
        AccessChange.objects.filter(user=user)
        .select_related("actor", "board")
        .order_by("-at", "-pk")[: HISTORY_SHOWN + 1]
    )
    return UserAdministration(
        user=user,
        roles=list(_roles_shown().filter(user=user)),
        identities=list(user.external_identities.order_by("provider", "subject")),
        changes=changes[:HISTORY_SHOWN],
        more_changes=len(changes) > HISTORY_SHOWN,
    )


def group_mappings() -> QuerySet[GroupRoleMapping]:
    return GroupRoleMapping.objects.select_related("board").order_by(
        Lower("group"), "role", "board__order", "board__code"
    )


def access_changes() -> QuerySet[AccessChange]:
    """Every access change, newest first, with whom and by whom joined."""
    return AccessChange.objects.select_related("user", "actor", "board").order_by("-at", "-pk")


# --- activities ------------------------------------------------------------------------------


def year_activities(board: Board | int, year: int) -> list[Activity]:
    """The board's activities of a year with what they serve joined and prefetched (2 queries).

    By due quarter as the plan's deadline says it (goals.deadlines), then the plan's order; an
    activity without a quarter (löpande) comes last, on every database.
    """
    activities = list(
        Activity.objects.filter(board=board, year=year)
        .select_related("assignment", "policy_document", "goal_area")
        .prefetch_related(Prefetch("board_goals", queryset=BoardGoal.objects.order_by("order")))
    )
    activities.sort(key=activity_sort_key)
    return activities


def activity_sort_key(activity: Activity) -> tuple[int, int, int]:
    quarter = activity.due_quarter
    return (quarter if quarter is not None else 5, activity.order, activity.pk)


def activity_serves(activity: Activity) -> list[str]:
    """What an activity serves, as pages print it: its nämndmål, the assignment, the
    styrdokument or the målområde (read from the joins and prefetch of `year_activities`)."""
    served = [f"Nämndmål: {goal.title}" for goal in activity.board_goals.all()]
    if activity.assignment is not None:
        served.append(f"Uppdrag: {activity.assignment.text}")
    if activity.policy_document is not None:
        served.append(f"Styrdokument: {activity.policy_document}")
    if activity.goal_area is not None:
        served.append(f"Målområde: {activity.goal_area.name}")
    return served


def plan_cutoff(board: Board | int, year: int, kind: str) -> datetime.datetime | None:
    """The moment a plan's figures stand as of: the end of its decision day, local time.

    None when the plan has no decision date (yet): it shows today's figures.
    """
    decided_on = (
        BoardPlan.objects.filter(board=board, year=year, kind=kind)
        .values_list("decided_on", flat=True)
        .first()
    )
    if decided_on is None:
        return None
    return end_of_day(decided_on)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of `day` in the site's time zone (what "as of a date" means)."""
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(start) - datetime.timedelta(microseconds=1)
