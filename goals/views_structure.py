"""The administrator's structure pages of the goal chain (/struktur/…): thin views over
goals.structure_services.

Board pages (`<nämnd>/<år>/…`) need Action.ADMINISTER on the board (404 otherwise); the
municipality-wide pages (KF goals, styrdokument, mandate periods) need an administrator of
every board. After a save the page goes back to the board's list (`structure_goal_list`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.security import SecurityEvent, log_security_event
from core.types import AnyUser, AuthenticatedHttpRequest
from goals import structure_services as services
from goals.access import Action, get_board_for_user, on_every_board
from goals.forms_structure import (
    ActivityForm,
    AssignmentForm,
    BoardGoalForm,
    CouncilGoalForm,
    EndGoalForm,
    MandatePeriodForm,
    PolicyDocumentForm,
    assignments_for,
    council_goals_in,
    policy_documents_for,
)
from goals.models import (
    Activity,
    Board,
    BoardGoal,
    MandatePeriod,
    Municipality,
    PolicyDocument,
    StrategicAssignment,
    StructureCorrection,
)
from goals.structure import goal_structure

NOT_FOUND = "Sidan finns inte eller så saknar du behörighet."
SAVED = "Sparat: {label}."
DELETED = "Borttaget: {label}."
ENDED = "”{label}” gäller inte längre från år {year}."


def _board_year(request: AuthenticatedHttpRequest, board_code: str, year: int) -> Board:
    board = get_board_for_user(request.user, board_code, Action.ADMINISTER)
    if not board.is_valid_in(year):
        raise Http404("Nämnden finns inte det året.")
    return board


def _require_municipality_admin(user: AnyUser) -> None:
    if not on_every_board(user, Action.ADMINISTER):
        log_security_event(SecurityEvent.ACCESS_DENIED, user=user, action="structure")
        raise Http404(NOT_FOUND)


def _posted(request: AuthenticatedHttpRequest) -> Any:
    """The form data of a POST (even an empty one, which must still be validated), else None."""
    return request.POST if request.method == "POST" else None


def _list_url(board: Board, year: int) -> str:
    return reverse("goals:structure_goal_list", args=[board.code, year])


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's refusal, next to the field it concerns (or above the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            if name == "reason" and form.fields.get("reason"):
                form.fields["reason"].widget = forms.Textarea(attrs={"rows": 2})
                form.needs_reason = True  # type: ignore[attr-defined]
            for item in errors:
                form.add_error(target, item.messages)
    else:
        form.add_error(None, error.messages)


def _needs_reason(board_ids: Any, year: int, last: int | None = None) -> bool:
    return bool(services.approved_occasions_from(board_ids, year, last))


def _warn(request: AuthenticatedHttpRequest, saved: services.Saved) -> None:
    for warning in saved.warnings:
        messages.warning(request, warning)
    if saved.corrections:
        messages.info(
            request, f"Ändringen är sparad som rättelse av {len(saved.corrections)} godkänt år."
        )


def _render_form(
    request: AuthenticatedHttpRequest, *, title: str, form: forms.Form, back: str, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "goals/structure/form.html",
        {"title": title, "form": form, "back": back, **extra},
    )


# ---------------------------------------------------------------------------------------------
# The board's list


@require_http_methods(["GET"])
def goal_list(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board_year(request, board_code, year)
    areas = goal_structure(board, year)
    activities = (
        Activity.objects.filter(board=board, year=year)
        .select_related("assignment", "policy_document", "goal_area")
        .prefetch_related(Prefetch("board_goals", queryset=BoardGoal.objects.only("id", "title")))
        .order_by("due_quarter", "order", "pk")
    )
    occasion = services.approved_occasion_for(board, year)
    corrections = (
        StructureCorrection.objects.filter(board=board, year=year)
        .select_related("user")
        .order_by("-at")[:20]
    )
    return render(
        request,
        "goals/structure/goal_list.html",
        {
            "board": board,
            "year": year,
            "areas": areas,
            "assignments": assignments_for(board, year),
            "activities": activities,
            "policy_documents": policy_documents_for(board.municipality_id, year),
            "approved_occasion": occasion,
            "corrections": corrections,
            "municipality_admin": on_every_board(request.user, Action.ADMINISTER),
        },
    )


# ---------------------------------------------------------------------------------------------
# Nämndmål


@require_http_methods(["GET", "POST"])
def board_goal_create(
    request: AuthenticatedHttpRequest, board_code: str, year: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    needs = _needs_reason([board.pk], year)
    form = BoardGoalForm(_posted(request), year=year, creating=True, needs_reason=needs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.create_board_goal(
                user=request.user,
                board=board,
                council_goal=data["council_goal"],
                title=data["title"],
                description=data["description"],
                order=data["order"] or 0,
                valid_from=year,
                valid_to=data["valid_to"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            _warn(request, saved)
            messages.success(request, SAVED.format(label=saved.object))
            return redirect(_list_url(board, year))
    return _render_form(
        request,
        title=f"Nytt nämndmål {board.code} {year}",
        form=form,
        back=_list_url(board, year),
        board=board,
        year=year,
    )


def _goal_of(board: Board, goal_id: int, year: int) -> BoardGoal:
    goal = BoardGoal.objects.filter(pk=goal_id, board=board).select_related("board").first()
    if goal is None or not goal.is_valid_in(year):
        raise Http404("Nämndmålet finns inte det året.")
    return goal


@require_http_methods(["GET", "POST"])
def board_goal_edit(
    request: AuthenticatedHttpRequest, board_code: str, year: int, goal_id: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    goal = _goal_of(board, goal_id, year)
    needs = _needs_reason([board.pk], year, goal.valid_to)
    initial = {
        "council_goal": goal.council_goal_id,
        "title": goal.title,
        "description": goal.description,
        "order": goal.order,
    }
    form = BoardGoalForm(
        _posted(request), initial=initial, year=year, creating=False, needs_reason=needs
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.update_board_goal(
                user=request.user,
                goal=goal,
                year=year,
                council_goal=data["council_goal"],
                title=data["title"],
                description=data["description"],
                order=data["order"] or 0,
                reason=data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            _warn(request, saved)
            messages.success(request, SAVED.format(label=saved.object))
            return redirect(_list_url(board, year))
    return _render_form(
        request,
        title=f"Nämndmål {goal.title} ({board.code} {year})",
        form=form,
        back=_list_url(board, year),
        board=board,
        year=year,
        row=goal,
        split_note=goal.valid_from < year,
        end_url=reverse("goals:structure_board_goal_end", args=[board.code, year, goal.pk]),
        end_label=f"Avsluta nämndmålet från {year}",
    )


@require_http_methods(["GET", "POST"])
def board_goal_end(
    request: AuthenticatedHttpRequest, board_code: str, year: int, goal_id: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    goal = _goal_of(board, goal_id, year)
    needs = _needs_reason([board.pk], year, goal.valid_to)
    form = EndGoalForm(_posted(request), needs_reason=needs)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_board_goal(
                user=request.user, goal=goal, year=year, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, ENDED.format(label=goal.title, year=year))
            return redirect(_list_url(board, year))
    return _render_form(
        request,
        title=f"Avsluta nämndmålet {goal.title} från {year}",
        form=form,
        back=_list_url(board, year),
        board=board,
        year=year,
        submit_label="Avsluta",
        intro=(
            f"Nämndmålet gäller {goal.years_label}. Det avslutas med år {year - 1}; "
            "tidigare års rapporter är oförändrade. Ett mål som börjar i år tas bort."
        ),
    )


# ---------------------------------------------------------------------------------------------
# Activities


def _activity_form_data(form: ActivityForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "board_goals": list(data["board_goals"]),
        "assignment": data["assignment"],
        "policy_document": data["policy_document"],
        "goal_area": data["goal_area"],
        "deadline": data["deadline"],
        "due_quarter": data["due_quarter"],
        "order": data["order"] or 0,
        "reason": data["reason"],
    }


@require_http_methods(["GET", "POST"])
def activity_create(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board_year(request, board_code, year)
    needs = _needs_reason([board.pk], year, year)
    form = ActivityForm(_posted(request), board=board, year=year, needs_reason=needs)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.create_activity(
                user=request.user, board=board, year=year, **_activity_form_data(form)
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            _warn(request, saved)
            messages.success(request, SAVED.format(label=saved.object))
            return redirect(_list_url(board, year))
    return _render_form(
        request,
        title=f"Ny aktivitet {board.code} {year}",
        form=form,
        back=_list_url(board, year),
        board=board,
        year=year,
    )


@require_http_methods(["GET", "POST"])
def activity_edit(
    request: AuthenticatedHttpRequest, board_code: str, year: int, activity_id: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    activity = get_object_or_404(Activity, pk=activity_id, board=board, year=year)
    needs = _needs_reason([board.pk], year, year)
    initial = {
        "title": activity.title,
        "board_goals": [goal.pk for goal in activity.board_goals.all()],
        "assignment": activity.assignment_id,
        "policy_document": activity.policy_document_id,
        "goal_area": activity.goal_area_id,
        "deadline": activity.deadline,
        "due_quarter": "" if activity.due_quarter is None else str(activity.due_quarter),
        "order": activity.order,
    }
    form = ActivityForm(
        _posted(request), initial=initial, board=board, year=year, needs_reason=needs
    )
    if request.method == "POST" and request.POST.get("delete") == "ja":
        try:
            services.delete_activity(
                user=request.user, activity=activity, reason=request.POST.get("reason", "")
            )
        except ValidationError as error:
            form.is_valid()
            _apply_errors(form, error)
        else:
            messages.success(request, DELETED.format(label=activity.title))
            return redirect(_list_url(board, year))
    elif request.method == "POST" and form.is_valid():
        try:
            saved = services.update_activity(
                user=request.user, activity=activity, **_activity_form_data(form)
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            _warn(request, saved)
            messages.success(request, SAVED.format(label=saved.object))
            return redirect(_list_url(board, year))
    return _render_form(
        request,
        title=f"Aktivitet {activity.title} ({board.code} {year})",
        form=form,
        back=_list_url(board, year),
        board=board,
        year=year,
        deletable=True,
    )


# ---------------------------------------------------------------------------------------------
# Assignments


def _assignment_board_ids(assignment: StrategicAssignment | None, board: Board) -> Any:
    if assignment is not None and assignment.board_id is None:
        return Board.objects.filter(municipality_id=board.municipality_id).values("pk")
    return [board.pk]


@require_http_methods(["GET", "POST"])
def assignment_create(
    request: AuthenticatedHttpRequest, board_code: str, year: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    may_common = on_every_board(request.user, Action.ADMINISTER)
    needs = _needs_reason(
        Board.objects.filter(municipality_id=board.municipality_id).values("pk")
        if may_common
        else [board.pk],
        year,
    )
    form = AssignmentForm(
        _posted(request), creating=True, may_create_common=may_common, needs_reason=needs
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = data["scope"] == StrategicAssignment.Scope.COMMON
        try:
            saved = services.create_assignment(
                user=request.user,
                municipality=board.municipality,
                scope=data["scope"],
                board=None if common else board,
                text=data["text"],
                note=data["note"],
                order=data["order"] or 0,
                valid_from=year,
                valid_to=data["valid_to"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            _warn(request, saved)
            messages.success(request, SAVED.format(label=saved.object))
            return redirect(_list_url(board, year))
    return _render_form(
        request,
        title=f"Nytt uppdrag {board.code} {year}",
        form=form,
        back=_list_url(board, year),
        board=board,
        year=year,
    )


@require_http_methods(["GET", "POST"])
def assignment_edit(
    request: AuthenticatedHttpRequest, board_code: str, year: int, assignment_id: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    assignment = assignments_for(board, year).filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("Uppdraget finns inte för nämnden det året.")
    if assignment.board_id is None:
        _require_municipality_admin(request.user)
    needs = _needs_reason(_assignment_board_ids(assignment, board), year, assignment.valid_to)
    initial = {"text": assignment.text, "note": assignment.note, "order": assignment.order}
    form = AssignmentForm(
        _posted(request),
        initial=initial,
        creating=False,
        may_create_common=False,
        needs_reason=needs,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.update_assignment(
                user=request.user,
                assignment=assignment,
                year=year,
                text=data["text"],
                note=data["note"],
                order=data["order"] or 0,
                reason=data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            _warn(request, saved)
            messages.success(request, SAVED.format(label=saved.object))
            return redirect(_list_url(board, year))
    return _render_form(
        request,
        title=f"Uppdrag ({assignment.get_scope_display()}, {board.code} {year})",
        form=form,
        back=_list_url(board, year),
        board=board,
        year=year,
        row=assignment,
        split_note=assignment.valid_from < year,
        end_url=reverse("goals:structure_assignment_end", args=[board.code, year, assignment.pk]),
        end_label=f"Avsluta uppdraget från {year}",
    )


@require_http_methods(["GET", "POST"])
def assignment_end(
    request: AuthenticatedHttpRequest, board_code: str, year: int, assignment_id: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    assignment = assignments_for(board, year).filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("Uppdraget finns inte för nämnden det året.")
    if assignment.board_id is None:
        _require_municipality_admin(request.user)
    needs = _needs_reason(_assignment_board_ids(assignment, board), year, assignment.valid_to)
    form = EndGoalForm(_posted(request), needs_reason=needs)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_assignment(
                user=request.user,
                assignment=assignment,
                year=year,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, ENDED.format(label=assignment, year=year))
            return redirect(_list_url(board, year))
    return _render_form(
        request,
        title=f"Avsluta uppdraget från {year}",
        form=form,
        back=_list_url(board, year),
        board=board,
        year=year,
        submit_label="Avsluta",
        intro=(
            f"Uppdraget ”{assignment}” gäller {assignment.years_label}. Det avslutas med år "
            f"{year - 1}; tidigare års rapporter är oförändrade. Ett uppdrag som börjar i år "
            "tas bort."
        ),
    )


# ---------------------------------------------------------------------------------------------
# KF goals (municipality-wide)


def _kf_url(year: int) -> str:
    return reverse("goals:structure_council_goals", args=[year])


@require_http_methods(["GET"])
def council_goal_list(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    _require_municipality_admin(request.user)
    return render(
        request,
        "goals/structure/council_goals.html",
        {"year": year, "goals": council_goals_in(year).order_by("goal_area__order", "order")},
    )


@require_http_methods(["GET", "POST"])
def council_goal_create(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    _require_municipality_admin(request.user)
    needs = _needs_reason(Board.objects.values("pk"), year)
    form = CouncilGoalForm(_posted(request), creating=True, needs_reason=needs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.create_council_goal(
                user=request.user,
                goal_area=data["goal_area"],
                title=data["title"],
                description=data["description"],
                order=data["order"] or 0,
                valid_from=year,
                valid_to=data["valid_to"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, SAVED.format(label=saved.object))
            return redirect(_kf_url(year))
    return _render_form(
        request, title=f"Nytt kommunövergripande mål {year}", form=form, back=_kf_url(year)
    )


@require_http_methods(["GET", "POST"])
def council_goal_edit(
    request: AuthenticatedHttpRequest, year: int, council_goal_id: int
) -> HttpResponse:
    _require_municipality_admin(request.user)
    goal = council_goals_in(year).filter(pk=council_goal_id).first()
    if goal is None:
        raise Http404("Målet finns inte det året.")
    needs = _needs_reason(Board.objects.values("pk"), year, goal.valid_to)
    initial = {
        "goal_area": goal.goal_area_id,
        "title": goal.title,
        "description": goal.description,
        "order": goal.order,
    }
    form = CouncilGoalForm(_posted(request), initial=initial, creating=False, needs_reason=needs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.update_council_goal(
                user=request.user,
                goal=goal,
                year=year,
                goal_area=data["goal_area"],
                title=data["title"],
                description=data["description"],
                order=data["order"] or 0,
                reason=data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            _warn(request, saved)
            messages.success(request, SAVED.format(label=saved.object))
            return redirect(_kf_url(year))
    return _render_form(
        request,
        title=f"Kommunövergripande mål {goal.title} ({year})",
        form=form,
        back=_kf_url(year),
        year=year,
        row=goal,
        split_note=goal.valid_from < year,
    )


# ---------------------------------------------------------------------------------------------
# Prioriterade styrdokument (municipality-wide)


def _policy_url(year: int) -> str:
    return reverse("goals:structure_policy_list", args=[year])


@require_http_methods(["GET"])
def policy_list(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    _require_municipality_admin(request.user)
    documents = (
        PolicyDocument.objects.valid_in(year)
        .select_related("municipality")
        .order_by("municipality__name", "order", "title")
    )
    return render(
        request, "goals/structure/policy_list.html", {"year": year, "documents": documents}
    )


@require_http_methods(["GET", "POST"])
def policy_create(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    _require_municipality_admin(request.user)
    form = PolicyDocumentForm(
        _posted(request), creating=True, initial={"municipality": Municipality.objects.first()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.create_policy_document(
                user=request.user,
                municipality=data["municipality"],
                title=data["title"],
                description=data["description"],
                order=data["order"] or 0,
                valid_from=year,
                valid_to=data["valid_to"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, SAVED.format(label=saved.object))
            return redirect(_policy_url(year))
    return _render_form(
        request, title=f"Nytt prioriterat styrdokument {year}", form=form, back=_policy_url(year)
    )


@require_http_methods(["GET", "POST"])
def policy_edit(request: AuthenticatedHttpRequest, year: int, policy_id: int) -> HttpResponse:
    _require_municipality_admin(request.user)
    document = PolicyDocument.objects.valid_in(year).filter(pk=policy_id).first()
    if document is None:
        raise Http404("Styrdokumentet finns inte det året.")
    board_ids = Board.objects.filter(municipality_id=document.municipality_id).values("pk")
    needs = _needs_reason(board_ids, year, document.valid_to)
    initial = {
        "title": document.title,
        "description": document.description,
        "order": document.order,
    }
    form = PolicyDocumentForm(_posted(request), initial=initial, creating=False, needs_reason=needs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.update_policy_document(
                user=request.user,
                document=document,
                year=year,
                title=data["title"],
                description=data["description"],
                order=data["order"] or 0,
                reason=data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            _warn(request, saved)
            messages.success(request, SAVED.format(label=saved.object))
            return redirect(_policy_url(year))
    return _render_form(
        request,
        title=f"Styrdokument {document.title} ({year})",
        form=form,
        back=_policy_url(year),
        year=year,
        row=document,
        split_note=document.valid_from < year,
    )


# ---------------------------------------------------------------------------------------------
# Mandate periods (municipality-wide)


@require_http_methods(["GET", "POST"])
def mandate_periods(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_municipality_admin(request.user)
    form = MandatePeriodForm(
        _posted(request), initial={"municipality": Municipality.objects.first()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = services.create_mandate_period(
                user=request.user,
                municipality=data["municipality"],
                first_year=data["first_year"],
                last_year=data["last_year"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, SAVED.format(label=period))
            return redirect("goals:structure_mandate_periods")
    periods = MandatePeriod.objects.select_related("municipality").order_by(
        "municipality__name", "first_year"
    )
    return render(
        request, "goals/structure/mandate_periods.html", {"periods": periods, "form": form}
    )


@require_http_methods(["GET", "POST"])
def mandate_period_edit(request: AuthenticatedHttpRequest, mandate_period_id: int) -> HttpResponse:
    _require_municipality_admin(request.user)
    period = get_object_or_404(MandatePeriod, pk=mandate_period_id)
    initial = {"first_year": period.first_year, "last_year": period.last_year}
    form = MandatePeriodForm(_posted(request), initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = services.update_mandate_period(
                user=request.user,
                period=period,
                first_year=data["first_year"],
                last_year=data["last_year"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, SAVED.format(label=period))
            return redirect("goals:structure_mandate_periods")
    return _render_form(
        request,
        title=str(period),
        form=form,
        back=reverse("goals:structure_mandate_periods"),
    )
