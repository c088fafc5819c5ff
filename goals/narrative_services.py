"""Write path of the narrative texts of a board's documents (goals.NarrativeText).

A text is saved like a goal assessment (goals.services.save_assessment): the user needs the
right to enter for the board; a text of a follow-up document belongs to its occasion and is
saved only while that occasion is open (inskickad and godkänd refuse, saying which lock); a
text of a plan has no occasion. The save carries the version the user started from, so a
second editor's save from the same starting point is refused (RecordConflict) instead of
overwriting the first. Unchanged text writes nothing.

Which sections a document has is its outline, which the reports app owns; goals cannot read
it (imports go goals ← reports), so this checks the section is a slug and the view (reports)
checks that it is one of the outline's sections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from core.audit import ChangeSource, change_source
from core.changes import data_changed
from goals.access import Action, can
from goals.locks import lock_for_entry
from goals.models import Board, DocumentKind, NarrativeText, ReportingOccasion
from goals.periods import OccasionKind
from goals.services import (
    SaveOutcome,
    _check_version,
    _save_versioned,
)

NO_RIGHT_WRITE = "Du saknar behörighet att skriva nämndens texter."

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_LENGTH = 20_000
TOO_LONG = "Texten får vara högst 20 000 tecken lång; den är {length} tecken."
UNKNOWN_DOCUMENT = "Okänt dokument: {document}."
BAD_SECTION = "Avsnittet {section!r} finns inte i dokumentet."
NO_OCCASION = (
    "{board} har inget tillfälle {kind} {year}; texterna i {document} hör till det tillfället. "
    "Be en administratör lägga upp det."
)


def clean_text(text: str) -> str:
    """The text as stored: line breaks as \\n, no trailing whitespace, no leading blank lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _length(count: int) -> str:
    return f"{count:,}".replace(",", "\u00a0")


def _occasion_of(board: Board, year: int, document: DocumentKind) -> ReportingOccasion | None:
    kind = document.occasion_kind
    if kind is None:
        return None
    occasion = ReportingOccasion.objects.filter(board=board, year=year, kind=kind).first()
    if occasion is None:
        raise ValidationError(
            NO_OCCASION.format(
                board=board.name,
                kind=OccasionKind(kind).label.lower(),
                year=year,
                document=document.label.lower(),
            ),
            code="occasion",
        )
    return occasion


@transaction.atomic
def save_narrative(
    *,
    user: User,
    board: Board,
    year: int,
    document: str,
    section: str,
    text: str,
    expected_version: int,
    source: ChangeSource = ChangeSource.FORM,
) -> SaveOutcome[NarrativeText]:
    """The user's text of the document's section stands (a new version), unless unchanged."""
    if document not in DocumentKind.values:
        raise ValidationError(UNKNOWN_DOCUMENT.format(document=document), code="document")
    kind = DocumentKind(document)
    try:
        validate_slug(section)
    except ValidationError:
        raise ValidationError(BAD_SECTION.format(section=section), code="section") from None
    text = clean_text(text)
    if len(text) > MAX_LENGTH:
        raise ValidationError(TOO_LONG.format(length=_length(len(text))), code="too_long")
    with change_source(source):
        if not can(user, Action.WRITE_TEXTS, board.pk):
            raise ValidationError(NO_RIGHT_WRITE, code="no_right")
        occasion = _occasion_of(board, year, kind)
        if occasion is not None:
            occasion = lock_for_entry(occasion)  # inskickad and godkänd refuse, saying which
        lookup = {"board": board, "year": year, "document": kind.value, "section": section}
        current = NarrativeText.objects.select_for_update().filter(**lookup).first()
        _check_version(current, expected_version)
        if current is not None and current.text == text:
            return SaveOutcome(record=current, changed=False)
        record = current if current is not None else NarrativeText(**lookup, occasion=occasion)
        record.occasion = occasion
        record.text = text
        _save_versioned(record, user=user, current_version=expected_version, lookup=lookup)
        data_changed(board_id=board.pk, year=year)
    return SaveOutcome(record=record, changed=True)
