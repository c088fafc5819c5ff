"""The Texter page: a board's narrative texts of one document and year, entered section by section.

`/namnd/<nämnd>/<år>/<dokument>/texter/` shows every narrative section of the document's outline
(reports.outline), in outline order under the heading it sits below, each in its own form;
`…/texter/<avsnitt>/` saves one (goals.narrative_services.save_narrative). With htmx the form is
swapped in place; without JS the save redirects back to the page (or shows it again with the
error at the field). A conflict shows the other person's saved text and keeps what the user typed.

Access: the board must be visible to the user (Action.VIEW, else 404 as every board page);
writing the texts is Action.WRITE_TEXTS (the board's controllers, its nämnd secretaries and
the administrators): anyone else who sees the board gets 403. A follow-up document's texts belong to its occasion: while it is
submitted or approved, or before it exists, the page shows the texts without fields and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from core.types import AuthenticatedHttpRequest
from goals.access import Action, can
from goals.models import Board, DocumentKind, NarrativeText, OccasionLockedError, ReportingOccasion
from goals.narrative_services import NO_OCCASION, save_narrative
from goals.periods import OccasionKind
from goals.services import RecordConflict
from reports.outline import outline_for
from reports.renderers.narrative_html import Node, narrative_nodes
from reports.report.model import OutlineKind
from reports.views.report import board_of_year

NO_RIGHT = (
    "Bara nämndens controllers och nämndsekreterare, och administratörer, skriver texterna i "
    "nämndens dokument."
)
NO_SUCH_DOCUMENT = "Dokumentet finns inte."
NO_SUCH_SECTION = "Dokumentet har inget sådant avsnitt."
BAD_VERSION = "Sidan var inaktuell. Ladda om sidan och spara igen; din text står kvar nedan."
SAVED = "Texten ”{title}” är sparad."
UNCHANGED = "Texten ”{title}” var redan sparad så."
HELP = (
    "Skriv vanlig text. En tom rad mellan stycken. En rad som börjar med ”- ” blir en punkt i en "
    "lista, ”1. ” en numrerad punkt och ”### ” en underrubrik. *kursiv* och **fet**; en länk "
    "skrivs <https://…>. Annat, som HTML, visas precis som det är skrivet."
)

# The document pages the Texter page links back to.
DOCUMENT_PAGES = {
    DocumentKind.VERKSAMHETSBERATTELSE: "reports:report",
    DocumentKind.DELAR1: "reports:delar1",
    DocumentKind.DELAR2: "reports:delar2",
    DocumentKind.INTERNBUDGET: "reports:internbudget",
    DocumentKind.VERKSAMHETSPLAN: "reports:verksamhetsplan",
}


@dataclass
class Section:
    """One narrative section on the page: its stored text and, after a save, what happened."""

    key: str
    title: str
    text: str = ""
    version: int = 0
    typed: str | None = None  # what the user sent, kept when it was not saved
    error: str = ""
    saved: bool = False
    unchanged: bool = False
    other_version: int | None = None  # a conflict: the version someone else saved

    @property
    def field_text(self) -> str:
        return self.text if self.typed is None else self.typed

    @property
    def keeps_typed(self) -> bool:
        """A refused save keeps its field and the typed text, even when the document is locked."""
        return self.typed is not None

    @property
    def nodes(self) -> list[Node]:
        """The stored text as the document shows it (for the read-only page and a conflict)."""
        return narrative_nodes(self.text, heading_level=4)

    @property
    def conflict(self) -> bool:
        return self.other_version is not None


@dataclass
class Group:
    """The sections below one heading of the outline (heading empty before the first)."""

    heading: str
    level: int
    sections: list[Section] = field(default_factory=list)


@dataclass
class Page:
    board: Board
    year: int
    document: DocumentKind
    groups: list[Group]
    lock_message: str

    @property
    def can_edit(self) -> bool:
        return not self.lock_message

    def section(self, key: str) -> Section:
        for group in self.groups:
            for section in group.sections:
                if section.key == key:
                    return section
        raise Http404(NO_SUCH_SECTION)


def _document(document: str) -> DocumentKind:
    if document not in DocumentKind.values:
        raise Http404(NO_SUCH_DOCUMENT)
    return DocumentKind(document)


def _board(request: AuthenticatedHttpRequest, board_code: str, year: int) -> Board:
    board = board_of_year(request, board_code, year, Action.VIEW)
    if not can(request.user, Action.WRITE_TEXTS, board):
        raise PermissionDenied(NO_RIGHT)
    return board


def _lock_message(board: Board, year: int, document: DocumentKind) -> str:
    """Why the texts cannot be written now ('' when they can). One query for a follow-up."""
    kind = document.occasion_kind
    if kind is None:
        return ""
    occasion = ReportingOccasion.objects.filter(board=board, year=year, kind=kind).first()
    if occasion is None:
        return NO_OCCASION.format(
            board=board.name,
            kind=OccasionKind(kind).label.lower(),
            year=year,
            document=document.label.lower(),
        )
    if not occasion.is_open_for_entry:
        occasion.board = board
        return OccasionLockedError(occasion).messages[0]
    return ""


def _page(board: Board, year: int, document: DocumentKind) -> Page:
    """The document's sections with their texts: three queries, however many sections."""
    stored = {
        text.section: text
        for text in NarrativeText.objects.filter(board=board, year=year, document=document)
    }
    groups: list[Group] = []
    heading = Group("", 0)
    for entry in outline_for(document, year):
        if entry.kind == OutlineKind.HEADING:
            heading = Group(entry.title, entry.level)
        elif entry.kind == OutlineKind.NARRATIVE:
            if not groups or groups[-1] is not heading:
                groups.append(heading)
            text = stored.get(entry.key)
            heading.sections.append(
                Section(
                    key=entry.key,
                    title=entry.title or entry.key,
                    text=text.text if text else "",
                    version=text.version if text else 0,
                )
            )
    return Page(board, year, document, groups, _lock_message(board, year, document))


