"""Dashboards for chefer and politicians: the municipality overview, a board's goals, its economy.

Thin views: check access (404 outside the user's boards), read the filters, call a builder in
reports/dashboard/ (through reports.freshness.cached: built once per state of the data), render. With htmx the same view answers with only the content fragment.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from goals.access import Action, boards_for, get_board_for_user
from goals.models import Board, GoalArea
from reports import charts
from reports.dashboard.board import board_dashboard as build_board_dashboard
from reports.dashboard.comparison import board_panel
from reports.dashboard.economy import (
    economy_dashboard,
    economy_overview_chart,
    economy_tiles,
    economy_years,
)
from reports.dashboard.filters import DashboardFilterForm, default_year, year_bounds
from reports.dashboard.overview import board_summaries, overview_of, overview_years
from reports.dashboard.rows import history_years
from reports.freshness import board_tokens, cached, cached_each, combined_token

PAGES = {"dashboard": "reports:board_dashboard", "ekonomi": "reports:board_economy"}
BOARD_NOT_IN_YEAR = "Nämnden fanns inte det året."


def _wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The whole page, or with htmx only `<template>_content.html` and the URL to show."""
    if _wants_fragment(request):
        response = render(request, template.replace(".html", "_content.html"), context)
        response["HX-Push-Url"] = request.get_full_path()
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _visible_boards(request: HttpRequest) -> list[Board]:
    return list(boards_for(request.user, Action.VIEW).order_by("order", "name"))


def _board_in_year(request: HttpRequest, board_code: str, year: int) -> Board:
    board = get_board_for_user(request.user, board_code, Action.VIEW)
    if not board.is_valid_in(year):
        raise Http404(BOARD_NOT_IN_YEAR)
    return board


def _board_filter(
    request: HttpRequest, board: Board, year: int, *, with_goal_area: bool
) -> tuple[DashboardFilterForm, GoalArea | None]:
    boards = _visible_boards(request)
    first, last = year_bounds(boards)
    form = DashboardFilterForm(
        {"namnd": board.code, "ar": str(year), "malomrade": request.GET.get("malomrade", "")},
        boards=boards,
        years=(min(first, year), max(last, year)),
        with_goal_area=with_goal_area,
    )
    form.is_valid()
    _show_used_values(form)
    return form, form.cleaned_data.get("malomrade")


def _show_used_values(form: DashboardFilterForm, **used: str) -> None:
    """After a bad value the form shows what the page uses (the error message stays)."""
    data = dict(form.data)  # the views build the form from a dict
    for name in form.errors:
        data[name] = used.get(name, "")
    form.data = data


def municipality_overview(request: HttpRequest) -> HttpResponse:
    boards = _visible_boards(request)
    bounds = year_bounds(boards)
    year = default_year(boards)
    data = {"ar": request.GET.get("ar") or str(year), "malomrade": request.GET.get("malomrade", "")}
    form = DashboardFilterForm(data, boards=boards, years=bounds, with_board=False)
    form.is_valid()
    year = form.cleaned_data.get("ar", year)
    goal_area = form.cleaned_data.get("malomrade")
    _show_used_values(form, ar=str(year))

    shown = [board for board in boards if board.is_valid_in(year)]
    context = {
        "form": form,
        "year": year,
        "goal_area": goal_area,
        "has_boards": bool(boards),
        **overview_context(shown, year, goal_area=goal_area),
    }
    return _render(request, "reports/dashboard_overview.html", context)


