"""Write paths of the goal side: the occasion workflow and what is entered per occasion.

The workflow is öppen → inskickad (a controller submits) → godkänd (a nämndsekreterare or an
administratör approves). A submitted occasion is read-only (the approver sends it back,
with a reason, or approves it); an approved one is locked (see goals.models) and only an
administratör reopens it, with a reason. Every transition is recorded as an
OccasionTransition and in the occasion's history.

Goal assessments and the statuses of assignments and activities are saved with the version
the user started from, so a second user's save from the same starting point is refused
instead of silently overwriting the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import ChangeSource, change_source, current_source
from core.changes import data_changed
from core.security import SecurityEvent, log_security_event
from goals.access import Action, can
from goals.locks import lock_for_entry
from goals.models import (
    Activity,
    ActivityStatus,
    AssessmentLevel,
    AssignmentStatus,
    BoardGoal,
    GoalAssessment,
    NarrativeText,
    Notification,
    OccasionTransition,
    ReportingOccasion,
    StrategicAssignment,
    WorkStatus,
)
from goals.notifications import notify_step
from goals.selectors import SubmissionGaps, occasion_gaps
from goals.signals import occasion_approved
from goals.users import SOMEONE_ELSE, user_label

if TYPE_CHECKING:
    from django.contrib.auth.models import User

State = ReportingOccasion.State

NO_RIGHT_SUBMIT = "Du saknar behörighet att skicka in för nämnden."
NO_RIGHT_APPROVE = "Bara nämndsekreterare och administratörer kan godkänna."
NO_RIGHT_REOPEN = "Bara en administratör kan öppna ett godkänt tillfälle igen."
NO_RIGHT_RETURN = "Bara nämndsekreterare och administratörer kan skicka tillbaka ett tillfälle."
NO_RIGHT_ENTER = "Du saknar behörighet att registrera för nämnden."
NOT_OPEN = "Tillfället är {state} och kan inte skickas in."
NOT_SUBMITTED = (
    "Tillfället är {state}; bara ett inskickat tillfälle kan godkännas eller skickas tillbaka."
)
NOT_APPROVED = "Tillfället är {state}; bara ett godkänt tillfälle kan öppnas igen."
REASON_REQUIRED = "Ange en motivering."
MISSING_NOT_CONFIRMED = (
    "{count} uppgifter saknas. Kryssa i ”Jag skickar in trots att uppgifter saknas” för att "
    "skicka in ändå, eller fyll i det som saknas."
)
NOTHING_ENTERED = (
    "Inget är ifyllt för {occasion}: alla {count} uppgifter saknas. Fyll i värden eller I.U. "
    "innan du skickar in, eller kryssa i ”Jag skickar in trots att uppgifter saknas”."
)
MORE_MISSING_THAN_CONFIRMED = (
    "Nu saknas {count} uppgifter, inte {seen} som när du bekräftade. Läs listan igen och "
    "bekräfta på nytt."
)
NOT_ASSESSED_HERE = "Nämndmålen bedöms vid delår och helår, inte vid {occasion}."
GOAL_NOT_OF_BOARD = "Nämndmålet hör inte till nämnden eller gäller inte år {year}."
ASSIGNMENT_NOT_OF_BOARD = "Uppdraget gäller inte nämnden år {year}."
ACTIVITY_NOT_OF_BOARD = "Aktiviteten hör inte till nämnden år {year}."
LEVEL_REQUIRED = "Välj Uppnått, Delvis uppnått eller Ej uppnått."
STATUS_REQUIRED = "Välj en status."
CONFLICT = (
    "{user} sparade här {when} medan du skrev. Dina ändringar sparades inte: läs det "
    "sparade nedan och spara igen om dina ändringar ska gälla."
)


class RecordConflict(ValidationError):
    """Someone saved the same record after this user started: nothing was written."""

    def __init__(self, message: str, *, current: VersionedRecord | None) -> None:
        self.current = current
        super().__init__(message, code="conflict")


def _log_security_event(
    event: str, *, user: User | None, occasion: ReportingOccasion, **detail: Any
) -> None:
    """Workflow steps go to the security log (JSON lines) with the occasion they concern."""
    log_security_event(event, user=user, occasion=str(occasion), occasion_id=occasion.pk, **detail)


def _lock_occasion(occasion: ReportingOccasion) -> ReportingOccasion:
    return (
        ReportingOccasion.objects.select_for_update(of=("self",))
        .select_related("board")
        .get(pk=occasion.pk)
    )


def _transition(
    occasion: ReportingOccasion,
    *,
    user: User | None,
    to_state: str,
    reason: str = "",
    missing_count: int = 0,
    missing_summary: str = "",
) -> OccasionTransition:
    from_state = occasion.state
    occasion.state = to_state
    occasion._history_user = user
    occasion.full_clean()
    occasion.save()
    transition = OccasionTransition(
        occasion=occasion,
        from_state=from_state,
        to_state=to_state,
        user=user,
        reason=reason,
        source=current_source(),
        missing_count=missing_count,
        missing_summary=missing_summary,
    )
    transition.full_clean()
    transition.save()
    data_changed(board_id=occasion.board_id, year=occasion.year)
    return transition


def _check_gaps(
    occasion: ReportingOccasion, *, confirm_missing: bool, missing_seen: int | None
) -> SubmissionGaps:
    """Gaps need the submitter's confirmation, and no more of them than the user confirmed."""
    gaps = occasion_gaps(occasion)
    if not gaps.count:
        return gaps
    if not confirm_missing:
        message = NOTHING_ENTERED if gaps.everything_missing else MISSING_NOT_CONFIRMED
        raise ValidationError(
            message.format(occasion=occasion, count=gaps.count), code="missing_not_confirmed"
        )
    if missing_seen is not None and gaps.count > missing_seen:
        raise ValidationError(
            MORE_MISSING_THAN_CONFIRMED.format(count=gaps.count, seen=missing_seen),
            code="missing_changed",
        )
    return gaps


