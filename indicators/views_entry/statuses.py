"""Goal assessments and the statuses of strategic assignments and activities at an occasion."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.types import AuthenticatedHttpRequest
from goals.access import Action
from goals.models import (
    Activity,
    ActivityStatus,
    AssessmentLevel,
    AssignmentStatus,
    BoardGoal,
    GoalAssessment,
    ReportingOccasion,
    StrategicAssignment,
    WorkStatus,
)
from goals.services import (
    RecordConflict,
    save_activity_status,
    save_assessment,
    save_assignment_status,
)
from indicators.entry import GoalBlock, StatusItem, entry_sheet
from indicators.forms import AssessmentForm, StatusForm
from indicators.views_entry.common import get_occasion_for_user, occasion_url


def _goal_block(occasion: ReportingOccasion, goal_id: int) -> GoalBlock:
    sheet = entry_sheet(occasion)
    for area in sheet.areas:
        for block in area.goals:
            if block.goal.pk == goal_id:
                return block
    raise Http404("Nämndmålet finns inte.")


@require_POST
def save_assessment_view(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: str, goal_id: int
) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.ENTER)
    if not occasion.assesses_goals:
        raise Http404("Nämndmålen bedöms inte vid det här tillfället.")
    get_object_or_404(BoardGoal, pk=goal_id, board=occasion.board)
    block = _goal_block(occasion, goal_id)
    form = AssessmentForm(request.POST)
    error = ""
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome = save_assessment(
                user=request.user,
                occasion=occasion,
                board_goal=block.goal,
                level=data["level"],
                suggested_level=block.suggestion.level if block.suggestion else "",
                analysis=data["analysis"],
                results=data["results"],
                other_activities=data["other_activities"],
                deviations=data["deviations"],
                expected_version=data["version"],
            )
            block.assessment = outcome.record
            saved = True
        except RecordConflict as conflict:
            error = conflict.messages[0]
            current = conflict.current
            block.assessment = current if isinstance(current, GoalAssessment) else None
        except ValidationError as refused:
            error = " ".join(refused.messages)
    context = {
        "block": block,
        "occasion": occasion,
        "form": None if saved else form,
        "error": error,
        "saved": saved,
        "can_edit": occasion.is_open_for_entry,
        "url": occasion_url(occasion, "entry_save_assessment", goal_id=goal_id),
        "levels": AssessmentLevel.choices,
    }
    if request.htmx:
        return render(request, "indicators/entry/_assessment.html", context)
    if saved:
        messages.success(request, f"Bedömningen av {block.goal.title} är sparad.")
        return redirect(occasion_url(occasion) + f"#goal-{goal_id}")
    return render(request, "indicators/entry/assessment_page.html", context)


def _save_status_view(
    request: AuthenticatedHttpRequest,
    occasion: ReportingOccasion,
    *,
    item: StrategicAssignment | Activity,
    kind: str,
    url: str,
) -> HttpResponse:
    form = StatusForm(request.POST)
    error = ""
    saved = False
    status = None
    if form.is_valid():
        data = form.cleaned_data
        save = save_assignment_status if kind == "uppdrag" else save_activity_status
        target: dict[str, Any] = {"assignment": item} if kind == "uppdrag" else {"activity": item}
        try:
            outcome = save(
                user=request.user,
                occasion=occasion,
                status=data["status"],
                comment=data["comment"],
                expected_version=data["version"],
                **target,
            )
            status = outcome.record
            saved = True
        except RecordConflict as conflict:
            error = conflict.messages[0]
            current = conflict.current
            status = current if isinstance(current, AssignmentStatus | ActivityStatus) else None
        except ValidationError as refused:
            error = " ".join(refused.messages)
    if status is None:
        status = item.statuses.filter(occasion=occasion).first()
    context = {
        "entry": StatusItem(item, status),
        "kind": kind,
        "form": None if saved else form,
        "error": error,
        "saved": saved,
        "can_edit": occasion.is_open_for_entry,
        "url": url,
        "occasion": occasion,
        "statuses": WorkStatus.choices,
    }
    if request.htmx:
        return render(request, "indicators/entry/_status.html", context)
    if saved:
        messages.success(request, "Statusen är sparad.")
        return redirect(occasion_url(occasion) + f"#{kind}-{item.pk}")
    return render(request, "indicators/entry/status_page.html", context)


@require_POST
def save_assignment_view(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: str, assignment_id: int
) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.ENTER)
    assignment = get_object_or_404(
        StrategicAssignment.objects.valid_in(occasion.year).filter(
            municipality_id=occasion.board.municipality_id
        ),
        pk=assignment_id,
    )
    if assignment.board_id is not None and assignment.board_id != occasion.board_id:
        raise Http404("Uppdraget finns inte.")
    url = occasion_url(occasion, "entry_save_assignment", assignment_id=assignment_id)
    return _save_status_view(request, occasion, item=assignment, kind="uppdrag", url=url)


@require_POST
def save_activity_view(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: str, activity_id: int
) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.ENTER)
    activity = get_object_or_404(Activity, pk=activity_id, board=occasion.board, year=occasion.year)
    url = occasion_url(occasion, "entry_save_activity", activity_id=activity_id)
    return _save_status_view(request, occasion, item=activity, kind="aktivitet", url=url)
