"""The administrator's Kolada pages (/kolada/…): the municipality's code, each board's peer
group and indicator-to-KPI links, and the revisions Kolada made between imports.

Only an administrator of every board reaches them (others get 404, logged): the KPI list and
the groups belong to the municipality. Views are thin: the right, one service or read, render.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.lists import render_list
from core.security import SecurityEvent, log_security_event
from goals.access import Action, on_every_board
from goals.models import Board, Municipality
from indicators.kolada.lists import RevisionFilter, RevisionTable, revisions
from indicators.kolada.mapping import (
    SEARCH_TOO_SHORT,
    link_indicator,
    search_kpis,
    set_municipality_code,
    set_peer_group,
    unlink_indicator,
)
from indicators.models import (
    Indicator,
    KoladaGroup,
    KoladaImport,
    KoladaKpi,
    KoladaLink,
    KoladaPeerGroup,
)

NOT_ADMINISTRATOR = "Sidan finns inte eller så saknar du behörighet."
LINKED = "”{name}” jämförs nu med {kpi} i Kolada."
UNLINKED = "”{name}” jämförs inte längre med Kolada."
GROUP_SAVED = "{board} jämförs nu med {group}."
GROUP_REMOVED = "{board} har ingen jämförelsegrupp längre."
CODE_SAVED = "Kolada-koden för {municipality} är sparad."
LAST_IMPORTS = 10


def _require_administrator(request: HttpRequest) -> None:
    if not on_every_board(request.user, Action.ADMINISTER):
        log_security_event(SecurityEvent.ACCESS_DENIED, user=request.user, action="kolada")
        raise Http404(NOT_ADMINISTRATOR)


def _board(request: HttpRequest, board_code: str) -> Board:
    _require_administrator(request)
    return get_object_or_404(Board.objects.select_related("municipality"), code=board_code)


def _board_indicator(board: Board, year: int, indicator_id: int) -> Indicator:
    indicator = Indicator.objects.valid_in(year).filter(board=board, pk=indicator_id).first()
    if indicator is None:
        raise Http404("Indikatorn finns inte för nämnden det året.")
    return indicator


def _first_error(error: ValidationError) -> str:
    return error.messages[0]


@require_GET
def kolada_index(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    this_year = datetime.date.today().year
    boards = list(Board.objects.order_by("order", "name"))
    groups = dict(KoladaPeerGroup.objects.values_list("board_id", "group__title"))
    rows = []
    for board in boards:
        last = this_year if board.valid_to is None else min(this_year, board.valid_to)
        years = list(range(last, max(board.valid_from, last - 4) - 1, -1))
        rows.append({"board": board, "years": years, "group": groups.get(board.pk, "")})
    context = {
        "rows": rows,
        "municipalities": list(Municipality.objects.order_by("name")),
        "kpi_count": KoladaKpi.objects.count(),
    }
    return render(request, "indicators/kolada/index.html", context)


@require_POST
def municipality_code(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    chosen = request.POST.get("municipality", "")
    if not chosen.isdigit():
        raise Http404("Kommunen finns inte.")
    municipality = get_object_or_404(Municipality, pk=int(chosen))
    try:
        set_municipality_code(
            user=request.user, municipality=municipality, code=request.POST.get("code", "")
        )
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        messages.success(request, CODE_SAVED.format(municipality=municipality.name))
    return redirect("indicators:kolada_index")


@require_GET
def board_links(request: HttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board(request, board_code)
    indicators = list(
        Indicator.objects.valid_in(year)
        .filter(board=board)
        .select_related("board_goal", "parent", "kolada_link__kpi")
        .order_by("board_goal__order", "parent__order", "order", "pk")
    )
    rows = [{"indicator": item, "link": getattr(item, "kolada_link", None)} for item in indicators]
    peer_group = KoladaPeerGroup.objects.filter(board=board).select_related("group").first()
    context = {"board": board, "year": year, "rows": rows, "peer_group": peer_group}
    return render(request, "indicators/kolada/links.html", context)


@require_http_methods(["GET", "POST"])
def link_edit(request: HttpRequest, board_code: str, year: int, indicator_id: int) -> HttpResponse:
    board = _board(request, board_code)
    indicator = _board_indicator(board, year, indicator_id)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "unlink":
                unlink_indicator(user=request.user, indicator=indicator)
                messages.success(request, UNLINKED.format(name=indicator.name))
            else:
                linked = link_indicator(
                    user=request.user, indicator=indicator, kpi_id=request.POST.get("kpi", "")
                )
                messages.success(request, LINKED.format(name=indicator.name, kpi=linked.kpi_id))
        except ValidationError as refused:
            error = _first_error(refused)
        else:
            return redirect("indicators:kolada_links", board_code=board.code, year=year)
    query = request.GET.get("q", "").strip()[:200]
    results: list = []
    search_error = ""
    if query:
        if len(query) < 2:
            search_error = SEARCH_TOO_SHORT
        else:
            results = list(search_kpis(query))
    link = KoladaLink.objects.filter(indicator=indicator).select_related("kpi").first()
    context = {
        "board": board,
        "year": year,
        "indicator": indicator,
        "link": link,
        "query": query,
        "results": results,
        "search_error": search_error,
        "error": error,
    }
    return render(
        request, "indicators/kolada/link_edit.html", context, status=400 if error else 200
    )


@require_http_methods(["GET", "POST"])
def peer_group(request: HttpRequest, board_code: str) -> HttpResponse:
    board = _board(request, board_code)
    error = ""
    if request.method == "POST":
        try:
            chosen = set_peer_group(
                user=request.user, board=board, group_id=request.POST.get("group", "")
            )
        except ValidationError as refused:
            error = _first_error(refused)
        else:
            if chosen is None:
                messages.success(request, GROUP_REMOVED.format(board=board.name))
            else:
                messages.success(
                    request, GROUP_SAVED.format(board=board.name, group=chosen.group.title)
                )
            return redirect("indicators:kolada_peer_group", board_code=board.code)
    current = KoladaPeerGroup.objects.filter(board=board).select_related("group").first()
    members = list(current.group.members.order_by("title")) if current else []
    context = {
        "board": board,
        "current": current,
        "members": members,
        "groups": list(KoladaGroup.objects.order_by("title")),
        "error": error,
    }
    return render(
        request, "indicators/kolada/peer_group.html", context, status=400 if error else 200
    )


@require_GET
def revision_list(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    filterset = RevisionFilter(request.GET, queryset=revisions(), request=request)
    return render_list(
        request,
        table=RevisionTable(filterset.qs),
        filterset=filterset,
        heading="Kolada-revideringar",
        template="indicators/kolada/revisions.html",
        imports=list(KoladaImport.objects.order_by("-started_at", "-pk")[:LAST_IMPORTS]),
    )