@transaction.atomic
def submit_occasion(
    *,
    user: User,
    occasion: ReportingOccasion,
    confirm_missing: bool = False,
    missing_seen: int | None = None,
    source: ChangeSource = ChangeSource.FORM,
) -> ReportingOccasion:
    """A controller sends the occasion in; from then on it is read-only until sent back.

    With anything missing (fields, assessments, statuses) the submitter must confirm; what was
    missing is recorded on the step. `missing_seen` is the count the user confirmed on the
    page: if more is missing now, the user is asked again. The gaps are read while the
    occasion row is locked, and every save locks that row too, so they are exact.
    """
    if not can(user, Action.ENTER, occasion.board_id):
        raise ValidationError(NO_RIGHT_SUBMIT, code="no_right")
    with change_source(source):
        occasion = _lock_occasion(occasion)
        if occasion.state != State.OPEN:
            raise ValidationError(
                NOT_OPEN.format(state=occasion.get_state_display().lower()), code="state"
            )
        gaps = _check_gaps(occasion, confirm_missing=confirm_missing, missing_seen=missing_seen)
        transition = _transition(
            occasion,
            user=user,
            to_state=State.SUBMITTED,
            missing_count=gaps.count,
            missing_summary=gaps.summary(),
        )
        notify_step(Notification.Kind.SUBMITTED, transition)
    _log_security_event(SecurityEvent.OCCASION_SUBMITTED, user=user, occasion=occasion)
    return occasion


@transaction.atomic
def approve_occasion(
    *, user: User, occasion: ReportingOccasion, source: ChangeSource = ChangeSource.FORM
) -> ReportingOccasion:
    if not can(user, Action.APPROVE, occasion.board_id):
        raise ValidationError(NO_RIGHT_APPROVE, code="no_right")
    with change_source(source):
        occasion = _lock_occasion(occasion)
        if occasion.state != State.SUBMITTED:
            raise ValidationError(
                NOT_SUBMITTED.format(state=occasion.get_state_display().lower()), code="state"
            )
        transition = _approve_locked(occasion, user=user)
        notify_step(Notification.Kind.APPROVED, transition)
    _log_security_event(SecurityEvent.OCCASION_APPROVED, user=user, occasion=occasion)
    return occasion


def _approve_locked(
    occasion: ReportingOccasion, *, user: User | None, reason: str = ""
) -> OccasionTransition:
    """Approve the submitted occasion whose row the caller holds; reports archives its report."""
    transition = _transition(occasion, user=user, to_state=State.APPROVED, reason=reason)
    occasion_approved.send(
        sender=ReportingOccasion, occasion=occasion, user=user, transition=transition
    )
    return transition


