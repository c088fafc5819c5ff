"""The administrator's structure pages, indicator side: the year's goal tree as an editable
tree (målområde → KF-mål → nämndmål → indikatorer och delindikatorer), and the indicator form
with its breakdowns and the two-year target grid.

Views are thin: the board through `get_board_for_user(…, Action.ADMINISTER)` (404 outside the
user's roles), one call to `indicators.structure_services`, render. The reads below choose
their joins, so every page runs the same number of queries whatever the tree's size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.types import AuthenticatedHttpRequest
from goals.access import Action, boards_for, get_board_for_user, on_every_board
from goals.models import Board, BoardGoal
from goals.structure import goal_structure
from indicators.forms_structure import (
    BreakdownForm,
    EndForm,
    IndicatorForm,
    TargetGridForm,
    VolumeCategoryForm,
)
from indicators.models import (
    Breakdown,
    Indicator,
    IndicatorBreakdown,
    Target,
    target_year_allowed,
)
from indicators.structure_services import (
    Saved,
    TargetErrors,
    approved_occasion_for,
    breakdown_row,
    create_indicator,
    definition_of,
    end_indicator,
    save_targets,
    set_breakdowns,
    update_indicator,
)

SAVED_INDICATOR = "Indikatorn ”{name}” är sparad för år {year}."
SAVED_BREAKDOWNS = "Uppdelningarna är sparade från år {year}."
ENDED = "Indikatorn ”{name}” gäller till och med år {year}."
SAVED_TARGETS = "Målvärdena för {year} och {next} är sparade."
NOTHING_CHANGED = "Inget ändrades."
SPLIT_NOTE = "Ändringen gäller från år {year}; tidigare år behåller indikatorn som den var."
CORRECTED = "Rättelsen av ett godkänt år är registrerad med din motivering."
FORM_ERRORS = "Inget sparades. Rätta felen vid fälten."

# The first year the chooser offers (before it, no board had a structure in Styrkort).
FIRST_YEAR = 2019


def _structure_url(board: Board, year: int) -> str:
    return reverse("indicators:structure_tree", args=[board.code, year])


def _edit_url(board: Board, year: int, indicator: Indicator) -> str:
    return reverse("indicators:structure_indicator_edit", args=[board.code, year, indicator.pk])


def _board(request: AuthenticatedHttpRequest, board_code: str) -> Board:
    return get_board_for_user(request.user, board_code, Action.ADMINISTER)


# ---------------------------------------------------------------------------------------------
# Reads


@dataclass
class IndicatorNode:
    indicator: Indicator
    rows: list[dict[str, Any]] = field(default_factory=list)  # breakdown, target N, target N+1
    children: list[IndicatorNode] = field(default_factory=list)


@dataclass
class GoalNode:
    goal: BoardGoal
    indicators: list[IndicatorNode] = field(default_factory=list)


def _year_links(indicator_ids: list[int], first: int, last: int) -> list[IndicatorBreakdown]:
    return list(
        IndicatorBreakdown.objects.valid_between(first, last)
        .filter(indicator_id__in=indicator_ids)
        .select_related("breakdown__org_unit")
        .order_by("order", "pk")
    )


def _parts_in(links: list[IndicatorBreakdown], year: int, total: Breakdown) -> list[Breakdown]:
    """The breakdowns an indicator's `links` report in the year; without links the total only."""
    parts = [link.breakdown for link in links if link.is_valid_in(year)]
    return parts or [total]


