"""The verksamhetsberättelse of every board the user may export, for one year, as one .xlsx.

Access: the boards are those of the user's roles with goals.access Action.EXPORT that existed
in the year (an administrator or a municipality-wide role gets all of them). A user without
any such board gets 404, as for a board outside the user's roles; so does a year in which
none of the user's boards existed.

The data token is read once and every board's report is built in one go
(reports.report.build.build_reports, the queries of one board), so every sheet shows the same
moment of the data; the whole file is kept until the data changes (reports.freshness).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from core.security import SecurityEvent, log_security_event
from core.types import AnyUser, AuthenticatedHttpRequest
from goals.access import Action, boards_for
from goals.models import Board
from reports.freshness import cached, data_token
from reports.renderers.xlsx_all import render_all_boards_xlsx
from reports.report.build import build_reports
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
    token = data_token()  # one reading for every board: the file shows one moment of the data

    def build() -> bytes:
        # Every board's report read together: the queries do not grow with the boards.
        return render_all_boards_xlsx(build_reports(boards, year), year)

    board_ids = ",".join(str(board.pk) for board in boards)
    content = cached(f"report-xlsx-all:{year}:{board_ids}", build, token=token)
    return xlsx_response(content, all_boards_filename(year))
