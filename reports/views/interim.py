"""The delårsrapporter on screen (printable) and as .xlsx: delår 1 (30 april), delår 2 (31 augusti).

`/namnd/<nämnd>/<år>/delar1/` and `…/delar2/` (the URL's `document`), each with `….xlsx` (the
whole workbook). Access as for the verksamhetsberättelse (reports/views/report.py): Action.VIEW
for the page, Action.EXPORT for the file, 404 otherwise, for a year the board did not exist and
for a year without that delår's occasion (a Swedish page saying so). A report is built once per
state of the data (reports.freshness.cached), so the page and its download share it.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.types import AuthenticatedHttpRequest
from goals.access import Action, can
from goals.models import Board, DocumentKind, ReportingOccasion
from reports.freshness import cached, data_token
from reports.renderers.html import report_context
from reports.renderers.xlsx import render_xlsx
from reports.report.data import report_years
from reports.report.documents import build_document
from reports.report.model import Report
from reports.views.report import board_of_year, xlsx_response

NO_OCCASION = (
    "{board} har inget uppföljningstillfälle {occasion} {year}, så det finns ingen {document}."
)
DOCUMENT_NAMES = {DocumentKind.DELAR1: "delårsrapport 1", DocumentKind.DELAR2: "delårsrapport 2"}
URL_NAMES = {DocumentKind.DELAR1: "reports:delar1", DocumentKind.DELAR2: "reports:delar2"}


def get_interim(board: Board, year: int, document: DocumentKind, *, token: str) -> Report:
    return cached(
        f"interim:{document}:{board.pk}:{year}",
        lambda: build_document(board, year, document),
        token=token,
    )


def _checked(
    request: AuthenticatedHttpRequest, board_code: str, year: int, document: str, action: Action
) -> tuple[Board, DocumentKind, HttpResponse | None]:
    """The board and document; with a 404 page when the board has no such occasion that year."""
    board = board_of_year(request, board_code, year, action)
    kind = DocumentKind(document)
    occasion = kind.occasion_kind
    assert occasion is not None  # the URLs name only the delårsrapporter
    if ReportingOccasion.objects.filter(board=board, year=year, kind=occasion).exists():
        return board, kind, None
    message = NO_OCCASION.format(
        board=board.name,
        occasion=occasion.label.lower(),
        year=year,
        document=DOCUMENT_NAMES[kind],
    )
    response = render(
        request,
        "reports/interim_not_found.html",
        {"message": message, "board": board, "year": year},
        status=404,
    )
    return board, kind, response


def filename(board: Board, year: int, document: DocumentKind) -> str:
    return f"{document.value}-{board.code}-{year}.xlsx"


@require_safe
def interim_page(
    request: AuthenticatedHttpRequest, board_code: str, year: int, document: str
) -> HttpResponse:
    board, kind, not_found = _checked(request, board_code, year, document, Action.VIEW)
    if not_found is not None:
        return not_found
    # One reading for the page and, when it is built, its report.
    token = data_token(boards=[board], years=report_years(year))
    context = cached(
        f"interim-page:{kind}:{board.pk}:{year}",
        lambda: report_context(get_interim(board, year, kind, token=token)),
        token=token,
    )
    return render(
        request,
        "reports/interim.html",
        {
            **context,
            "xlsx_url": reverse(f"{URL_NAMES[kind]}_xlsx", args=[board.code, year]),
            "other_documents": [
                (other.label, reverse(URL_NAMES[other], args=[board.code, year]))
                for other in URL_NAMES
                if other != kind
            ],
            "may_write_texts": can(request.user, Action.WRITE_TEXTS, board),
        },
    )


@require_safe
def interim_xlsx(
    request: AuthenticatedHttpRequest, board_code: str, year: int, document: str
) -> HttpResponse:
    board, kind, not_found = _checked(request, board_code, year, document, Action.EXPORT)
    if not_found is not None:
        return not_found
    token = data_token(boards=[board], years=report_years(year))
    content = cached(
        f"interim-xlsx:{kind}:{board.pk}:{year}",
        lambda: render_xlsx(get_interim(board, year, kind, token=token)),
        token=token,
    )
    return xlsx_response(content, filename(board, year, kind))
