"""The administrator's structure pages of the goal chain (/struktur/…): thin views over
goals.structure_services.

Board pages (`<nämnd>/<år>/…`) need Action.ADMINISTER on the board (404 otherwise); the
municipality-wide pages (KF goals, styrdokument, mandate periods) need an administrator of
every board. After a save the page goes back to the board's list (`structure_goal_list`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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
from goals.selectors import year_activities
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


def _args(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """The service's keyword arguments from a form's cleaned data (an empty order is 0)."""
    args = {name: data[name] for name in names}
    if "order" in args:
        args["order"] = args["order"] or 0
    return args


def _submitted(
    request: AuthenticatedHttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    done: str,
    success: str | None = None,
) -> HttpResponse | None:
    """The flow every structure form shares. On a valid POST `save(cleaned_data)` calls the
    service and returns what it wrote (a `Saved`, whose warnings are shown, or the row). A
    refusal goes onto the form, next to its field: None, the page shows the form again. A save
    shows `success` (default SAVED with the row) and goes to `done`."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as error:
        _apply_errors(form, error)
        return None
    if isinstance(result, services.Saved):
        _warn(request, result)
        result = result.object
    messages.success(request, success if success is not None else SAVED.format(label=result))
    return redirect(done)


def _render_form(
    request: AuthenticatedHttpRequest, *, title: str, form: forms.Form, back: str, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "goals/structure/form.html",
        {"title": title, "form": form, "back": back, **extra},
    )


def _row_notes(row: Any, year: int) -> dict[str, Any]:
    """The edit page's note on the row's years, and that a change splits it from `year`."""
    return {"row": row, "split_note": row.valid_from < year}


def _end_page(
    request: AuthenticatedHttpRequest,
    *,
    board: Board,
    year: int,
    needs: bool,
    end: Callable[[str], object],
    ended: str,
    title: str,
    intro: str,
) -> HttpResponse:
    """Ending a row from the page's year: `end(reason)` calls the service."""
    form = EndGoalForm(_posted(request), needs_reason=needs)
    done = _list_url(board, year)

    def save(data: dict[str, Any]) -> None:
        end(data["reason"])

    return _submitted(request, form, save, done=done, success=ended) or _render_form(
        request,
        title=title,
        form=form,
        back=done,
        board=board,
        year=year,
        submit_label="Avsluta",
        intro=intro,
    )


# ---------------------------------------------------------------------------------------------
# The board's list


