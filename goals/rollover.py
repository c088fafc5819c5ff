"""Year rollover: draft a board's year N+1 from year N, review it, publish it in one transaction.

A year's structure is the set of rows valid in it (goals.models.YearRange), so most of N+1 is
N's rows *continued*: a row whose `valid_to` is N gets N+1, an open-ended row or one already
valid in N+1 is continued with nothing to write. Rows that belong to one year are *created* as
copies linked by `predecessor`: the activities (statuses are not copied) and the reporting
occasions (same kinds, deadlines one year later, open). What does not continue is *ended*: its
`valid_to` stays (or becomes) N.

When N and N+1 lie in different mandate periods (goals.models.MandatePeriod) nothing continues
by default: the administrator ticks what does (`continue_ids`). Within one period everything
continues unless it is unticked.

Each part of the structure is a registered *step*: goals registers its own below; indicators and
budget register theirs in their AppConfig.ready() (a lower app never imports a higher one). A
step's `build` reads and adds PlannedChanges to the draft, each with the write that realises
it; `publish_rollover` rebuilds the draft inside one transaction and runs every write.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.audit import ChangeSource, change_source
from goals.access import Action, can
from goals.models import (
    Activity,
    ActivityStatus,
    AssignmentStatus,
    Board,
    BoardGoal,
    CouncilGoal,
    GoalAssessment,
    MandatePeriod,
    PolicyDocument,
    ReportingOccasion,
    StrategicAssignment,
    YearRange,
)
from goals.structure_services import save_row

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CREATED = "created"
CONTINUED = "continued"
ENDED = "ended"
KIND_LABELS = {CREATED: "Skapas", CONTINUED: "Fortsätter", ENDED: "Upphör"}

NOT_NEXT_YEAR = "Ett nytt år skapas från året före: till-året ska vara {expected}."
NO_STRUCTURE = "{board} har ingen målstruktur {year} att skapa nästa år från."
BOARD_ENDED = "{board} finns inte {year}."
ALREADY_ENTERED = (
    "{board} {year} har redan registrerade uppgifter ({what}). Året kan inte skapas om från "
    "{previous} när något har registrerats; ändra strukturen för {year} i stället."
)
REPLACED_BY = "ersätts av {name}"
NO_RIGHT = "Du saknar behörighet att administrera nämndens struktur."
MANDATE_BOUNDARY = "{year} börjar en ny mandatperiod: ingenting fortsätter om det inte kryssas i."
WITHIN_PERIOD = (
    "{year} ligger i samma mandatperiod som {previous}: allt fortsätter om det inte kryssas ur."
)


@dataclass
class PlannedChange:
    """One line of the draft: what happens to one row (or one copy) in N+1."""

    kind: str  # CREATED | CONTINUED | ENDED
    model: str  # the model's name in Swedish ("nämndmål")
    label: str  # the row as the administrator knows it
    detail: str = ""
    key: str = ""  # "goals.boardgoal:12": what continue_ids names, when the admin chooses
    choosable: bool = False
    writes: bool = False  # whether publishing writes anything for this line
    apply: Callable[[User | None], None] | None = field(default=None, repr=False)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class RolloverDraft:
    board: Board
    from_year: int
    to_year: int
    new_period: bool  # N+1 starts a new mandate period
    continue_ids: frozenset[str] | None
    changes: list[PlannedChange] = field(default_factory=list)
    # model label → ids of N rows that are valid in N+1 after publishing (for later steps).
    continuing: dict[str, set[int]] = field(default_factory=dict)

    def add(self, change: PlannedChange) -> PlannedChange:
        self.changes.append(change)
        return change

    def continues(self, model: type[models.Model] | str, pk: int | None) -> bool:
        label = model if isinstance(model, str) else model._meta.label_lower
        return pk is not None and pk in self.continuing.get(label, set())

    def chosen(self, key: str) -> bool:
        """Whether the administrator lets the row with this key continue (or the default)."""
        if self.continue_ids is None:
            return not self.new_period
        return key in self.continue_ids

    def of_kind(self, kind: str) -> list[PlannedChange]:
        return [change for change in self.changes if change.kind == kind]

    @property
    def created(self) -> list[PlannedChange]:
        return self.of_kind(CREATED)

    @property
    def continued(self) -> list[PlannedChange]:
        return self.of_kind(CONTINUED)

    @property
    def ended(self) -> list[PlannedChange]:
        return self.of_kind(ENDED)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(change.kind for change in self.changes)
        return {kind: counted.get(kind, 0) for kind in (CREATED, CONTINUED, ENDED)}

    @property
    def write_count(self) -> int:
        return sum(1 for change in self.changes if change.writes)

    def summary(self) -> str:
        counts = self.counts
        return f"{counts[CREATED]} skapas, {counts[CONTINUED]} fortsätter, {counts[ENDED]} upphör"

    def counts_per_model(self) -> list[tuple[str, dict[str, int]]]:
        table: dict[str, Counter] = {}
        for change in self.changes:
            table.setdefault(change.model, Counter())[change.kind] += 1
        return [
            (model, {kind: counted.get(kind, 0) for kind in (CREATED, CONTINUED, ENDED)})
            for model, counted in table.items()
        ]


@dataclass
class RolloverResult:
    draft: RolloverDraft
    written: int  # lines of the draft that wrote something

    @property
    def to_year(self) -> int:
        return self.draft.to_year


@dataclass
class Step:
    name: str
    build: Callable[[RolloverDraft], None]
    # Writes that are not one line of the draft, run after every line was applied.
    publish: Callable[[RolloverDraft, User | None], None] | None = None
    # What the step's app has registered for the year (values, assessments): a Swedish
    # phrase, or "" when nothing is entered.
    entered: Callable[[Board, int], str] | None = None


_steps: list[Step] = []


def register_step(
    name: str,
    build: Callable[[RolloverDraft], None],
    publish: Callable[[RolloverDraft, User | None], None] | None = None,
    *,
    entered: Callable[[Board, int], str] | None = None,
) -> None:
    """Add (or replace, by name) a step. Steps run in the order they were first registered.

    `build` reads and adds PlannedChanges, each with the `apply` that writes it; `publish`, if
    given, runs after every line of the draft was applied.
    """
    step = Step(name, build, publish, entered)
    for index, known in enumerate(_steps):
        if known.name == name:
            _steps[index] = step
            return
    _steps.append(step)


def steps() -> list[Step]:
    return list(_steps)


# --- the draft ----------------------------------------------------------------------------


def starts_new_period(board: Board, from_year: int, to_year: int) -> bool:
    """Whether from_year and to_year fall in different mandate periods of the municipality."""
    periods = list(MandatePeriod.objects.filter(municipality_id=board.municipality_id))
    of_from = next((p.pk for p in periods if p.includes(from_year)), None)
    of_to = next((p.pk for p in periods if p.includes(to_year)), None)
    return of_from != of_to


def _check(board: Board, from_year: int, to_year: int) -> None:
    if to_year != from_year + 1:
        raise ValidationError(NOT_NEXT_YEAR.format(expected=from_year + 1), code="not_next")
    if not board.is_valid_in(to_year):
        raise ValidationError(BOARD_ENDED.format(board=board, year=to_year), code="board_ended")
    if not BoardGoal.objects.valid_in(from_year).filter(board=board).exists():
        raise ValidationError(NO_STRUCTURE.format(board=board, year=from_year), code="no_structure")
    entered = [what for step in _steps if step.entered and (what := step.entered(board, to_year))]
    if entered:
        raise ValidationError(
            ALREADY_ENTERED.format(
                board=board.code, year=to_year, previous=from_year, what=", ".join(entered)
            ),
            code="entered",
        )


def draft_rollover(
    *,
    board: Board,
    from_year: int,
    to_year: int,
    continue_ids: Iterable[str] | None = None,
) -> RolloverDraft:
    """What publishing would do, line by line; reads only. Raises ValidationError if refused."""
    return _build_draft(board, from_year, to_year, continue_ids)


def _build_draft(
    board: Board, from_year: int, to_year: int, continue_ids: Iterable[str] | None
) -> RolloverDraft:
    """Check the rollover may run and let every step add its lines (draft and publish)."""
    _check(board, from_year, to_year)
    draft = RolloverDraft(
        board=board,
        from_year=from_year,
        to_year=to_year,
        new_period=starts_new_period(board, from_year, to_year),
        continue_ids=frozenset(continue_ids) if continue_ids is not None else None,
    )
    for step in _steps:
        step.build(draft)
    return draft


def publish_rollover(
    *,
    board: Board,
    from_year: int,
    to_year: int,
    user: User | None,
    continue_ids: Iterable[str] | None = None,
    source: ChangeSource = ChangeSource.FORM,
) -> RolloverResult:
    """Write N+1 as the draft says, all or nothing. Publishing again writes nothing."""
    if user is not None and not can(user, Action.ADMINISTER, board):
        raise ValidationError(NO_RIGHT, code="no_right")
    with change_source(source), transaction.atomic():
        board = Board.objects.select_for_update().get(pk=board.pk)
        draft = _build_draft(board, from_year, to_year, continue_ids)
        for change in draft.changes:
            if change.apply is not None:
                change.apply(user)
        for step in _steps:
            if step.publish is not None:
                step.publish(draft, user)
        return RolloverResult(draft=draft, written=draft.write_count)


# --- helpers the steps share ------------------------------------------------------------


def year_range_change(
    draft: RolloverDraft,
    row: YearRange,
    *,
    model: str,
    label: str,
    continues: bool,
    choosable: bool = True,
    detail: str = "",
    ended_detail: str = "",
) -> PlannedChange:
    """The line for a YearRange row valid in N: continued (valid_to N → N+1) or ended.

    An ended row that is open-ended or valid past N gets valid_to = N.
    """
    key = f"{row._meta.label_lower}:{row.pk}"
    n, next_year = draft.from_year, draft.to_year
    if continues:
        draft.continuing.setdefault(row._meta.label_lower, set()).add(row.pk)
        writes = row.valid_to is not None and row.valid_to < next_year

        def apply(user: User | None) -> None:
            if writes:
                row.valid_to = next_year
                save_row(row, user)

        return draft.add(
            PlannedChange(
                kind=CONTINUED,
                model=model,
                label=label,
                detail=detail or (f"gäller till och med {next_year}" if writes else ""),
                key=key,
                choosable=choosable,
                writes=writes,
                apply=apply,
            )
        )
    writes = row.valid_to is None or row.valid_to > n

    def end(user: User | None) -> None:
        if writes:
            row.valid_to = n
            save_row(row, user)

    return draft.add(
        PlannedChange(
            kind=ENDED,
            model=model,
            label=label,
            detail=ended_detail or f"gäller till och med {n}",
            key=key,
            choosable=choosable,
            writes=writes,
            apply=end,
        )
    )


def replaced_in(model: type[YearRange], rows: Iterable[YearRange], year: int) -> dict[int, str]:
    """Rows that already have a successor valid in `year` (predecessor link): id → its name."""
    successors = model.objects.valid_in(year).filter(predecessor__in=list(rows))
    return {successor.predecessor_id: str(successor) for successor in successors}


def next_year_date(day: datetime.date | None) -> datetime.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 februari
        return day.replace(year=day.year + 1, day=28)


# --- the goals steps ----------------------------------------------------------------------


def build_goals(draft: RolloverDraft) -> None:
    """Nämndmål (each choosable) and the KF goals and styrdokument they need in N+1."""
    n = draft.from_year
    goals = list(
        BoardGoal.objects.valid_in(n)
        .filter(board=draft.board)
        .select_related("council_goal")
        .order_by("council_goal__goal_area__order", "council_goal__order", "order", "pk")
    )
    needed_council: set[int] = set()
    replaced = replaced_in(BoardGoal, goals, draft.to_year)
    for goal in goals:
        continues = goal.pk not in replaced and draft.chosen(f"goals.boardgoal:{goal.pk}")
        year_range_change(
            draft,
            goal,
            model="nämndmål",
            label=goal.title,
            continues=continues,
            choosable=goal.pk not in replaced,
            ended_detail=REPLACED_BY.format(name=replaced[goal.pk]) if goal.pk in replaced else "",
        )
        if continues:
            needed_council.add(goal.council_goal_id)
    council_goals = CouncilGoal.objects.filter(pk__in={g.council_goal_id for g in goals}).order_by(
        "goal_area__order", "order", "pk"
    )
    for council in council_goals:
        # A KF goal is the council's: it continues when a continuing nämndmål stands under it
        # and ends for this board otherwise (its row is shared, so an ended one is not closed).
        if council.pk in needed_council:
            year_range_change(
                draft,
                council,
                model="kommunövergripande mål",
                label=council.title,
                continues=True,
                choosable=False,
            )
        else:
            draft.add(
                PlannedChange(
                    kind=ENDED,
                    model="kommunövergripande mål",
                    label=council.title,
                    detail="inget av nämndens mål fortsätter under det",
                )
            )


def build_policy_documents(draft: RolloverDraft) -> None:
    """The styrdokument the board's activities of N serve."""
    documents = (
        PolicyDocument.objects.valid_in(draft.from_year)
        .filter(activities__board=draft.board, activities__year=draft.from_year)
        .distinct()
        .order_by("order", "title")
    )
    for document in documents:
        year_range_change(
            draft,
            document,
            model="prioriterat styrdokument",
            label=document.title,
            continues=draft.chosen(f"goals.policydocument:{document.pk}"),
        )


