"""The overview of occasions (rapporteringstillfällen): a filtered, sortable table."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.lists import render_list
from goals.access import Action, boards_for, can
from goals.models import ReportingOccasion
from goals.periods import OccasionKind
from goals.selectors import send_back_notes
from indicators.entry import occasion_overview
from indicators.filters import OccasionFilter
from indicators.tables import OccasionTable

KIND_RANK = {kind: rank for rank, kind in enumerate(OccasionKind.values)}
STATE_RANK = {state: rank for rank, state in enumerate(ReportingOccasion.State.values)}


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Occasions of the user's boards: state, deadline and what is still missing."""
    occasions = ReportingOccasion.objects.filter(
        board__in=boards_for(request.user, Action.VIEW)
    ).select_related("board")
    years = sorted(set(occasions.values_list("year", flat=True)), reverse=True)
    filterset = OccasionFilter(request.GET, queryset=occasions, request=request, years=years)
    chosen = list(filterset.qs) if years else []
    # Board name last: boards share an order by default, and the database gives no order of its own.
    chosen.sort(
        key=lambda occasion: (KIND_RANK[occasion.kind], occasion.board.order, occasion.board.name)
    )
    rows = _rows(request, chosen)
    year = int(filterset.form.cleaned_data.get("ar") or 0) if filterset.is_valid() else 0
    return render_list(
        request,
        table=OccasionTable(rows),
        filterset=filterset,
        heading="Inrapportering av utfall",
        template="indicators/entry/overview.html",
        rows=rows,
        years=years,
        year=year,
    )


def _rows(request: HttpRequest, occasions: list[ReportingOccasion]) -> list[dict]:
    """One dict per occasion: its status and send-back note, and the keys the table sorts by."""
    statuses = occasion_overview(occasions)
    sent_back = send_back_notes(occasions)
    rows = []
    for status in statuses:
        occasion = status.occasion
        missing = len(status.missing_indicators)
        rows.append(
            {
                "occasion": occasion,
                "status": status,
                "send_back": sent_back.get(occasion.pk),
                "entry_url": reverse(
                    "indicators:entry_page",
                    args=[occasion.board.code, occasion.year, occasion.kind],
                ),
                "missing_count": status.missing_count,
                # Occasions without a deadline sort last (None cannot be compared with a date).
                "deadline_key": occasion.deadline or datetime.date.max,
                "missing_label": f"{missing} indikator" + ("" if missing == 1 else "er"),
                "board_order": occasion.board.order,
                "board_name": occasion.board.name,
                "kind_rank": KIND_RANK[occasion.kind],
                "state_rank": STATE_RANK[occasion.state],
                "can_enter": can(request.user, Action.ENTER, occasion.board_id),
                "can_approve": can(request.user, Action.APPROVE, occasion.board_id),
                "can_reopen": can(request.user, Action.ADMINISTER, occasion.board_id),
            }
        )
    return rows
