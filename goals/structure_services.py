"""The one write path of the goal chain's structure: KF goals, nämndmål, assignments,
activities, prioriterade styrdokument and mandate periods.

The structure pages, the structure workbook and the year rollover all call these functions.
Each is keyword-only, checks the user's right (Action.ADMINISTER), runs `full_clean()` (so the
models' integrity checks apply) in one transaction and records the user in the history.

Rows with years (YearRange) are edited *as of a year* Y:

* a row valid before Y is split: the old row is closed at Y-1 and a new row from Y, with
  `predecessor` = the old one, carries the change, so earlier years' reports are unchanged.
  What hangs on the old row in years from Y (activities, assessments, statuses; in higher apps
  whatever they register with `register_split_hook`) moves to the new row;
* a change that reaches a year an approved occasion of the board covers needs a reason and is
  recorded as a `StructureCorrection` ("fält: gammalt → nytt"), never a silent rewrite.

A duplicate title in the same board and year is a warning, returned with the saved row
(`Saved.warnings`), not an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError

from core.audit import ChangeSource, change_source
from goals.access import Action, can, on_every_board
from goals.deadlines import due_quarter as quarter_of
from goals.integrity import activity_link_errors
from goals.locks import approved_occasion_among
from goals.models import (
    Activity,
    AssignmentStatus,
    Board,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    GoalAssessment,
    MandatePeriod,
    Municipality,
    PolicyDocument,
    ReportingOccasion,
    StrategicAssignment,
    StructureCorrection,
    YearRange,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NO_RIGHT = "Du saknar behörighet att ändra nämndens struktur."
NO_RIGHT_MUNICIPALITY = (
    "Bara en administratör för alla nämnder kan ändra kommunövergripande mål, "
    "styrdokument och mandatperioder."
)
CORRECTION_REASON_REQUIRED = (
    "År {year} är godkänt ({occasion}). En ändring av ett godkänt år är en rättelse: "
    "ange en motivering, så sparas den med ändringen."
)
NOT_VALID_IN_YEAR = "{label} gäller inte år {year}."
YEAR_BEFORE_START = "Året måste vara {first} eller senare, då raden börjar gälla."
ACTIVITY_SERVES_NOTHING = (
    "En aktivitet måste höra till något: ett nämndmål, ett uppdrag, ett styrdokument "
    "eller ett målområde."
)
ASSIGNMENT_NOT_OF_BOARD_YEAR = "Uppdraget hör inte till nämnden eller gäller inte år {year}."
POLICY_NOT_VALID = "Styrdokumentet hör inte till nämndens kommun eller gäller inte år {year}."
COUNCIL_GOAL_NOT_VALID = "Det kommunövergripande målet gäller inte år {year}."
TITLE_REQUIRED = "Ange en rubrik."
DUPLICATE_ACTIVITY = "Nämnden har redan en aktivitet med namnet ”{title}” år {year}."
DUPLICATE_BOARD_GOAL = "Nämnden har redan ett nämndmål med rubriken ”{title}” år {year}."
ACTIVITY_HAS_STATUSES = (
    "Aktiviteten har status vid {count} uppföljningstillfälle(n) och kan inte tas bort."
)
IN_USE_FROM = (
    "{label} används år {year} eller senare (aktiviteter, bedömningar, status eller nämndmål) "
    "och kan inte avslutas. Flytta eller ta bort det som hör till först."
)
ROW_IN_USE = "{label} används och kan inte tas bort; avsluta det i stället."
ASSIGNMENT_SCOPE_BOARD = (
    "Ett nämndspecifikt uppdrag och ett nämnduppdrag hör till en nämnd, ett kommungemensamt "
    "till ingen."
)
MANDATE_OVERLAP = "Mandatperioden överlappar {other}."

T = TypeVar("T", bound=models.Model)


@dataclass
class Saved(Generic[T]):
    """The row a service wrote, and warnings the page shows (a duplicate title)."""

    object: T
    warnings: list[str] = field(default_factory=list)
    corrections: list[StructureCorrection] = field(default_factory=list)


# Higher apps (indicators) register what must follow a split row:
# callable(old, new, year, user) — the user is recorded in the history of what follows.
SplitHook = Callable[[models.Model, models.Model, int, "User | None"], None]
_SPLIT_HOOKS: list[SplitHook] = []


def register_split_hook(hook: SplitHook) -> None:
    """Called in the split's transaction after goals moved its own dependents (apps.ready)."""
    if hook not in _SPLIT_HOOKS:
        _SPLIT_HOOKS.append(hook)