def build_assignments(draft: RolloverDraft) -> None:
    """The board's assignments (nämndspecifika and nämnduppdrag; kommungemensamma are KF's)."""
    assignments = list(
        StrategicAssignment.objects.valid_in(draft.from_year)
        .filter(board=draft.board)
        .order_by("scope", "order", "pk")
    )
    replaced = replaced_in(StrategicAssignment, assignments, draft.to_year)
    for assignment in assignments:
        key = f"goals.strategicassignment:{assignment.pk}"
        year_range_change(
            draft,
            assignment,
            model="uppdrag",
            label=str(assignment),
            continues=assignment.pk not in replaced and draft.chosen(key),
            choosable=assignment.pk not in replaced,
            ended_detail=(
                REPLACED_BY.format(name=replaced[assignment.pk])
                if assignment.pk in replaced
                else ""
            ),
        )


def build_activities(draft: RolloverDraft) -> None:
    """N's activities copied to N+1 (predecessor), serving what continues; statuses not copied."""
    n, next_year = draft.from_year, draft.to_year
    activities = list(
        Activity.objects.filter(board=draft.board, year=n)
        .select_related("assignment")
        .prefetch_related("board_goals")
        .order_by("order", "pk")
    )
    copied = dict(
        Activity.objects.filter(
            board=draft.board, year=next_year, predecessor__in=activities
        ).values_list("predecessor_id", "pk")
    )
    for activity in activities:
        goal_ids = [
            goal.pk for goal in activity.board_goals.all() if draft.continues(BoardGoal, goal.pk)
        ]
        assignment_id = (
            activity.assignment_id
            if draft.continues(StrategicAssignment, activity.assignment_id)
            or _assignment_common_continues(activity, next_year)
            else None
        )
        document_id = (
            activity.policy_document_id
            if draft.continues(PolicyDocument, activity.policy_document_id)
            else None
        )
        serves_only_area = (
            activity.goal_area_id is not None
            and not activity.board_goals.all()
            and activity.assignment_id is None
            and activity.policy_document_id is None
        )
        if activity.pk in copied:
            draft.add(
                PlannedChange(
                    kind=CONTINUED,
                    model="aktivitet",
                    label=activity.title,
                    detail=f"finns redan {next_year}",
                )
            )
            continue
        if not (goal_ids or assignment_id or document_id or serves_only_area):
            draft.add(
                PlannedChange(
                    kind=ENDED,
                    model="aktivitet",
                    label=activity.title,
                    detail="det den tjänar fortsätter inte",
                )
            )
            continue

        def apply(
            user: User | None,
            activity: Activity = activity,
            goal_ids: list[int] = goal_ids,
            assignment_id: int | None = assignment_id,
            document_id: int | None = document_id,
        ) -> None:
            copy = Activity(
                board_id=activity.board_id,
                year=next_year,
                title=activity.title,
                assignment_id=assignment_id,
                policy_document_id=document_id,
                goal_area_id=activity.goal_area_id,
                deadline=activity.deadline,
                due_quarter=activity.due_quarter,
                order=activity.order,
                predecessor=activity,
            )
            save_row(copy, user)
            copy.board_goals.set(goal_ids)

        draft.add(
            PlannedChange(
                kind=CREATED,
                model="aktivitet",
                label=activity.title,
                detail=f"klart senast: {activity.deadline}" if activity.deadline else "",
                writes=True,
                apply=apply,
            )
        )