def tree_for(board: Board, year: int) -> dict[str, Any]:
    """The year's tree with each indicator's breakdowns and targets for N and N+1 (7 queries)."""
    areas = goal_structure(board, year)
    indicators = list(Indicator.objects.valid_in(year).filter(board=board).order_by("order", "pk"))
    ids = [indicator.pk for indicator in indicators]
    # Each indicator's links, grouped once: not every link scanned again for every indicator.
    links: dict[int, list[IndicatorBreakdown]] = defaultdict(list)
    for link in _year_links(ids, year, year):
        links[link.indicator_id].append(link)
    total = breakdown_row()
    targets: dict[tuple[int, int, int], Target] = {}
    by_id = {indicator.pk: indicator for indicator in indicators}
    for target in Target.objects.filter(indicator_id__in=ids, year__in=[year, year + 1]):
        target.indicator = by_id[target.indicator_id]
        targets[(target.indicator_id, target.year, target.breakdown_id)] = target
    nodes = {}
    for indicator in indicators:
        node = IndicatorNode(indicator)
        for part in _parts_in(links[indicator.pk], year, total):
            node.rows.append(
                {
                    "breakdown": part,
                    "this_year": targets.get((indicator.pk, year, part.pk)),
                    "next_year": targets.get((indicator.pk, year + 1, part.pk)),
                }
            )
        nodes[indicator.pk] = node
    goal_nodes: dict[int, GoalNode] = {}
    tree = []
    for area in areas:
        council = []
        for council_node in area.council_goals:
            goals = []
            for goal in council_node.board_goals:
                goal_nodes[goal.pk] = GoalNode(goal)
                goals.append(goal_nodes[goal.pk])
            council.append({"goal": council_node.goal, "board_goals": goals})
        tree.append({"area": area.area, "council_goals": council})
    volume: dict[str, list[IndicatorNode]] = defaultdict(list)
    misplaced = []
    for indicator in indicators:
        node = nodes[indicator.pk]
        if indicator.parent_id is not None and indicator.parent_id in nodes:
            nodes[indicator.parent_id].children.append(node)
        elif indicator.category != Indicator.Category.GOAL:
            volume[indicator.category].append(node)
        elif indicator.board_goal_id in goal_nodes:
            goal_nodes[indicator.board_goal_id].indicators.append(node)
        else:
            misplaced.append(node)
    return {
        "tree": tree,
        "volume": [
            {"label": Indicator.Category(category).label, "indicators": volume[category]}
            for category in (Indicator.Category.VOLUME, Indicator.Category.STAFF)
        ],
        "misplaced": misplaced,
    }


# ---------------------------------------------------------------------------------------------
# Pages