# ---------------------------------------------------------------------------------------------
# Approved years and corrections


def approved_occasions_from(
    board_ids: Iterable[int] | models.QuerySet,
    first: int,
    last: int | None,
    *,
    lock: bool = False,
) -> list[ReportingOccasion]:
    """One approved occasion per (board, year) in first..last, in year order.

    With `lock` (the write paths), the submitted and approved occasions of those years are
    row-locked first, so an approval waits for the structure change in progress (and is then
    archived with it) and a change sees an approval that committed before it.
    """
    occasions = ReportingOccasion.objects.filter(board_id__in=board_ids, year__gte=first)
    if last is not None:
        occasions = occasions.filter(year__lte=last)
    if lock:
        occasions = occasions.select_for_update(of=("self",)).exclude(
            state=ReportingOccasion.State.OPEN
        )
    else:
        occasions = occasions.approved()
    found: dict[tuple[int, int], ReportingOccasion] = {}
    for occasion in occasions.select_related("board").order_by("year", "board_id", "kind"):
        if occasion.state == ReportingOccasion.State.APPROVED:
            found.setdefault((occasion.board_id, occasion.year), occasion)
    return list(found.values())


def approved_occasion_for(board: Board | int, year: int) -> ReportingOccasion | None:
    """The approved occasion of the board in the year, if any (the year's structure is locked)."""
    board_id = board if isinstance(board, int) else board.pk
    return approved_occasion_among(
        ReportingOccasion.objects.filter(board_id=board_id, year=year).values("pk")
    )