def overview_context(shown: list[Board], year: int, *, goal_area: GoalArea | None = None) -> dict:
    """The overview's built part for these boards (in the order shown), built once per state
    of the data; the view and reports.warming both read it here, so their keys are one."""

    # One reading for every board: each board's summary is kept under its own token, so after
    # a save in one board only that board's summary is read again.
    tokens = board_tokens(shown, overview_years(year))
    area_key = goal_area.pk if goal_area else ""

    def build() -> dict:
        by_id = {board.pk: board for board in shown}
        summaries = cached_each(
            lambda board_id: f"overview-board:{board_id}:{year}:{area_key}",
            tokens,
            lambda ids: board_summaries([by_id[i] for i in ids], year, goal_area=goal_area),
        )
        overview = overview_of([summaries[board.pk] for board in shown], year, goal_area=goal_area)
        # Each summary in boards has its board; only the total row has none.
        names = [summary.board.name if summary.board else "" for summary in overview.boards]
        economy = economy_tiles(shown, year)
        context = {
            "year": year,
            "board_query": urlencode({"malomrade": goal_area.pk}) if goal_area else "",
            "overview": overview,
            "economy": economy,
            "economy_chart": economy_overview_chart(economy),
            "goal_chart": charts.stacked_status_chart(
                names, [s.goal_counts for s in overview.boards], axis_title="Antal nämndmål"
            ),
            "indicator_chart": charts.stacked_status_chart(
                names,
                [s.indicator_counts for s in overview.boards],
                axis_title="Antal indikatorer",
            ),
        }
        return {"boards_html": render_to_string("reports/dashboard_overview_boards.html", context)}

    board_ids = ",".join(str(board.pk) for board in shown)
    return cached(f"overview:{year}:{area_key}:{board_ids}", build, token=combined_token(tokens))


def board_dashboard(request: HttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board_in_year(request, board_code, year)
    form, goal_area = _board_filter(request, board, year, with_goal_area=True)
    context = {
        "form": form,
        "board": board,
        "year": year,
        "goal_area": goal_area,
        "page": "dashboard",
        **board_dashboard_context(board, year, goal_area=goal_area),
        "kolada": board_panel(board, year),
    }
    return _render(request, "reports/dashboard_board.html", context)


def board_dashboard_context(board: Board, year: int, *, goal_area: GoalArea | None = None) -> dict:
    """The board dashboard's built part, built once per state of the data; the view and
    reports.warming both read it here, so their keys are one."""

    def build() -> dict:
        dashboard = build_board_dashboard(board, year, goal_area=goal_area)
        context = {
            "board": board,
            "year": year,
            "goal_area": goal_area,
            "dashboard": dashboard,
            "economy_tile": economy_tiles([board], year)[0],
            "goal_chart": charts.status_chart(dashboard.goal_counts, title="Antal nämndmål"),
            "indicator_chart": charts.status_chart(
                dashboard.indicator_counts, title="Antal indikatorer"
            ),
        }
        # Drawn here, once, rather than by every request's template (see
        # reports.renderers.html.row_html for why a deep template loop costs so much).
        return {"goals_html": render_to_string("reports/dashboard_board_goals.html", context)}

    key = f"board-dashboard:{board.pk}:{year}:{goal_area.pk if goal_area else ''}"
    return cached(key, build, boards=[board], years=history_years(year))


def board_economy(request: HttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board_in_year(request, board_code, year)
    form, _ = _board_filter(request, board, year, with_goal_area=False)
    context = {
        "form": form,
        "board": board,
        "year": year,
        "economy": cached(
            f"economy:{board.pk}:{year}",
            lambda: economy_dashboard(board, year),
            boards=[board],
            years=economy_years(year),
        ),
        "page": "ekonomi",
    }
    return _render(request, "reports/dashboard_economy.html", context)


def board_dashboard_current(request: HttpRequest, board_code: str) -> HttpResponse:
    """The board's dashboard for the year being followed up now."""
    board = get_board_for_user(request.user, board_code, Action.VIEW)
    return redirect("reports:board_dashboard", board_code=board.code, year=default_year([board]))


def dashboard_select(request: HttpRequest) -> HttpResponse:
    """Where the filter form of a board page goes: redirects to the shareable URL it chose."""
    board = get_board_for_user(request.user, request.GET.get("namnd", ""), Action.VIEW)
    page = request.GET.get("sida", "dashboard")
    if page not in PAGES:
        page = "dashboard"
    try:
        year = int(request.GET.get("ar", ""))
    except ValueError:
        year = default_year([board])
    if not board.is_valid_in(year):
        year = default_year([board])
    url = reverse(PAGES[page], kwargs={"board_code": board.code, "year": year})
    goal_area = request.GET.get("malomrade", "")
    if page == "dashboard" and goal_area.isdigit():
        url += "?" + urlencode({"malomrade": goal_area})
    return redirect(url)