def _assignment_common_continues(activity: Activity, year: int) -> bool:
    """A kommungemensamt uppdrag is KF's: the activity keeps it if it is valid in N+1."""
    assignment = activity.assignment
    return (
        assignment is not None
        and assignment.scope == StrategicAssignment.Scope.COMMON
        and assignment.is_valid_in(year)
    )


def build_occasions(draft: RolloverDraft) -> None:
    """N+1's occasions: the kinds of N, deadlines one year later, open."""
    n, next_year = draft.from_year, draft.to_year
    existing = set(
        ReportingOccasion.objects.filter(board=draft.board, year=next_year).values_list(
            "kind", flat=True
        )
    )
    for occasion in ReportingOccasion.objects.filter(board=draft.board, year=n).order_by("kind"):
        label = f"{occasion.get_kind_display()} {next_year}"
        if occasion.kind in existing:
            draft.add(
                PlannedChange(
                    kind=CONTINUED,
                    model="uppföljningstillfälle",
                    label=label,
                    detail="finns redan",
                )
            )
            continue
        deadline = next_year_date(occasion.deadline)

        def apply(
            user: User | None, kind: str = occasion.kind, deadline: datetime.date | None = deadline
        ) -> None:
            save_row(
                ReportingOccasion(board=draft.board, year=next_year, kind=kind, deadline=deadline),
                user,
            )

        draft.add(
            PlannedChange(
                kind=CREATED,
                model="uppföljningstillfälle",
                label=label,
                detail=f"sista dag {deadline:%Y-%m-%d}" if deadline else "",
                writes=True,
                apply=apply,
            )
        )