def _show(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(sorted(_show(item) for item in value)) or "–"
    return str(value)


def _describe(changes: Mapping[str, tuple[object, object]], model: type[models.Model]) -> str:
    lines = []
    for name, (old, new) in changes.items():
        try:
            label = str(getattr(model._meta.get_field(name), "verbose_name", name))
        except Exception:
            label = name
        lines.append(f"{label}: {_show(old)} → {_show(new)}")
    return "\n".join(lines)


def require_correction_reason(occasions: list[ReportingOccasion], reason: str) -> None:
    """A change reaching approved years needs a reason (indicators.structure_services too)."""
    if occasions and not reason.strip():
        first = occasions[0]
        raise ValidationError(
            {"reason": CORRECTION_REASON_REQUIRED.format(year=first.year, occasion=first)},
            code="correction_reason_required",
        )


def record_corrections(
    occasions: list[ReportingOccasion],
    *,
    label: str,
    changes: str,
    reason: str,
    user: User | None,
) -> list[StructureCorrection]:
    """One StructureCorrection per approved occasion the change reaches."""
    records = []
    for occasion in occasions:
        record = StructureCorrection(
            board=occasion.board,
            year=occasion.year,
            occasion=occasion,
            object_label=label[:400],
            changes=changes,
            reason=reason.strip(),
            user=user,
        )
        record.full_clean()
        record.save()
        records.append(record)
    return records


def save_row(obj: models.Model, user: User | None, reason: str = "") -> None:
    """full_clean and save, the history recording the user (and the reason, when given); the
    rollover's steps write with it too."""
    obj._history_user = user  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
    obj.full_clean()
    obj.save()


def _require_board(user: User | None, board: Board | int | None) -> None:
    """`user` None is the command line (import_structure, rollover): the operator's own run."""
    if user is None:
        return
    if board is None:
        _require_municipality_admin(user)
    elif not can(user, Action.ADMINISTER, board):
        raise ValidationError(NO_RIGHT, code="no_right")


def _require_municipality_admin(user: User | None) -> None:
    if user is None:
        return
    if not on_every_board(user, Action.ADMINISTER):
        raise ValidationError(NO_RIGHT_MUNICIPALITY, code="no_right")


def _changed(
    before: Mapping[str, Any], wanted: Mapping[str, Any]
) -> dict[str, tuple[object, object]]:
    """name → (old, new) for the wanted values that differ from before (rows by their pk)."""

    def key(value: object) -> object:
        return value.pk if isinstance(value, models.Model) else value

    return {
        name: (before[name], new) for name, new in wanted.items() if key(before[name]) != key(new)
    }


def _diff(obj: models.Model, changes: dict[str, Any]) -> dict[str, tuple[object, object]]:
    return _changed({name: getattr(obj, name) for name in changes}, changes)


# ---------------------------------------------------------------------------------------------
# The split of a YearRange row as of a year


def _move_dependents(old: models.Model, new: models.Model, year: int, user: User | None) -> None:
    """What hangs on `old` in years from `year` now hangs on `new` (goals' own rows)."""
    if isinstance(old, BoardGoal):
        through = Activity.board_goals.through
        through.objects.filter(boardgoal_id=old.pk, activity__year__gte=year).update(
            boardgoal_id=new.pk
        )
        # Assessments of an approved year move as part of the recorded correction; the lock
        # guards their content, which does not change.
        GoalAssessment._base_manager.filter(board_goal=old, occasion__year__gte=year).update(
            board_goal=new
        )
    elif isinstance(old, StrategicAssignment):
        Activity.objects.filter(assignment=old, year__gte=year).update(assignment=new)
        AssignmentStatus._base_manager.filter(assignment=old, occasion__year__gte=year).update(
            assignment=new
        )
    elif isinstance(old, PolicyDocument):
        Activity.objects.filter(policy_document=old, year__gte=year).update(policy_document=new)
    elif isinstance(old, CouncilGoal):
        assert isinstance(new, CouncilGoal)
        for goal in BoardGoal.objects.filter(council_goal=old).valid_between(year, 9999):
            if goal.valid_from >= year:
                goal.council_goal = new
                save_row(goal, user)
            else:
                _split(goal, year=year, changes={"council_goal": new}, user=user)
    for hook in _SPLIT_HOOKS:
        hook(old, new, year, user)


def _split(
    row: YearRange, *, year: int, changes: dict[str, Any], user: User | None = None
) -> YearRange:
    """Close `row` at year-1 and open a copy from `year` with the changes; return the copy."""
    ends = row.valid_to
    row.valid_to = year - 1
    save_row(row, user)
    new = type(row)._default_manager.get(pk=row.pk)
    new.pk = None
    new.id = None  # type: ignore[attr-defined]
    new._state.adding = True
    new.valid_from = year
    new.valid_to = ends
    if hasattr(new, "predecessor_id"):
        new.predecessor = row  # type: ignore[attr-defined]
    for name, value in changes.items():
        setattr(new, name, value)
    save_row(new, user)
    _move_dependents(row, new, year, user)
    return new


def _edit_as_of(
    row: YearRange,
    *,
    year: int,
    changes: dict[str, Any],
    user: User | None,
    reason: str,
    board_ids: Iterable[int] | models.QuerySet,
    label: str,
) -> Saved:
    """Apply changes to a YearRange row for `year` and the years after it (see module doc)."""
    if not row.is_valid_in(year):
        raise ValidationError(
            NOT_VALID_IN_YEAR.format(label=label, year=year), code="not_valid_in_year"
        )
    diff = _diff(row, changes)
    if not diff:
        return Saved(row)
    occasions = approved_occasions_from(board_ids, year, row.valid_to, lock=True)
    require_correction_reason(occasions, reason)
    if row.valid_from < year:
        saved = _split(row, year=year, changes=changes, user=user)
    else:
        for name, value in changes.items():
            setattr(row, name, value)
        save_row(row, user, reason)
        saved = row
    corrections = record_corrections(
        occasions,
        label=label,
        changes=_describe(diff, type(row)),
        reason=reason,
        user=user,
    )
    return Saved(saved, corrections=corrections)


def _creation_correction(
    *, board_ids: Iterable[int] | models.QuerySet, first: int, last: int | None
) -> list[ReportingOccasion]:
    return approved_occasions_from(board_ids, first, last, lock=True)


# ---------------------------------------------------------------------------------------------
# KF goals


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": TITLE_REQUIRED}, code="required")
    return title


@transaction.atomic
def create_council_goal(
    *,
    user: User | None,
    goal_area: GoalArea,
    title: str,
    description: str = "",
    order: int = 0,
    valid_from: int,
    valid_to: int | None = None,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> Saved[CouncilGoal]:
    _require_municipality_admin(user)
    with change_source(source):
        goal = CouncilGoal(
            goal_area=goal_area,
            title=_check_title(title),
            description=description,
            order=order,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        occasions = _creation_correction(
            board_ids=Board.objects.values("pk"), first=valid_from, last=valid_to
        )
        require_correction_reason(occasions, reason)
        save_row(goal, user)
        corrections = record_corrections(
            occasions, label=f"KF-mål {goal}", changes="nytt", reason=reason, user=user
        )
    return Saved(goal, corrections=corrections)


@transaction.atomic
def update_council_goal(
    *,
    user: User | None,
    goal: CouncilGoal,
    year: int,
    title: str,
    description: str,
    goal_area: GoalArea,
    order: int,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> Saved[CouncilGoal]:
    _require_municipality_admin(user)
    with change_source(source):
        goal = CouncilGoal.objects.select_for_update().get(pk=goal.pk)
        return _edit_as_of(
            goal,
            year=year,
            changes={
                "title": _check_title(title),
                "description": description,
                "goal_area": goal_area,
                "order": order,
            },
            user=user,
            reason=reason,
            board_ids=Board.objects.values("pk"),
            label=f"KF-mål {goal}",
        )


# ---------------------------------------------------------------------------------------------
# Nämndmål


def _check_council_goal(council_goal: CouncilGoal, year: int) -> None:
    if not council_goal.is_valid_in(year):
        raise ValidationError(
            {"council_goal": COUNCIL_GOAL_NOT_VALID.format(year=year)}, code="not_valid"
        )


def _duplicate_goal_warnings(goal: BoardGoal, year: int) -> list[str]:
    same = (
        BoardGoal.objects.valid_in(year)
        .filter(board_id=goal.board_id, title__iexact=goal.title)
        .exclude(pk=goal.pk)
    )
    return [DUPLICATE_BOARD_GOAL.format(title=goal.title, year=year)] if same.exists() else []


@transaction.atomic
def create_board_goal(
    *,
    user: User | None,
    board: Board,
    council_goal: CouncilGoal,
    title: str,
    description: str = "",
    order: int = 0,
    valid_from: int,
    valid_to: int | None = None,
    predecessor: BoardGoal | None = None,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> Saved[BoardGoal]:
    _require_board(user, board)
    _check_council_goal(council_goal, valid_from)
    with change_source(source):
        goal = BoardGoal(
            board=board,
            council_goal=council_goal,
            title=_check_title(title),
            description=description,
            order=order,
            valid_from=valid_from,
            valid_to=valid_to,
            predecessor=predecessor,
        )
        occasions = _creation_correction(board_ids=[board.pk], first=valid_from, last=valid_to)
        require_correction_reason(occasions, reason)
        save_row(goal, user)
        corrections = record_corrections(
            occasions, label=f"Nämndmål {goal}", changes="nytt", reason=reason, user=user
        )
    return Saved(goal, _duplicate_goal_warnings(goal, valid_from), corrections)


@transaction.atomic
def update_board_goal(
    *,
    user: User | None,
    goal: BoardGoal,
    year: int,
    council_goal: CouncilGoal,
    title: str,
    description: str,
    order: int,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> Saved[BoardGoal]:
    _require_board(user, goal.board_id)
    _check_council_goal(council_goal, year)
    with change_source(source):
        goal = BoardGoal.objects.select_for_update().get(pk=goal.pk)
        saved = _edit_as_of(
            goal,
            year=year,
            changes={
                "council_goal": council_goal,
                "title": _check_title(title),
                "description": description,
                "order": order,
            },
            user=user,
            reason=reason,
            board_ids=[goal.board_id],
            label=f"Nämndmål {goal}",
        )
    saved.warnings = _duplicate_goal_warnings(saved.object, year)
    return saved


def _end_row(
    row: YearRange,
    *,
    year: int,
    user: User | None,
    reason: str,
    label: str,
    noun: str,
    in_use: bool,
    board_ids: Iterable[int] | models.QuerySet,
) -> YearRange | None:
    """Close the row at year-1, or delete it when it begins in `year` (see end_board_goal)."""
    if not row.is_valid_in(year):
        raise ValidationError(
            NOT_VALID_IN_YEAR.format(label=noun, year=year), code="not_valid_in_year"
        )
    if in_use:
        raise ValidationError(IN_USE_FROM.format(label=noun, year=year), code="in_use")
    occasions = approved_occasions_from(board_ids, year, row.valid_to, lock=True)
    require_correction_reason(occasions, reason)
    change = f"gäller till och med år: {_show(row.valid_to)} → {year - 1}"
    result: YearRange | None
    if row.valid_from >= year:
        try:
            with transaction.atomic():
                row._history_user = user  # type: ignore[attr-defined]
                row.delete()
        except ProtectedError as error:
            raise ValidationError(ROW_IN_USE.format(label=noun), code="in_use") from error
        result = None
        change = "borttaget"
    else:
        row.valid_to = year - 1
        save_row(row, user, reason)
        result = row
    record_corrections(occasions, label=label, changes=change, reason=reason, user=user)
    return result


@transaction.atomic
def end_board_goal(
    *,
    user: User | None,
    goal: BoardGoal,
    year: int,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> BoardGoal | None:
    """The goal no longer applies from `year`: closed at year-1, or deleted if it began then.

    Refused while activities or assessments of `year` or later hang on it (and, for a delete,
    while anything protects it, such as indicators). Returns the closed goal, or None when it
    was deleted.
    """
    _require_board(user, goal.board_id)
    with change_source(source):
        goal = BoardGoal.objects.select_for_update().get(pk=goal.pk)
        in_use = (
            goal.activities.filter(year__gte=year).exists()
            or GoalAssessment._base_manager.filter(
                board_goal=goal, occasion__year__gte=year
            ).exists()
        )
        ended = _end_row(
            goal,
            year=year,
            user=user,
            reason=reason,
            label=f"Nämndmål {goal}",
            noun="Nämndmålet",
            in_use=in_use,
            board_ids=[goal.board_id],
        )
    return ended if isinstance(ended, BoardGoal) else None


@transaction.atomic
def end_assignment(
    *,
    user: User | None,
    assignment: StrategicAssignment,
    year: int,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> StrategicAssignment | None:
    """The assignment no longer applies from `year` (closed at year-1, or deleted)."""
    _require_board(user, assignment.board_id)
    with change_source(source):
        assignment = StrategicAssignment.objects.select_for_update().get(pk=assignment.pk)
        in_use = (
            assignment.activities.filter(year__gte=year).exists()
            or AssignmentStatus._base_manager.filter(
                assignment=assignment, occasion__year__gte=year
            ).exists()
        )
        ended = _end_row(
            assignment,
            year=year,
            user=user,
            reason=reason,
            label=f"Uppdrag {assignment}",
            noun="Uppdraget",
            in_use=in_use,
            board_ids=assignment_boards(assignment),
        )
    return ended if isinstance(ended, StrategicAssignment) else None


@transaction.atomic
def end_council_goal(
    *,
    user: User | None,
    goal: CouncilGoal,
    year: int,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> CouncilGoal | None:
    """The KF goal no longer applies from `year`; refused while nämndmål from then hang on it."""
    _require_municipality_admin(user)
    with change_source(source):
        goal = CouncilGoal.objects.select_for_update().get(pk=goal.pk)
        ended = _end_row(
            goal,
            year=year,
            user=user,
            reason=reason,
            label=f"KF-mål {goal}",
            noun="Det kommunövergripande målet",
            in_use=goal.board_goals.valid_between(year, 9999).exists(),
            board_ids=Board.objects.values("pk"),
        )
    return ended if isinstance(ended, CouncilGoal) else None


@transaction.atomic
def end_policy_document(
    *,
    user: User | None,
    document: PolicyDocument,
    year: int,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> PolicyDocument | None:
    """The styrdokument no longer applies from `year`; refused while later activities use it."""
    _require_municipality_admin(user)
    with change_source(source):
        document = PolicyDocument.objects.select_for_update().get(pk=document.pk)
        ended = _end_row(
            document,
            year=year,
            user=user,
            reason=reason,
            label=f"Styrdokument {document}",
            noun="Styrdokumentet",
            in_use=document.activities.filter(year__gte=year).exists(),
            board_ids=municipality_boards(document.municipality_id),
        )
    return ended if isinstance(ended, PolicyDocument) else None


# ---------------------------------------------------------------------------------------------
# Strategic assignments and nämnduppdrag


def _check_scope(scope: str, board: Board | None) -> None:
    common = scope == StrategicAssignment.Scope.COMMON
    if common != (board is None):
        raise ValidationError({"scope": ASSIGNMENT_SCOPE_BOARD}, code="scope")


@transaction.atomic
def create_assignment(
    *,
    user: User | None,
    municipality: Municipality,
    scope: str,
    board: Board | None,
    text: str,
    note: str = "",
    order: int = 0,
    valid_from: int,
    valid_to: int | None = None,
    predecessor: StrategicAssignment | None = None,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> Saved[StrategicAssignment]:
    """A common assignment (no board) needs an administrator of every board."""
    _require_board(user, board)
    _check_scope(scope, board)
    if not text.strip():
        raise ValidationError({"text": "Skriv uppdraget."}, code="required")
    with change_source(source):
        assignment = StrategicAssignment(
            municipality=municipality,
            scope=scope,
            board=board,
            text=text.strip(),
            note=note,
            order=order,
            valid_from=valid_from,
            valid_to=valid_to,
            predecessor=predecessor,
        )
        board_ids = [board.pk] if board else municipality_boards(municipality.pk)
        occasions = _creation_correction(board_ids=board_ids, first=valid_from, last=valid_to)
        require_correction_reason(occasions, reason)
        save_row(assignment, user)
        corrections = record_corrections(
            occasions, label=f"Uppdrag {assignment}", changes="nytt", reason=reason, user=user
        )
    return Saved(assignment, corrections=corrections)


def municipality_boards(municipality_id: int) -> models.QuerySet:
    """The ids of the municipality's boards (whose reports show a styrdokument or a common
    assignment), as `approved_occasions_from` takes them."""
    return Board.objects.filter(municipality_id=municipality_id).values("pk")


def assignment_boards(assignment: StrategicAssignment) -> Iterable[int] | models.QuerySet:
    """The boards whose reports show the assignment: its board, or every board of a common one."""
    if assignment.board_id:
        return [assignment.board_id]
    return municipality_boards(assignment.municipality_id)


@transaction.atomic
def update_assignment(
    *,
    user: User | None,
    assignment: StrategicAssignment,
    year: int,
    text: str,
    note: str,
    order: int,
    scope: str | None = None,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> Saved[StrategicAssignment]:
    """`scope` None keeps it; a board's assignment may turn nämnduppdrag and back."""
    _require_board(user, assignment.board_id)
    if not text.strip():
        raise ValidationError({"text": "Skriv uppdraget."}, code="required")
    with change_source(source):
        assignment = StrategicAssignment.objects.select_for_update().get(pk=assignment.pk)
        changes: dict[str, Any] = {"text": text.strip(), "note": note, "order": order}
        if scope is not None and scope != assignment.scope:
            _check_scope(scope, assignment.board)
            changes["scope"] = scope
        return _edit_as_of(
            assignment,
            year=year,
            changes=changes,
            user=user,
            reason=reason,
            board_ids=assignment_boards(assignment),
            label=f"Uppdrag {assignment}",
        )


# ---------------------------------------------------------------------------------------------
# Prioriterade styrdokument


@transaction.atomic
def create_policy_document(
    *,
    user: User | None,
    municipality: Municipality,
    title: str,
    description: str = "",
    order: int = 0,
    valid_from: int,
    valid_to: int | None = None,
    source: ChangeSource = ChangeSource.FORM,
) -> Saved[PolicyDocument]:
    _require_municipality_admin(user)
    with change_source(source):
        document = PolicyDocument(
            municipality=municipality,
            title=_check_title(title),
            description=description,
            order=order,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        save_row(document, user)
    return Saved(document)


@transaction.atomic
def update_policy_document(
    *,
    user: User | None,
    document: PolicyDocument,
    year: int,
    title: str,
    description: str,
    order: int,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> Saved[PolicyDocument]:
    _require_municipality_admin(user)
    with change_source(source):
        document = PolicyDocument.objects.select_for_update().get(pk=document.pk)
        return _edit_as_of(
            document,
            year=year,
            changes={"title": _check_title(title), "description": description, "order": order},
            user=user,
            reason=reason,
            board_ids=municipality_boards(document.municipality_id),
            label=f"Styrdokument {document}",
        )


# ---------------------------------------------------------------------------------------------
# Activities


def _check_activity_links(
    *,
    board: Board,
    year: int,
    board_goals: list[BoardGoal],
    assignment: StrategicAssignment | None,
    policy_document: PolicyDocument | None,
    goal_area: GoalArea | None,
) -> None:
    """What the activity serves; its nämndmål by goals.integrity's one rule."""
    errors: dict[str, list[str]] = {}
    if not (board_goals or assignment or policy_document or goal_area):
        errors.setdefault("__all__", []).append(ACTIVITY_SERVES_NOTHING)
    goal_errors = activity_link_errors(Activity(board=board, year=year), board_goals)
    if goal_errors:
        errors["board_goals"] = goal_errors
    if assignment is not None and (
        assignment.municipality_id != board.municipality_id
        or (assignment.board_id is not None and assignment.board_id != board.pk)
        or not assignment.is_valid_in(year)
    ):
        errors["assignment"] = [ASSIGNMENT_NOT_OF_BOARD_YEAR.format(year=year)]
    if policy_document is not None and (
        policy_document.municipality_id != board.municipality_id
        or not policy_document.is_valid_in(year)
    ):
        errors["policy_document"] = [POLICY_NOT_VALID.format(year=year)]
    if errors:
        raise ValidationError(errors, code="invalid_link")


def _duplicate_activity_warnings(activity: Activity) -> list[str]:
    same = Activity.objects.filter(
        board_id=activity.board_id, year=activity.year, title__iexact=activity.title
    ).exclude(pk=activity.pk)
    if same.exists():
        return [DUPLICATE_ACTIVITY.format(title=activity.title, year=activity.year)]
    return []


def _activity_state(activity: Activity) -> dict[str, object]:
    return {
        "title": activity.title,
        "board_goals": sorted(str(goal) for goal in activity.board_goals.all()),
        "assignment": activity.assignment,
        "policy_document": activity.policy_document,
        "goal_area": activity.goal_area,
        "deadline": activity.deadline,
        "due_quarter": activity.due_quarter,
        "order": activity.order,
    }


@transaction.atomic
def create_activity(
    *,
    user: User | None,
    board: Board,
    year: int,
    title: str,
    board_goals: Iterable[BoardGoal] = (),
    assignment: StrategicAssignment | None = None,
    policy_document: PolicyDocument | None = None,
    goal_area: GoalArea | None = None,
    deadline: str = "",
    due_quarter: int | None = None,
    order: int = 0,
    predecessor: Activity | None = None,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> Saved[Activity]:
    """An activity of the board's year; due_quarter None is read from the deadline text."""
    _require_board(user, board)
    goals = list(board_goals)
    _check_activity_links(
        board=board,
        year=year,
        board_goals=goals,
        assignment=assignment,
        policy_document=policy_document,
        goal_area=goal_area,
    )
    with change_source(source):
        deadline = deadline.strip()
        activity = Activity(
            board=board,
            year=year,
            title=_check_title(title),
            assignment=assignment,
            policy_document=policy_document,
            goal_area=goal_area,
            deadline=deadline,
            due_quarter=due_quarter if due_quarter is not None else quarter_of(deadline),
            order=order,
            predecessor=predecessor,
        )
        occasions = _creation_correction(board_ids=[board.pk], first=year, last=year)
        require_correction_reason(occasions, reason)
        save_row(activity, user)
        activity.board_goals.set(goals)
        corrections = record_corrections(
            occasions, label=f"Aktivitet {activity}", changes="ny", reason=reason, user=user
        )
    return Saved(activity, _duplicate_activity_warnings(activity), corrections)


@transaction.atomic
def update_activity(
    *,
    user: User | None,
    activity: Activity,
    title: str,
    board_goals: Iterable[BoardGoal] = (),
    assignment: StrategicAssignment | None = None,
    policy_document: PolicyDocument | None = None,
    goal_area: GoalArea | None = None,
    deadline: str = "",
    due_quarter: int | None = None,
    order: int = 0,
    read_quarter: bool = True,
    reason: str = "",
    source: ChangeSource = ChangeSource.FORM,
) -> Saved[Activity]:
    """due_quarter None is read from the deadline text, unless `read_quarter` is False (the
    workbook's Löpande: no quarter whatever the deadline says)."""
    _require_board(user, activity.board_id)
    activity = Activity.objects.select_for_update().select_related("board").get(pk=activity.pk)
    goals = list(board_goals)
    _check_activity_links(
        board=activity.board,
        year=activity.year,
        board_goals=goals,
        assignment=assignment,
        policy_document=policy_document,
        goal_area=goal_area,
    )
    deadline = deadline.strip()
    wanted: dict[str, Any] = {
        "title": _check_title(title),
        "board_goals": sorted(str(goal) for goal in goals),
        "assignment": assignment,
        "policy_document": policy_document,
        "goal_area": goal_area,
        "deadline": deadline,
        "due_quarter": (
            due_quarter if due_quarter is not None or not read_quarter else quarter_of(deadline)
        ),
        "order": order,
    }
    diff = _changed(_activity_state(activity), wanted)
    if not diff:
        return Saved(activity, _duplicate_activity_warnings(activity))
    with change_source(source):
        occasions = _creation_correction(
            board_ids=[activity.board_id], first=activity.year, last=activity.year
        )
        require_correction_reason(occasions, reason)
        for name, value in wanted.items():
            if name != "board_goals":
                setattr(activity, name, value)
        save_row(activity, user, reason)
        activity.board_goals.set(goals)
        corrections = record_corrections(
            occasions,
            label=f"Aktivitet {activity}",
            changes=_describe(diff, Activity),
            reason=reason,
            user=user,
        )
    return Saved(activity, _duplicate_activity_warnings(activity), corrections)


@transaction.atomic
def delete_activity(
    *, user: User, activity: Activity, reason: str = "", source: ChangeSource = ChangeSource.FORM
) -> None:
    """Refused when the activity has statuses (its follow-up is part of a report)."""
    _require_board(user, activity.board_id)
    with change_source(source):
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        count = activity.statuses.count()
        if count:
            raise ValidationError(ACTIVITY_HAS_STATUSES.format(count=count), code="in_use")
        occasions = _creation_correction(
            board_ids=[activity.board_id], first=activity.year, last=activity.year
        )
        require_correction_reason(occasions, reason)
        label = f"Aktivitet {activity}"
        activity._history_user = user  # type: ignore[attr-defined]
        activity.delete()
        record_corrections(occasions, label=label, changes="borttagen", reason=reason, user=user)


# ---------------------------------------------------------------------------------------------
# Mandate periods


def _check_overlap(period: MandatePeriod) -> None:
    others = MandatePeriod.objects.filter(
        municipality_id=period.municipality_id,
        first_year__lte=period.last_year,
        last_year__gte=period.first_year,
    ).exclude(pk=period.pk)
    other = others.first()
    if other is not None:
        raise ValidationError({"first_year": MANDATE_OVERLAP.format(other=other)}, code="overlap")


@transaction.atomic
def create_mandate_period(
    *,
    user: User | None,
    municipality: Municipality,
    first_year: int,
    last_year: int,
    source: ChangeSource = ChangeSource.FORM,
) -> MandatePeriod:
    _require_municipality_admin(user)
    with change_source(source):
        period = MandatePeriod(
            municipality=municipality, first_year=first_year, last_year=last_year
        )
        period.full_clean()
        _check_overlap(period)
        save_row(period, user)
    return period


@transaction.atomic
def update_mandate_period(
    *,
    user: User | None,
    period: MandatePeriod,
    first_year: int,
    last_year: int,
    source: ChangeSource = ChangeSource.FORM,
) -> MandatePeriod:
    _require_municipality_admin(user)
    with change_source(source):
        period = MandatePeriod.objects.select_for_update().get(pk=period.pk)
        period.first_year = first_year
        period.last_year = last_year
        period.full_clean()
        _check_overlap(period)
        save_row(period, user)
    return period
