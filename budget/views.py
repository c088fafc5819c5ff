"""Budget pages: the overview of a board's year and the entry of forecasts and bokslut."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from budget import tables
from budget.forms import (
    OUTCOME_POINT,
    AmountEntryForm,
    amount_field,
    entry_points,
    parse_point,
)
from budget.models import AmountKind, forecast_label, locking_occasion
from budget.services import AmountErrors, save_line_amounts
from core.types import AuthenticatedHttpRequest
from goals.access import Action, can, get_board_for_user
from goals.periods import MONTH_NAMES

DEFAULT_POINT = "augusti"
SAVED = "Sparat: {changed} belopp ändrade."
NOTHING_CHANGED = "Inget belopp ändrades."
FORM_ERRORS = "Inget sparades. Rätta de markerade fälten; allt du skrev finns kvar."

YEARS = range(2000, 2100)


def _check_year(year: int) -> None:
    if year not in YEARS:
        raise Http404("Året finns inte.")


def overview(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    """Ekonomi, driftsammandrag, prognoser and investeringar of one board and year."""
    _check_year(year)
    board = get_board_for_user(request.user, board_code, Action.VIEW)
    investments = tables.investments(board, year)
    operations = tables.operating_summary(board, year)
    context = {
        "board": board,
        "year": year,
        "economy": tables.economy_summary(
            board, year, operations=operations, investment_table=investments
        ),
        "operations": operations,
        "forecasts": tables.forecasts(board, year),
        "investments": investments,
        "investment_groups": [
            ("Färdigställda projekt", investments.completed, investments.completed_sum),
            ("Pågående projekt", investments.ongoing, investments.ongoing_sum),
        ],
        "can_enter": can(request.user, Action.ENTER, board),
    }
    return render(request, "budget/overview.html", context)


def entry(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    """A controller enters one forecast date or the bokslut for every line of the board."""
    _check_year(year)
    board = get_board_for_user(request.user, board_code, Action.ENTER)
    point = request.POST.get("tidpunkt") or request.GET.get("tidpunkt") or DEFAULT_POINT
    parsed = parse_point(point)
    if parsed is None:
        raise Http404("Okänd tidpunkt.")
    kind, month = parsed
    rows = tables.entry_rows(board, year, kind, month)
    locked = locking_occasion([(board.pk, year, kind, month)])

    if request.method == "POST" and locked is None:
        form = AmountEntryForm(rows, data=request.POST)
        if form.is_valid():
            try:
                result = save_line_amounts(
                    board=board,
                    year=year,
                    kind=kind,
                    month=month,
                    inputs=form.inputs(),
                    user=request.user,
                )
            except AmountErrors as errors:
                for line_id, message in errors.by_line.items():
                    form.add_error(amount_field(line_id) if line_id else None, message)
            else:
                messages.success(
                    request,
                    SAVED.format(changed=result.changed) if result.changed else NOTHING_CHANGED,
                )
                url = reverse("budget:budget_entry", args=[board.code, year])
                return redirect(f"{url}?tidpunkt={point}")
        if form.errors:
            messages.error(request, FORM_ERRORS)
    else:
        form = AmountEntryForm(rows)

    if kind == AmountKind.OUTCOME or month is None:
        heading = f"Bokslut {year}"
    else:
        heading = f"Prognos {forecast_label(year, month)} {year}"
    return render(
        request,
        "budget/entry.html",
        {
            "board": board,
            "year": year,
            "form": form,
            "point": point,
            "points": entry_points(year),
            "heading": heading,
            "locked": locked,
            "is_outcome": point == OUTCOME_POINT,
            "month_name": MONTH_NAMES[month] if month else "",
        },
    )


def plan(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    """Internbudget `year`: Budget and Plan year+1 … year+5 with the specification of changes."""
    _check_year(year)
    board = get_board_for_user(request.user, board_code, Action.VIEW)
    table = tables.plan(board, year)
    notes = list(dict.fromkeys(row.note for row in table.rows if row.note))
    return render(
        request,
        "budget/plan.html",
        {"board": board, "year": year, "plan": table, "notes": notes},
    )