def goals_entered(board: Board, year: int) -> str:
    """Assessments and statuses registered for the board's occasions of the year."""
    found = []
    for model, what in (
        (GoalAssessment, "målbedömningar"),
        (AssignmentStatus, "status för uppdrag"),
        (ActivityStatus, "status för aktiviteter"),
    ):
        if model.objects.filter(occasion__board=board, occasion__year=year).exists():
            found.append(what)
    return ", ".join(found)


register_step("goals", build_goals, entered=goals_entered)
register_step("policy_documents", build_policy_documents)
register_step("assignments", build_assignments)
register_step("activities", build_activities)
register_step("occasions", build_occasions)


# --- the link to the new year's goal tree (reports owns the page and registers it) ---------

GoalTreePage = Callable[[Board, int], str]
_goal_tree_page: GoalTreePage | None = None


def register_goal_tree_page(url_of: GoalTreePage) -> None:
    global _goal_tree_page
    _goal_tree_page = url_of


def goal_tree_url(board: Board, year: int) -> str:
    """The URL of the board's goal tree of the year ("" when no app registered the page)."""
    return _goal_tree_page(board, year) if _goal_tree_page is not None else ""


def as_dict(change: PlannedChange) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "model": change.model,
        "label": change.label,
        "detail": change.detail,
        "key": change.key,
    }
