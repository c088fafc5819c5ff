"""The verksamhetsberättelse of every board the user may export, for one year, as one .xlsx.

Access: the boards are those of the user's roles with goals.access Action.EXPORT that existed
in the year (an administrator or a municipality-wide role gets all of them). A user without
any such board gets 404, as for a board outside the user's roles; so does a year in which
none of the user's boards existed.

Every board's token is read in one query, so every sheet shows the same moment of the data.
A board's report is the copy its own pages use when one is built; the others are built together
in the queries of one board (reports.report.get_reports), so the queries do not grow with the
boards and a save in one board rebuilds only that board's sheet. The whole file is kept until
the data of one of its boards changes (reports.freshness).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from core.security import SecurityEvent, log_security_event
from core.types import AnyUser, AuthenticatedHttpRequest
from goals.access import Action, boards_for
from goals.models import Board
from reports.freshness import board_tokens, cached, combined_token
from reports.renderers.xlsx_all import render_all_boards_xlsx
from reports.report import get_reports
from reports.report.data import report_years
from reports.views.report import xlsx_response

NO_BOARDS = "Du saknar behörighet att ta ut nämndernas verksamhetsberättelser."
NO_BOARDS_IN_YEAR = "Ingen av dina nämnder fanns det året."


def export_boards(user: AnyUser, year: int) -> list[Board]:
    """The boards whose report the user may export for the year, by code; 404 if none."""
    boards = list(boards_for(user, Action.EXPORT).order_by("code"))
    if not boards:
        log_security_event(
            SecurityEvent.ACCESS_DENIED, user=user, board="alla", action=Action.EXPORT.value
        )
        raise Http404(NO_BOARDS)
    valid = [board for board in boards if board.is_valid_in(year)]
    if not valid:
        raise Http404(NO_BOARDS_IN_YEAR)
    return valid


def all_boards_filename(year: int) -> str:
    return f"verksamhetsberattelse-alla-namnder-{year}.xlsx"


@require_safe
def report_xlsx_all(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """One workbook: a contents sheet, then each board's whole report on a sheet of its own."""
    boards = export_boards(request.user, year)
    # One reading for every board: the file shows one moment of the data, and each board's
    # report is the copy its own pages use (a save in one board rebuilds only that report).
    tokens = board_tokens(boards, report_years(year))

    def build() -> bytes:
        return render_all_boards_xlsx(get_reports(boards, year, tokens=tokens), year)

    board_ids = ",".join(str(board.pk) for board in boards)
    content = cached(f"report-xlsx-all:{year}:{board_ids}", build, token=combined_token(tokens))
    return xlsx_response(content, all_boards_filename(year))
