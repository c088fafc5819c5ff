"""List pages: every indicator the user may see, and every archived report copy."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from core.lists import render_list
from goals.access import Action, boards_for
from indicators.models import Indicator
from reports.filters import ArchivedReportFilter, IndicatorFilter
from reports.models import ArchivedReport
from reports.tables import ArchivedReportTable, IndicatorTable


@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    indicators = Indicator.objects.filter(
        board__in=boards_for(request.user, Action.VIEW)
    ).select_related("board", "board_goal__council_goal__goal_area")
    filterset = IndicatorFilter(request.GET, queryset=indicators, request=request)
    judged = filterset.judged()
    table = IndicatorTable(
        judged.indicators,
        judgements=judged.judgements,
        year=judged.year,
        off_target=judged.only_off_target,
    )
    heading = "Ej uppnådda mål" if judged.only_off_target else "Indikatorer"
    return render_list(request, table=table, filterset=filterset, heading=heading)


@require_GET
def archived_report_list(request: HttpRequest) -> HttpResponse:
    archives = (
        ArchivedReport.objects.filter(board__in=boards_for(request.user, Action.EXPORT))
        .without_content()
        .select_related("board", "created_by")
    )
    filterset = ArchivedReportFilter(request.GET, queryset=archives, request=request)
    return render_list(
        request,
        table=ArchivedReportTable(filterset.qs),
        filterset=filterset,
        heading="Arkiverade rapporter",
    )