@require_http_methods(["GET"])
def goal_list(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board_year(request, board_code, year)
    areas = goal_structure(board, year)
    activities = year_activities(board, year)
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

# The fields a goal-like row's create and edit forms share with the service.
GOAL_TEXTS = ("title", "description", "order", "reason")


@require_http_methods(["GET", "POST"])
def board_goal_create(
    request: AuthenticatedHttpRequest, board_code: str, year: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    needs = _needs_reason([board.pk], year)
    form = BoardGoalForm(_posted(request), year=year, creating=True, needs_reason=needs)
    done = _list_url(board, year)
    return _submitted(
        request,
        form,
        lambda data: services.create_board_goal(
            user=request.user,
            board=board,
            valid_from=year,
            **_args(data, "council_goal", "valid_to", *GOAL_TEXTS),
        ),
        done=done,
    ) or _render_form(
        request,
        title=f"Nytt nämndmål {board.code} {year}",
        form=form,
        back=done,
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
    done = _list_url(board, year)
    return _submitted(
        request,
        form,
        lambda data: services.update_board_goal(
            user=request.user, goal=goal, year=year, **_args(data, "council_goal", *GOAL_TEXTS)
        ),
        done=done,
    ) or _render_form(
        request,
        title=f"Nämndmål {goal.title} ({board.code} {year})",
        form=form,
        back=done,
        board=board,
        year=year,
        **_row_notes(goal, year),
        end_url=reverse("goals:structure_board_goal_end", args=[board.code, year, goal.pk]),
        end_label=f"Avsluta nämndmålet från {year}",
    )


@require_http_methods(["GET", "POST"])
def board_goal_end(
    request: AuthenticatedHttpRequest, board_code: str, year: int, goal_id: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    goal = _goal_of(board, goal_id, year)
    return _end_page(
        request,
        board=board,
        year=year,
        needs=_needs_reason([board.pk], year, goal.valid_to),
        end=lambda reason: services.end_board_goal(
            user=request.user, goal=goal, year=year, reason=reason
        ),
        ended=ENDED.format(label=goal.title, year=year),
        title=f"Avsluta nämndmålet {goal.title} från {year}",
        intro=(
            f"Nämndmålet gäller {goal.years_label}. Det avslutas med år {year - 1}; "
            "tidigare års rapporter är oförändrade. Ett mål som börjar i år tas bort."
        ),
    )


# ---------------------------------------------------------------------------------------------
# Activities

ACTIVITY_FIELDS = (
    "title",
    "assignment",
    "policy_document",
    "goal_area",
    "deadline",
    "due_quarter",
    "order",
    "reason",
)


def _activity_args(data: dict[str, Any]) -> dict[str, Any]:
    return {**_args(data, *ACTIVITY_FIELDS), "board_goals": list(data["board_goals"])}


@require_http_methods(["GET", "POST"])
def activity_create(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board_year(request, board_code, year)
    needs = _needs_reason([board.pk], year, year)
    form = ActivityForm(_posted(request), board=board, year=year, needs_reason=needs)
    done = _list_url(board, year)
    return _submitted(
        request,
        form,
        lambda data: services.create_activity(
            user=request.user, board=board, year=year, **_activity_args(data)
        ),
        done=done,
    ) or _render_form(
        request,
        title=f"Ny aktivitet {board.code} {year}",
        form=form,
        back=done,
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
    done = _list_url(board, year)
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
            return redirect(done)
    else:
        response = _submitted(
            request,
            form,
            lambda data: services.update_activity(
                user=request.user, activity=activity, **_activity_args(data)
            ),
            done=done,
        )
        if response is not None:
            return response
    return _render_form(
        request,
        title=f"Aktivitet {activity.title} ({board.code} {year})",
        form=form,
        back=done,
        board=board,
        year=year,
        deletable=True,
    )


# ---------------------------------------------------------------------------------------------
# Assignments


def _assignment_of(
    request: AuthenticatedHttpRequest, board: Board, year: int, assignment_id: int
) -> StrategicAssignment:
    """The board's (or its municipality's common) assignment of the year; a common one only for
    an administrator of every board."""
    assignment = assignments_for(board, year).filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("Uppdraget finns inte för nämnden det året.")
    if assignment.board_id is None:
        _require_municipality_admin(request.user)
    return assignment


def _assignment_needs_reason(assignment: StrategicAssignment, year: int) -> bool:
    return _needs_reason(services.assignment_boards(assignment), year, assignment.valid_to)


@require_http_methods(["GET", "POST"])
def assignment_create(
    request: AuthenticatedHttpRequest, board_code: str, year: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    may_common = on_every_board(request.user, Action.ADMINISTER)
    needs = _needs_reason(
        services.municipality_boards(board.municipality_id) if may_common else [board.pk], year
    )
    form = AssignmentForm(
        _posted(request), creating=True, may_create_common=may_common, needs_reason=needs
    )
    done = _list_url(board, year)
    return _submitted(
        request,
        form,
        lambda data: services.create_assignment(
            user=request.user,
            municipality=board.municipality,
            board=None if data["scope"] == StrategicAssignment.Scope.COMMON else board,
            valid_from=year,
            **_args(data, "scope", "text", "note", "order", "valid_to", "reason"),
        ),
        done=done,
    ) or _render_form(
        request,
        title=f"Nytt uppdrag {board.code} {year}",
        form=form,
        back=done,
        board=board,
        year=year,
    )


@require_http_methods(["GET", "POST"])
def assignment_edit(
    request: AuthenticatedHttpRequest, board_code: str, year: int, assignment_id: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    assignment = _assignment_of(request, board, year, assignment_id)
    initial = {"text": assignment.text, "note": assignment.note, "order": assignment.order}
    form = AssignmentForm(
        _posted(request),
        initial=initial,
        creating=False,
        may_create_common=False,
        needs_reason=_assignment_needs_reason(assignment, year),
    )
    done = _list_url(board, year)
    return _submitted(
        request,
        form,
        lambda data: services.update_assignment(
            user=request.user,
            assignment=assignment,
            year=year,
            **_args(data, "text", "note", "order", "reason"),
        ),
        done=done,
    ) or _render_form(
        request,
        title=f"Uppdrag ({assignment.get_scope_display()}, {board.code} {year})",
        form=form,
        back=done,
        board=board,
        year=year,
        **_row_notes(assignment, year),
        end_url=reverse("goals:structure_assignment_end", args=[board.code, year, assignment.pk]),
        end_label=f"Avsluta uppdraget från {year}",
    )


@require_http_methods(["GET", "POST"])
def assignment_end(
    request: AuthenticatedHttpRequest, board_code: str, year: int, assignment_id: int
) -> HttpResponse:
    board = _board_year(request, board_code, year)
    assignment = _assignment_of(request, board, year, assignment_id)
    return _end_page(
        request,
        board=board,
        year=year,
        needs=_assignment_needs_reason(assignment, year),
        end=lambda reason: services.end_assignment(
            user=request.user, assignment=assignment, year=year, reason=reason
        ),
        ended=ENDED.format(label=assignment, year=year),
        title=f"Avsluta uppdraget från {year}",
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
    done = _kf_url(year)
    # This page has shown only the saved message, not the service's notes (kept as it was).
    return _submitted(
        request,
        form,
        lambda data: (
            services.create_council_goal(
                user=request.user,
                valid_from=year,
                **_args(data, "goal_area", "valid_to", *GOAL_TEXTS),
            ).object
        ),
        done=done,
    ) or _render_form(request, title=f"Nytt kommunövergripande mål {year}", form=form, back=done)


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
    done = _kf_url(year)
    return _submitted(
        request,
        form,
        lambda data: services.update_council_goal(
            user=request.user, goal=goal, year=year, **_args(data, "goal_area", *GOAL_TEXTS)
        ),
        done=done,
    ) or _render_form(
        request,
        title=f"Kommunövergripande mål {goal.title} ({year})",
        form=form,
        back=done,
        year=year,
        **_row_notes(goal, year),
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
    done = _policy_url(year)
    return _submitted(
        request,
        form,
        lambda data: services.create_policy_document(
            user=request.user,
            valid_from=year,
            **_args(data, "municipality", "title", "description", "order", "valid_to"),
        ),
        done=done,
    ) or _render_form(request, title=f"Nytt prioriterat styrdokument {year}", form=form, back=done)


@require_http_methods(["GET", "POST"])
def policy_edit(request: AuthenticatedHttpRequest, year: int, policy_id: int) -> HttpResponse:
    _require_municipality_admin(request.user)
    document = PolicyDocument.objects.valid_in(year).filter(pk=policy_id).first()
    if document is None:
        raise Http404("Styrdokumentet finns inte det året.")
    needs = _needs_reason(
        services.municipality_boards(document.municipality_id), year, document.valid_to
    )
    initial = {
        "title": document.title,
        "description": document.description,
        "order": document.order,
    }
    form = PolicyDocumentForm(_posted(request), initial=initial, creating=False, needs_reason=needs)
    done = _policy_url(year)
    return _submitted(
        request,
        form,
        lambda data: services.update_policy_document(
            user=request.user, document=document, year=year, **_args(data, *GOAL_TEXTS)
        ),
        done=done,
    ) or _render_form(
        request,
        title=f"Styrdokument {document.title} ({year})",
        form=form,
        back=done,
        year=year,
        **_row_notes(document, year),
    )


# ---------------------------------------------------------------------------------------------
# Mandate periods (municipality-wide)


@require_http_methods(["GET", "POST"])
def mandate_periods(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_municipality_admin(request.user)
    form = MandatePeriodForm(
        _posted(request), initial={"municipality": Municipality.objects.first()}
    )
    response = _submitted(
        request,
        form,
        lambda data: services.create_mandate_period(
            user=request.user, **_args(data, "municipality", "first_year", "last_year")
        ),
        done=reverse("goals:structure_mandate_periods"),
    )
    if response is not None:
        return response
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
    done = reverse("goals:structure_mandate_periods")
    return _submitted(
        request,
        form,
        lambda data: services.update_mandate_period(
            user=request.user, period=period, **_args(data, "first_year", "last_year")
        ),
        done=done,
    ) or _render_form(request, title=str(period), form=form, back=done)