def _urls(page: Page) -> dict[str, Any]:
    args = [page.board.code, page.year, page.document.value]
    document_page = DOCUMENT_PAGES.get(page.document)
    return {
        "page_url": reverse("reports:narratives", args=args),
        "document_url": reverse(document_page, args=args[:2]) if document_page else "",
    }


def _section_context(page: Page, section: Section) -> dict[str, Any]:
    return {"page": page, "section": section}


def _render_page(request: AuthenticatedHttpRequest, page: Page, status: int = 200) -> HttpResponse:
    context = {
        "page": page,
        "board": page.board,
        "year": page.year,
        "help": HELP,
        "nav_page": "texter"
        if page.document == DocumentKind.VERKSAMHETSBERATTELSE
        else page.document,
        **_urls(page),
    }
    return render(request, "reports/narratives.html", context, status=status)


@require_safe
def narratives_page(
    request: AuthenticatedHttpRequest, board_code: str, year: int, document: str
) -> HttpResponse:
    kind = _document(document)
    board = _board(request, board_code, year)
    return _render_page(request, _page(board, year, kind))


@require_POST
def narrative_save(
    request: AuthenticatedHttpRequest, board_code: str, year: int, document: str, section: str
) -> HttpResponse:
    kind = _document(document)
    board = _board(request, board_code, year)
    page = _page(board, year, kind)
    current = page.section(section)  # 404 unless the outline has it
    typed = request.POST.get("text", "")
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = None
    if expected is None:
        current.typed, current.error = typed, BAD_VERSION
    else:
        try:
            outcome = save_narrative(
                user=request.user,
                board=board,
                year=year,
                document=kind.value,
                section=section,
                text=typed,
                expected_version=expected,
            )
            current.text, current.version = outcome.record.text, outcome.record.version
            current.saved, current.unchanged = True, not outcome.changed
        except RecordConflict as conflict:
            other = conflict.current
            current.typed, current.error = typed, conflict.messages[0]
            if isinstance(other, NarrativeText):
                current.text, current.version = other.text, other.version
                current.other_version = other.version
        except ValidationError as refused:  # the lock (OccasionLockedError) included
            # The field stays, with what the user typed: a lock that came while they wrote
            # must not take their text away (they can copy it before they reload).
            current.typed, current.error = typed, " ".join(refused.messages)
    if request.htmx:
        return render(request, "reports/_narrative_form.html", _section_context(page, current))
    if current.saved:
        message = UNCHANGED if current.unchanged else SAVED
        messages.success(request, message.format(title=current.title))
        return redirect(f"{_urls(page)['page_url']}#text-{section}")
    return _render_page(request, page, status=409 if current.conflict else 400)
