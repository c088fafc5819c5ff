"""The rollover page: draft year N+1 from N for a board, review it, publish it (goals.rollover)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.types import AuthenticatedHttpRequest
from goals import rollover
from goals.access import Action, get_board_for_user, require

CONTINUE_FIELD = "fortsatter"
REVIEW_FIELD = "granska"  # the ticks were posted (none ticked is a choice too)
PUBLISH_FIELD = "publicera"  # the publish button; "Uppdatera förslaget" only redraws


@require_http_methods(["GET", "POST"])
def structure_rollover(
    request: AuthenticatedHttpRequest, board_code: str, year: int
) -> HttpResponse:
    """GET: the draft of year+1. POST: the draft with the posted ticks, or publish them."""
    board = get_board_for_user(request.user, board_code, Action.VIEW)
    require(request.user, Action.ADMINISTER, board)
    to_year = year + 1
    data = request.POST if request.method == "POST" else request.GET
    chosen = data.getlist(CONTINUE_FIELD) if REVIEW_FIELD in data else None
    context: dict = {"board": board, "from_year": year, "to_year": to_year}
    try:
        if request.method == "POST" and PUBLISH_FIELD in request.POST:
            result = rollover.publish_rollover(
                board=board, from_year=year, to_year=to_year, user=request.user, continue_ids=chosen
            )
            context.update(
                result=result,
                draft=result.draft,
                goal_tree=rollover.goal_tree_url(board, to_year),
            )
            return render(request, "goals/rollover/published.html", context)
        draft = rollover.draft_rollover(
            board=board, from_year=year, to_year=to_year, continue_ids=chosen
        )
    except ValidationError as refused:
        context["error"] = " ".join(refused.messages)
        return render(
            request,
            "goals/rollover/draft.html",
            context,
            status=400 if request.method == "POST" else 200,
        )
    context.update(
        draft=draft,
        period_note=(
            rollover.MANDATE_BOUNDARY if draft.new_period else rollover.WITHIN_PERIOD
        ).format(year=to_year, previous=year),
        continue_field=CONTINUE_FIELD,
        review_field=REVIEW_FIELD,
    )
    return render(request, "goals/rollover/draft.html", context)