@transaction.atomic
def approve_occasion_by_command(*, occasion: ReportingOccasion, reason: str) -> ReportingOccasion:
    """A command run on the server (the demo loader) submits and approves an open occasion.

    The same steps as a person's submit and approve, with no user: both transitions (source
    "kommando", with the reason), the history, and the occasion_approved signal, so the report
    is archived like any approval's. There is no access check, so no view may call this.
    """
    with change_source(ChangeSource.COMMAND):
        occasion = _lock_occasion(occasion)
        if occasion.state != State.OPEN:
            raise ValidationError(
                NOT_OPEN.format(state=occasion.get_state_display().lower()), code="state"
            )
        occasion._change_reason = reason
        _transition(occasion, user=None, to_state=State.SUBMITTED, reason=reason)
        _approve_locked(occasion, user=None, reason=reason)
    _log_security_event(SecurityEvent.OCCASION_APPROVED, user=None, occasion=occasion)
    return occasion


@transaction.atomic
def return_occasion(
    *,
    user: User,
    occasion: ReportingOccasion,
    reason: str,
    source: ChangeSource = ChangeSource.FORM,
) -> ReportingOccasion:
    """A nämndsekreterare sends a submitted occasion back to the controllers."""
    if not can(user, Action.APPROVE, occasion.board_id):
        raise ValidationError(NO_RIGHT_RETURN, code="no_right")
    if not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason")
    with change_source(source):
        occasion = _lock_occasion(occasion)
        if occasion.state != State.SUBMITTED:
            raise ValidationError(
                NOT_SUBMITTED.format(state=occasion.get_state_display().lower()), code="state"
            )
        transition = _transition(occasion, user=user, to_state=State.OPEN, reason=reason.strip())
        notify_step(Notification.Kind.RETURNED, transition)
    _log_security_event("occasion_returned", user=user, occasion=occasion, reason=reason.strip())
    return occasion


@transaction.atomic
def reopen_occasion(
    *,
    user: User,
    occasion: ReportingOccasion,
    reason: str,
    source: ChangeSource = ChangeSource.FORM,
) -> ReportingOccasion:
    """An administratör opens an approved occasion again; the reason is recorded."""
    if not can(user, Action.ADMINISTER, occasion.board_id):
        raise ValidationError(NO_RIGHT_REOPEN, code="no_right")
    if not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason")
    with change_source(source):
        occasion = _lock_occasion(occasion)
        if occasion.state != State.APPROVED:
            raise ValidationError(
                NOT_APPROVED.format(state=occasion.get_state_display().lower()), code="state"
            )
        _transition(occasion, user=user, to_state=State.OPEN, reason=reason.strip())
    _log_security_event(
        SecurityEvent.OCCASION_REOPENED, user=user, occasion=occasion, reason=reason.strip()
    )
    return occasion


# The records saved with the version the user started from.
VersionedRecord = GoalAssessment | AssignmentStatus | ActivityStatus | NarrativeText


Record = TypeVar("Record", GoalAssessment, AssignmentStatus, ActivityStatus, NarrativeText)
Status = TypeVar("Status", AssignmentStatus, ActivityStatus)


@dataclass
class SaveOutcome(Generic[Record]):
    record: Record
    changed: bool


def _check_can_enter(user: User, occasion: ReportingOccasion) -> ReportingOccasion:
    if not can(user, Action.ENTER, occasion.board_id):
        raise ValidationError(NO_RIGHT_ENTER, code="no_right")
    return lock_for_entry(occasion)  # inskickad and godkänd are both read-only here


def _check_version(current: VersionedRecord | None, expected_version: int) -> None:
    current_version = current.version if current is not None else 0
    if current_version != expected_version:
        last = (
            current.history.select_related("history_user").order_by("-history_date").first()
            if current is not None
            else None
        )
        raise RecordConflict(
            CONFLICT.format(
                user=user_label(last.history_user if last else None),
                when=timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M")
                if last
                else "",
            ),
            current=current,
        )


def _save_versioned(
    record: VersionedRecord, *, user: User, current_version: int, lookup: dict[str, Any]
) -> None:
    record.version = current_version + 1
    record._history_user = user
    record.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        other = type(record).objects.filter(**lookup).first()
        raise RecordConflict(
            CONFLICT.format(user=SOMEONE_ELSE, when="nyss"), current=other
        ) from None


