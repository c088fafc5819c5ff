"""The structure page of a board's plans for a year: `/struktur/<nämnd>/<år>/planer/`.

An administrator of the board (Action.ADMINISTER, 404 otherwise) sets each plan's decision
date, the cut-off its figures stand as of (goals.plan_services.save_board_plan writes). Each
kind has its own form on the page; a POST names its kind.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.types import AuthenticatedHttpRequest
from goals.access import Action, get_board_for_user
from goals.forms_plans import BoardPlanForm
from goals.models import Board, BoardPlan, PlanKind
from goals.plan_services import save_board_plan

SAVED = "Sparat: {label}."
NO_SUCH_YEAR = "Nämnden finns inte det året."
UNKNOWN_KIND = "Okänt slag av plan."


def _board_year(request: AuthenticatedHttpRequest, board_code: str, year: int) -> Board:
    board = get_board_for_user(request.user, board_code, Action.ADMINISTER)
    if not board.is_valid_in(year):
        raise Http404(NO_SUCH_YEAR)
    return board


@require_http_methods(["GET", "POST"])
def board_plans(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board_year(request, board_code, year)
    stored = {plan.kind: plan for plan in BoardPlan.objects.filter(board=board, year=year)}
    posted_kind = request.POST.get("kind", "") if request.method == "POST" else ""
    if request.method == "POST" and posted_kind not in PlanKind.values:
        raise Http404(UNKNOWN_KIND)
    forms = []
    for kind in PlanKind:
        plan = stored.get(kind.value)
        initial = {"decided_on": plan.decided_on, "decision": plan.decision} if plan else {}
        data = request.POST if kind.value == posted_kind else None
        form = BoardPlanForm(data, initial=initial, prefix=kind.value)
        if data is not None and form.is_valid():
            try:
                saved = save_board_plan(
                    board=board,
                    year=year,
                    kind=kind.value,
                    decided_on=form.cleaned_data["decided_on"],
                    decision=form.cleaned_data["decision"],
                    user=request.user,
                )
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    target = name if name in form.fields and name != NON_FIELD_ERRORS else None
                    form.add_error(target, errors)
            else:
                messages.success(request, SAVED.format(label=saved))
                return redirect(reverse("goals:structure_plans", args=[board.code, year]))
        forms.append((kind, form))
    return render(
        request,
        "goals/structure/plans.html",
        {"board": board, "year": year, "forms": forms},
    )
