"""A board's document as the board decides on it: Word (.docx) and accessible PDF.

`namnd/AN/2022/verksamhetsberattelse.docx` (or .pdf), for every goals.models.DocumentKind;
built with reports.report.documents.build_document and kept, like the workbooks, for exactly
the data it was built from (reports.freshness.cached): the report, its .docx and its PDF each
once per data state. Access is Action.EXPORT on the board; anyone else gets 404.

A PDF needs LibreOffice on the server (reports.renderers.pdf): when it is missing or the
conversion fails, the answer is a 503 page that says so in Swedish and offers the .docx.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.types import AuthenticatedHttpRequest
from goals.access import Action
from goals.models import Board, DocumentKind
from reports.freshness import cached, data_token
from reports.renderers.docx import DOCX_CONTENT_TYPE, render_docx
from reports.renderers.pdf import PDF_CONTENT_TYPE, PdfUnavailable, docx_to_pdf
from reports.report.documents import build_document, document_years
from reports.report.model import Report
from reports.views.report import board_of_year, file_response

NO_SUCH_DOCUMENT = "Nämnden har inget sådant dokument."
NOT_YET = "Dokumentet kan inte skapas ännu."


def document_filename(document: str, board_code: str, year: int, suffix: str) -> str:
    """verksamhetsberattelse-AN-2022.docx"""
    return f"{document}-{board_code}-{year}.{suffix}"


def _document_kind(document: str) -> DocumentKind:
    try:
        return DocumentKind(document)
    except ValueError:
        raise Http404(NO_SUCH_DOCUMENT) from None


class _Document:
    """One board's document for a year, built at most once per data state."""

    def __init__(self, board: Board, year: int, kind: DocumentKind) -> None:
        self.board, self.year, self.kind = board, year, kind
        # One reading for the report, its .docx and its PDF.
        self.token = data_token(boards=[board], years=document_years(year))
        self.key = f"document:{board.pk}:{year}:{kind.value}"

    def report(self) -> Report:
        def build() -> Report:
            try:
                return build_document(self.board, self.year, self.kind.value)
            except NotImplementedError:  # a kind whose builder has not landed yet
                raise Http404(NOT_YET) from None

        return cached(self.key, build, token=self.token)

    def docx(self) -> bytes:
        return cached(f"{self.key}:docx", lambda: render_docx(self.report()), token=self.token)

    def pdf(self) -> bytes:
        return cached(
            f"{self.key}:pdf",
            lambda: docx_to_pdf(self.docx(), title=self.report().title),
            token=self.token,
        )

    def filename(self, suffix: str) -> str:
        return document_filename(self.kind.value, self.board.code, self.year, suffix)


def _document(
    request: AuthenticatedHttpRequest, board_code: str, year: int, document: str
) -> _Document:
    kind = _document_kind(document)
    board = board_of_year(request, board_code, year, Action.EXPORT)
    return _Document(board, year, kind)


@require_GET
def document_docx(
    request: AuthenticatedHttpRequest, board_code: str, year: int, document: str
) -> HttpResponse:
    doc = _document(request, board_code, year, document)
    return file_response(doc.docx(), DOCX_CONTENT_TYPE, doc.filename("docx"))


@require_GET
def document_pdf(
    request: AuthenticatedHttpRequest, board_code: str, year: int, document: str
) -> HttpResponse:
    doc = _document(request, board_code, year, document)
    try:
        content = doc.pdf()
    except PdfUnavailable as error:
        context = {
            "message": str(error),
            "docx_url": reverse(
                "reports:document_docx", args=[doc.board.code, doc.year, doc.kind.value]
            ),
            "document_title": doc.kind.label,
        }
        return render(request, "reports/pdf_unavailable.html", context, status=503)
    return file_response(content, PDF_CONTENT_TYPE, doc.filename("pdf"))