@require_GET
def structure_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The boards the user administers, each with its years (to the year after this one)."""
    boards = list(boards_for(request.user, Action.ADMINISTER).order_by("order", "name"))
    latest_goal = dict(
        BoardGoal.objects.filter(board__in=[board.pk for board in boards])
        .values_list("board")
        .annotate(last=Max("valid_from"))
        .values_list("board", "last")
    )
    this_year = datetime.date.today().year
    rows = []
    for board in boards:
        last = max(this_year + 1, latest_goal.get(board.pk) or 0)
        if board.valid_to is not None:
            last = min(last, board.valid_to)
        first = max(board.valid_from, FIRST_YEAR)
        rows.append({"board": board, "years": list(range(last, first - 1, -1))})
    return render(request, "indicators/structure/index.html", {"rows": rows})


@require_GET
def structure_tree(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board(request, board_code)
    context = tree_for(board, year)
    context.update(
        board=board,
        year=year,
        next_year=year + 1,
        approved=approved_occasion_for(board, year),
        kolada_admin=on_every_board(request.user, Action.ADMINISTER),  # the Kolada pages' right
    )
    return render(request, "indicators/structure/tree.html", context)


def _show_saved(request: AuthenticatedHttpRequest, message: str, saved: Saved) -> None:
    messages.success(request, message)
    if saved.corrections:
        messages.info(request, CORRECTED)


def _indicator_page(
    request: AuthenticatedHttpRequest, board: Board, year: int, status: int, **context: Any
) -> HttpResponse:
    """The indicator form page (create or edit) of the board and year."""
    return render(
        request,
        "indicators/structure/indicator_form.html",
        {"board": board, "year": year, "approved": approved_occasion_for(board, year), **context},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def indicator_create(
    request: AuthenticatedHttpRequest, board_code: str, year: int, goal_id: int | None = None
) -> HttpResponse:
    """A new indicator under a nämndmål of the year, or (without a goal) a volume/staff measure."""
    board = _board(request, board_code)
    goal = None
    if goal_id is not None:
        goal = BoardGoal.objects.valid_in(year).filter(board=board, pk=goal_id).first()
        if goal is None:
            raise Http404("Nämndmålet finns inte för nämnden det året.")
    category_form = VolumeCategoryForm(request.POST or None) if goal is None else None
    category = (
        Indicator.Category.GOAL
        if goal is not None
        else (request.POST.get("category") or Indicator.Category.VOLUME)
    )
    if category not in (Indicator.Category.VOLUME, Indicator.Category.STAFF, "namndindikator"):
        category = Indicator.Category.VOLUME
    data = request.POST or None
    form = IndicatorForm(data, board=board, year=year, category=category, board_goal=goal)
    parent_id = request.GET.get("delindikator_till", "")
    if goal is not None and parent_id.isdigit() and "parent" in form.fields:
        form.initial["parent"] = int(parent_id)  # offered only if it is one of the goal's
    breakdowns = BreakdownForm(data, board=board, year=year, prefix="uppdelning")
    status = 200
    if request.method == "POST":
        valid = form.is_valid() & breakdowns.is_valid()
        if category_form is not None:
            valid = category_form.is_valid() and valid
        if valid:
            changes = form.changes()
            try:
                saved = _create_with_breakdowns(
                    request,
                    board=board,
                    year=year,
                    category=category,
                    changes=changes,
                    reason=form.cleaned_data["reason"],
                    breakdowns=breakdowns,
                )
            except ValidationError as error:
                _errors_to(form, error)
            else:
                indicator = saved.object
                _show_saved(request, SAVED_INDICATOR.format(name=indicator.name, year=year), saved)
                return redirect(_edit_url(board, year, indicator))
        messages.error(request, FORM_ERRORS)
        status = 400
    return _indicator_page(
        request,
        board,
        year,
        status,
        goal=goal,
        form=form,
        category_form=category_form,
        breakdowns=breakdowns,
    )


def _create_with_breakdowns(
    request: AuthenticatedHttpRequest,
    *,
    board: Board,
    year: int,
    category: str,
    changes: dict[str, Any],
    reason: str,
    breakdowns: BreakdownForm,
) -> Saved:
    """One transaction: the indicator and its breakdowns (the create form holds both)."""
    with transaction.atomic():
        saved = create_indicator(
            user=request.user, board=board, year=year, category=category, reason=reason, **changes
        )
        try:
            split = set_breakdowns(
                user=request.user,
                indicator=saved.object,
                year=year,
                reason=reason,
                **breakdowns.chosen(),
            )
        except ValidationError as error:
            _errors_to(breakdowns, error)
            raise
        saved.corrections += split.corrections
    return saved


def _errors_to(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _edit_context(board: Board, year: int, indicator: Indicator) -> dict[str, Any]:
    links = _year_links([indicator.pk], year, year + 1)
    current = [link.breakdown for link in links if link.is_valid_in(year)]
    cells = []
    total = breakdown_row()
    for cell_year in (year, year + 1):
        if target_year_allowed(indicator, cell_year):
            cells += [(cell_year, part) for part in _parts_in(links, cell_year, total)]
    stored = {}
    for target in Target.objects.filter(indicator=indicator, year__in=[year, year + 1]):
        target.indicator = indicator
        stored[(target.year, target.breakdown_id)] = target
    note = definition_of(indicator)
    return {
        "current": current,
        "cells": cells,
        "stored": stored,
        "definition": note.text if note is not None else "",
    }


@require_http_methods(["GET", "POST"])
def indicator_edit(
    request: AuthenticatedHttpRequest, board_code: str, year: int, pk: int
) -> HttpResponse:
    """The indicator's definition, its breakdowns from the year on, and its targets N and N+1.

    Three forms, each saved on its own (`action`): a change of one never loses the others' input
    on a refusal, since only the refused form is shown with what was typed.
    """
    board = _board(request, board_code)
    indicator = (
        Indicator.objects.valid_in(year)
        .filter(board=board, pk=pk)
        .select_related("board_goal", "parent")
        .first()
    )
    if indicator is None:
        raise Http404("Indikatorn finns inte för nämnden det året.")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    known = _edit_context(board, year, indicator)
    form = IndicatorForm(
        request.POST if action == "indikator" else None,
        board=board,
        year=year,
        indicator=indicator,
        board_goal=indicator.board_goal,
        definition=known["definition"],
    )
    breakdowns = BreakdownForm(
        request.POST if action == "uppdelning" else None,
        board=board,
        year=year,
        current=known["current"],
        prefix="uppdelning",
    )
    grid = TargetGridForm(
        request.POST if action == "malvarden" else None,
        indicator=indicator,
        cells=known["cells"],
        stored=known["stored"],
        prefix="mal",
    )
    end = EndForm(
        request.POST if action == "avsluta" else None,
        initial={"last_year": year - 1 if indicator.valid_from < year else year},
        prefix="avsluta",
    )
    forms_by_action = {"indikator": form, "uppdelning": breakdowns, "avsluta": end}
    status = 200
    if request.method == "POST":
        try:
            if action == "avsluta":
                target = _end(request, board, year, indicator, end)
            else:
                target = _save_edit(request, board, year, indicator, action, form, breakdowns, grid)
        except ValidationError as error:
            if isinstance(error, TargetErrors):
                grid.add_cell_errors(error.cells)
            else:
                _errors_to(forms_by_action.get(action, grid), error)
            target = None
        if target is not None:
            return redirect(target)
        messages.error(request, FORM_ERRORS)
        status = 400
    return _indicator_page(
        request,
        board,
        year,
        status,
        goal=indicator.board_goal,
        indicator=indicator,
        form=form,
        breakdowns=breakdowns,
        grid=grid,
        end=end,
        next_year=year + 1,
    )


def _end(
    request: AuthenticatedHttpRequest, board: Board, year: int, indicator: Indicator, end: EndForm
) -> str | None:
    if not end.is_valid():
        return None
    last_year = end.cleaned_data["last_year"]
    saved = end_indicator(
        user=request.user,
        indicator=indicator,
        last_year=last_year,
        reason=end.cleaned_data["reason"],
    )
    _show_saved(request, ENDED.format(name=indicator.name, year=last_year), saved)
    return _structure_url(board, year)


def _save_edit(
    request: AuthenticatedHttpRequest,
    board: Board,
    year: int,
    indicator: Indicator,
    action: str,
    form: IndicatorForm,
    breakdowns: BreakdownForm,
    grid: TargetGridForm,
) -> str | None:
    """Save the posted form through its service; the URL to go to, or None when refused."""
    if action == "indikator" and form.is_valid():
        changes = form.changes()
        definition = changes.pop("definition")
        saved = update_indicator(
            user=request.user,
            indicator=indicator,
            year=year,
            changes=changes,
            definition=definition,
            reason=form.cleaned_data["reason"],
        )
        if not saved.changed:
            messages.info(request, NOTHING_CHANGED)
        else:
            _show_saved(request, SAVED_INDICATOR.format(name=saved.object.name, year=year), saved)
            if saved.object.pk != indicator.pk:
                messages.info(request, SPLIT_NOTE.format(year=year))
        return _edit_url(board, year, saved.object)
    if action == "uppdelning" and breakdowns.is_valid():
        saved = set_breakdowns(
            user=request.user,
            indicator=indicator,
            year=year,
            reason=breakdowns.cleaned_data["reason"],
            **breakdowns.chosen(),
        )
        if saved.changed:
            _show_saved(request, SAVED_BREAKDOWNS.format(year=year), saved)
        else:
            messages.info(request, NOTHING_CHANGED)
        return _edit_url(board, year, indicator)
    if action == "malvarden" and grid.is_valid():
        saved = save_targets(
            user=request.user,
            indicator=indicator,
            year=year,
            rows=grid.rows(),
            reason=grid.cleaned_data["reason"],
        )
        if saved.changed:
            _show_saved(request, SAVED_TARGETS.format(year=year, next=year + 1), saved)
        else:
            messages.info(request, NOTHING_CHANGED)
        return _edit_url(board, year, indicator)
    return None
