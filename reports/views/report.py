"""The verksamhetsberättelse on screen (printable) and as .xlsx, whole or one table at a time.

Access: the board's nämndsekreterare, controllers, chefs and administrators (goals.access
Action.VIEW for the page, Action.EXPORT for the files); anyone else gets 404. A workbook is kept
with the report it was rendered from and rendered again only after the data changes.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from core.types import AuthenticatedHttpRequest
from goals.access import Action, get_board_for_user
from goals.models import Board
from reports.freshness import cached, data_token
from reports.renderers.html import report_context
from reports.renderers.xlsx import XLSX_CONTENT_TYPE, render_xlsx
from reports.report import get_report

NO_SUCH_YEAR = "Nämnden fanns inte det året."
NO_SUCH_TABLE = "Rapporten har ingen sådan tabell."


def _board(request: AuthenticatedHttpRequest, board_code: str, year: int, action: Action) -> Board:
    board = get_board_for_user(request.user, board_code, action)
    if not board.is_valid_in(year):
        raise Http404(NO_SUCH_YEAR)
    return board


def attachment_header(filename: str) -> str:
    """Content-Disposition for a download (an attachment always has a header value)."""
    return content_disposition_header(True, filename) or ""


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename)
    response["Cache-Control"] = "private, no-store"
    return response


def report_filename(board_code: str, year: int, table_key: str = "") -> str:
    suffix = f"-{table_key}" if table_key else ""
    return f"verksamhetsberattelse-{board_code}-{year}{suffix}.xlsx"


def report_page(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board(request, board_code, year, Action.VIEW)
    # The page's tables as escaped HTML cells, kept like the report they come from: turning
    # some two thousand cells into HTML took as long as rendering the template itself.
    token = data_token()  # one reading for the page and, when it is built, its report
    context = cached(
        f"report-page:{board.pk}:{year}",
        lambda: report_context(get_report(board, year, token=token)),
        token=token,
    )
    return render(request, "reports/report.html", context)


def report_xlsx(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = _board(request, board_code, year, Action.EXPORT)
    token = data_token()
    content = cached(
        f"report-xlsx:{board.pk}:{year}",
        lambda: render_xlsx(get_report(board, year, token=token)),
        token=token,
    )
    return _xlsx_response(content, report_filename(board.code, year))


def report_table_xlsx(
    request: AuthenticatedHttpRequest, board_code: str, year: int, table_key: str
) -> HttpResponse:
    board = _board(request, board_code, year, Action.EXPORT)
    token = data_token()

    def build() -> bytes | None:
        try:
            return render_xlsx(get_report(board, year, token=token).select(table_key))
        except KeyError:
            return None

    content = cached(f"report-xlsx:{board.pk}:{year}:{table_key}", build, token=token)
    if content is None:
        raise Http404(NO_SUCH_TABLE)
    return _xlsx_response(content, report_filename(board.code, year, table_key))