@transaction.atomic
def save_assessment(
    *,
    user: User,
    occasion: ReportingOccasion,
    board_goal: BoardGoal,
    level: str,
    suggested_level: str = "",
    analysis: str = "",
    results: str = "",
    other_activities: str = "",
    deviations: str = "",
    expected_version: int,
    source: ChangeSource = ChangeSource.FORM,
) -> SaveOutcome[GoalAssessment]:
    """The user's assessment of a nämndmål stands; the suggestion it was made beside is kept."""
    if level not in AssessmentLevel.values:
        raise ValidationError(LEVEL_REQUIRED, code="level")
    if not occasion.assesses_goals:
        raise ValidationError(NOT_ASSESSED_HERE.format(occasion=occasion), code="kind")
    if board_goal.board_id != occasion.board_id or not board_goal.is_valid_in(occasion.year):
        raise ValidationError(GOAL_NOT_OF_BOARD.format(year=occasion.year), code="goal")
    with change_source(source):
        occasion = _check_can_enter(user, occasion)
        lookup = {"occasion": occasion, "board_goal": board_goal}
        current = GoalAssessment.objects.select_for_update().filter(**lookup).first()
        _check_version(current, expected_version)
        fields = {
            "level": level,
            "suggested_level": suggested_level,
            "analysis": analysis.strip(),
            "results": results.strip(),
            "other_activities": other_activities.strip(),
            "deviations": deviations.strip(),
        }
        if current is not None and all(getattr(current, k) == v for k, v in fields.items()):
            return SaveOutcome(record=current, changed=False)
        record = current if current is not None else GoalAssessment(**lookup)
        for name, value in fields.items():
            setattr(record, name, value)
        _save_versioned(record, user=user, current_version=expected_version, lookup=lookup)
        data_changed(board_id=occasion.board_id, year=occasion.year)
    return SaveOutcome(record=record, changed=True)


def _save_status(
    *,
    model: type[Status],
    lookup: dict[str, Any],
    user: User,
    status: str,
    comment: str,
    expected_version: int,
) -> SaveOutcome[Status]:
    if status not in WorkStatus.values:
        raise ValidationError(STATUS_REQUIRED, code="status")
    current = model.objects.select_for_update().filter(**lookup).first()
    _check_version(current, expected_version)
    if current is not None and current.status == status and current.comment == comment.strip():
        return SaveOutcome(record=current, changed=False)
    record = current if current is not None else model(**lookup)
    record.status = status
    record.comment = comment.strip()
    _save_versioned(record, user=user, current_version=expected_version, lookup=lookup)
    occasion = lookup["occasion"]
    data_changed(board_id=occasion.board_id, year=occasion.year)
    return SaveOutcome(record=record, changed=True)


@transaction.atomic
def save_assignment_status(
    *,
    user: User,
    occasion: ReportingOccasion,
    assignment: StrategicAssignment,
    status: str,
    comment: str = "",
    expected_version: int,
    source: ChangeSource = ChangeSource.FORM,
) -> SaveOutcome[AssignmentStatus]:
    applies = assignment.is_valid_in(occasion.year) and (
        assignment.board_id is None or assignment.board_id == occasion.board_id
    )
    if not applies:
        raise ValidationError(ASSIGNMENT_NOT_OF_BOARD.format(year=occasion.year), code="scope")
    with change_source(source):
        occasion = _check_can_enter(user, occasion)
        return _save_status(
            model=AssignmentStatus,
            lookup={"occasion": occasion, "assignment": assignment},
            user=user,
            status=status,
            comment=comment,
            expected_version=expected_version,
        )


@transaction.atomic
def save_activity_status(
    *,
    user: User,
    occasion: ReportingOccasion,
    activity: Activity,
    status: str,
    comment: str = "",
    expected_version: int,
    source: ChangeSource = ChangeSource.FORM,
) -> SaveOutcome[ActivityStatus]:
    if activity.board_id != occasion.board_id or activity.year != occasion.year:
        raise ValidationError(ACTIVITY_NOT_OF_BOARD.format(year=occasion.year), code="scope")
    with change_source(source):
        occasion = _check_can_enter(user, occasion)
        return _save_status(
            model=ActivityStatus,
            lookup={"occasion": occasion, "activity": activity},
            user=user,
            status=status,
            comment=comment,
            expected_version=expected_version,
        )
