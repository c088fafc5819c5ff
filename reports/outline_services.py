"""Writes to a document's outline (Dokumentmallar): save the municipality's own, or go back
to the default. Administrators of every board only; every change is in the outline's history.
"""

from __future__ import annotations

import hashlib
import json
import string

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from core.audit import ChangeSource, change_source
from core.types import AnyUser
from goals.access import Action, on_every_board
from goals.models import DocumentKind
from reports.models import OutlineItem
from reports.outline import OutlineLine, outline_lines, table_choices
from reports.report.model import OutlineKind

NOT_ADMINISTRATOR = "Bara en administratör för alla nämnder kan ändra dokumentmallarna."
EMPTY = "Mallen behöver minst en rad."
HEADING_TITLE = "Skriv rubrikens text."
NARRATIVE_TITLE = "Ge textavsnittet ett namn (det visas på sidan där texten skrivs)."
NARRATIVE_KEY = (
    "Ge textavsnittet en nyckel med små bokstäver, siffror och bindestreck, t.ex. handelser."
)
NARRATIVE_TWICE = "Textavsnittet {key} finns redan längre upp i mallen."
TABLE_UNKNOWN = "Välj en av dokumentets tabeller."
TABLE_TWICE = "Tabellen finns redan längre upp i mallen."
LEVEL = "Rubriknivån ska vara 1–4."
PLACEHOLDER = "Rubriken kan bara fylla i {year} (rapportåret) och {previous_year} (året före)."
CHANGED_MEANWHILE = (
    "Någon annan har ändrat mallen sedan du öppnade sidan. Dina ändringar är kvar nedan; "
    "jämför med den sparade mallen (ladda om sidan i en annan flik) och spara igen."
)
ALLOWED_FIELDS = {"year", "previous_year"}


def outline_digest(lines: list[OutlineLine]) -> str:
    """A short fingerprint of an outline, so a save can tell that someone else saved first."""
    data = [[line.kind.value, line.title, line.level, line.key] for line in lines]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]


def _placeholders_ok(title: str) -> bool:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(title) if name is not None}
    except ValueError:
        return False
    return fields <= ALLOWED_FIELDS


def validate_lines(document: str, lines: list[OutlineLine]) -> dict[int, str]:
    """The problems of an outline, by row index (0-based); empty when it may be saved."""
    errors: dict[int, str] = {}
    tables = table_choices(document)
    narratives: set[str] = set()
    placed: set[str] = set()
    for index, line in enumerate(lines):
        if line.kind == OutlineKind.HEADING:
            if not line.title.strip():
                errors[index] = HEADING_TITLE
            elif not 1 <= line.level <= 4:
                errors[index] = LEVEL
            elif not _placeholders_ok(line.title):
                errors[index] = PLACEHOLDER
        elif line.kind == OutlineKind.NARRATIVE:
            try:
                validate_slug(line.key)
            except ValidationError:
                errors[index] = NARRATIVE_KEY
                continue
            if line.key != line.key.lower():
                errors[index] = NARRATIVE_KEY
            elif not line.title.strip():
                errors[index] = NARRATIVE_TITLE
            elif line.key in narratives:
                errors[index] = NARRATIVE_TWICE.format(key=line.key)
            narratives.add(line.key)
        else:
            if line.key not in tables:
                errors[index] = TABLE_UNKNOWN
            elif line.key in placed:
                errors[index] = TABLE_TWICE
            placed.add(line.key)
    return errors


class OutlineInvalid(ValidationError):
    def __init__(self, errors: dict[int, str], message: str = "") -> None:
        super().__init__(message or "Mallen kunde inte sparas.")
        self.row_errors = errors


def _require_administrator(user: AnyUser) -> None:
    if not on_every_board(user, Action.ADMINISTER):
        raise ValidationError(NOT_ADMINISTRATOR, code="no_right")


@transaction.atomic
def save_outline(
    *, user: AnyUser, document: str, lines: list[OutlineLine], expected_digest: str
) -> list[OutlineItem]:
    """The document's outline becomes these lines, in this order. Refused whole, with each
    row's problem, if any line is wrong; refused if someone saved since `expected_digest`."""
    _require_administrator(user)
    document = DocumentKind(document).value
    if not lines:
        raise OutlineInvalid({}, EMPTY)
    errors = validate_lines(document, lines)
    if errors:
        raise OutlineInvalid(errors)
    # Row locks on the current rows, so two saves cannot both pass the fingerprint check.
    current = list(OutlineItem.objects.select_for_update().filter(document=document))
    if outline_digest(outline_lines(document)) != expected_digest:
        raise OutlineInvalid({}, CHANGED_MEANWHILE)
    with change_source(ChangeSource.FORM):
        for item in current:
            item._history_user = user
            item.delete()
        items = []
        for position, line in enumerate(lines, start=1):
            item = OutlineItem(
                document=document,
                position=position,
                item_kind=line.kind.value,
                level=line.level if line.kind == OutlineKind.HEADING else 1,
                title=line.title.strip(),
                key="" if line.kind == OutlineKind.HEADING else line.key,
            )
            item.full_clean()
            item._history_user = user
            item.save()
            items.append(item)
    return items


@transaction.atomic
def reset_outline(*, user: AnyUser, document: str) -> None:
    """Back to the default outline (reports/outlines.toml): the municipality's rows go."""
    _require_administrator(user)
    with change_source(ChangeSource.FORM):
        for item in OutlineItem.objects.select_for_update().filter(
            document=DocumentKind(document).value
        ):
            item._history_user = user
            item.delete()
