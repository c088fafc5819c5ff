"""The verksamhetsberättelse on screen (printable) and as .xlsx, whole or one table at a time.

Access: the board's nämndsekreterare, controllers, chefs and administrators (goals.access
Action.VIEW for the page, Action.EXPORT for the files); anyone else gets 404. A workbook is kept
with the report it was rendered from and rendered again only after the data changes.
`?per=ÅÅÅÅ-MM-DD` shows the report as it stood at the end of that day (the indicator figures
as their history stood then): what the report said on a given day.
"""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from core.types import AuthenticatedHttpRequest
from goals.access import Action, can, get_board_for_user
from goals.models import Board
from goals.periods import parse_day
from goals.selectors import end_of_day
from reports.freshness import cached, data_token
from reports.renderers.html import report_context
from reports.renderers.xlsx import XLSX_CONTENT_TYPE, render_xlsx
from reports.report import Report, build_report, get_report
from reports.report.data import report_years

NO_SUCH_YEAR = "Nämnden fanns inte det året."
NO_SUCH_TABLE = "Rapporten har ingen sådan tabell."
AS_OF_PARAMETER = "per"


class BadAsOf(ValueError):
    pass


def requested_as_of(request: AuthenticatedHttpRequest) -> datetime.date | None:
    """The day of `?per=ÅÅÅÅ-MM-DD`, None without one; BadAsOf for anything else."""
    text = request.GET.get(AS_OF_PARAMETER, "").strip()
    if not text:
        return None
    try:
        return parse_day(text, today=timezone.localdate())
    except ValueError as error:
        raise BadAsOf(str(error)) from None


def _report(board: Board, year: int, day: datetime.date | None, token: str) -> Report:
    if day is None:
        return get_report(board, year, token=token)
    return cached(
        f"report:{board.pk}:{year}:per:{day.isoformat()}",
        lambda: build_report(board, year, as_of=end_of_day(day)),
        token=token,
    )


def _cache_suffix(day: datetime.date | None) -> str:
    return f":per:{day.isoformat()}" if day is not None else ""


def board_of_year(
    request: AuthenticatedHttpRequest, board_code: str, year: int, action: Action
) -> Board:
    board = get_board_for_user(request.user, board_code, action)
    if not board.is_valid_in(year):
        raise Http404(NO_SUCH_YEAR)
    return board


def attachment_header(filename: str) -> str:
    """Content-Disposition for a download (an attachment always has a header value)."""
    return content_disposition_header(True, filename) or ""


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A download of a board's file: an attachment, never kept by a shared cache."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename)
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return file_response(content, XLSX_CONTENT_TYPE, filename)


def report_filename(board_code: str, year: int, table_key: str = "") -> str:
    suffix = f"-{table_key}" if table_key else ""
    return f"verksamhetsberattelse-{board_code}-{year}{suffix}.xlsx"


def report_page(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = board_of_year(request, board_code, year, Action.VIEW)
    try:
        day = requested_as_of(request)
        error = ""
    except BadAsOf as bad:
        day, error = None, str(bad)
    context = {
        **report_page_context(board, year, day),
        "as_of_day": day,
        "as_of_error": error,
        "as_of_text": request.GET.get(AS_OF_PARAMETER, "") if error else "",
        "may_write_texts": can(request.user, Action.WRITE_TEXTS, board),
    }
    return render(request, "reports/report.html", context, status=400 if error else 200)


def report_page_context(board: Board, year: int, day: datetime.date | None = None) -> dict:
    """The report page's tables as escaped HTML cells, kept like the report they come from
    (turning some two thousand cells into HTML took as long as rendering the template itself).
    The view and reports.warming both read it here, so their keys are one."""
    # One reading for the page and, when it is built, its report.
    token = data_token(boards=[board], years=report_years(year))
    return cached(
        f"report-page:{board.pk}:{year}{_cache_suffix(day)}",
        lambda: report_context(_report(board, year, day, token)),
        token=token,
    )


def report_xlsx(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = board_of_year(request, board_code, year, Action.EXPORT)
    try:
        day = requested_as_of(request)
    except BadAsOf as bad:
        return HttpResponseBadRequest(str(bad), content_type="text/plain; charset=utf-8")
    return xlsx_response(report_xlsx_content(board, year, day), report_filename(board.code, year))


def report_xlsx_content(board: Board, year: int, day: datetime.date | None = None) -> bytes:
    """The one-board workbook, rendered once per state of the data (with its report); the view
    and reports.warming both read it here, so their keys are one."""
    token = data_token(boards=[board], years=report_years(year))
    return cached(
        f"report-xlsx:{board.pk}:{year}{_cache_suffix(day)}",
        lambda: render_xlsx(_report(board, year, day, token)),
        token=token,
    )


def report_table_xlsx(
    request: AuthenticatedHttpRequest, board_code: str, year: int, table_key: str
) -> HttpResponse:
    board = board_of_year(request, board_code, year, Action.EXPORT)
    token = data_token(boards=[board], years=report_years(year))

    def build() -> bytes | None:
        try:
            return render_xlsx(get_report(board, year, token=token).select(table_key))
        except KeyError:
            return None

    content = cached(f"report-xlsx:{board.pk}:{year}:{table_key}", build, token=token)
    if content is None:
        raise Http404(NO_SUCH_TABLE)
    return xlsx_response(content, report_filename(board.code, year, table_key))
