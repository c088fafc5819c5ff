"""History reads: rows as they stood at a moment (simple-history's historical models).

"As of" a moment means: for each object id, its latest history row with history_date at or
before the moment; an object with no such row, or whose latest row is a deletion ("-"), did not
exist then. The latest row is picked in SQL with a correlated subquery (portable: SQLite and
PostgreSQL), so a caller filters and reads the standing rows in one query.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery

from indicators import prefetched
from indicators.models import Footnote, Target

DELETED = "-"


def standing_at(model: type[models.Model], as_of: datetime.datetime) -> QuerySet:
    """The historical rows of `model` that stood at `as_of`: one per object id, none deleted.

    The rows have the model's fields (FKs join as usual: `indicator__in`, `breakdown__order`)
    plus history_id/history_date/history_type; the object's id is `id` (`pk` is history_id).
    """
    history = model.history.model  # type: ignore[attr-defined]
    latest = (
        history.objects.filter(id=OuterRef("id"), history_date__lte=as_of)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return (
        history.objects.filter(history_date__lte=as_of, history_id=Subquery(latest))
        .exclude(history_type=DELETED)
        .order_by()
    )


def value_notes_at(
    value_ids: Iterable[int], as_of: datetime.datetime
) -> dict[int, list[tuple[int, str]]]:
    """Per value id, its footnotes (id, text) in order as they stood at `as_of` (two queries).

    A footnote's text, order and owner are read from its history. Which other values a note is
    shared with (`Footnote.shared_values`, a many-to-many simple-history does not record) is
    today's: a note that existed at the moment applies to the values it is shared with now.
    """
    ids = sorted(set(value_ids))
    if not ids:
        return {}
    through = Footnote.shared_values.through
    shared: dict[int, list[int]] = defaultdict(list)
    for note_id, value_id in through.objects.filter(indicatorvalue_id__in=ids).values_list(
        "footnote_id", "indicatorvalue_id"
    ):
        shared[note_id].append(value_id)
    rows = (
        standing_at(Footnote, as_of)
        .filter(Q(value_id__in=ids) | Q(id__in=sorted(shared)))
        .order_by("order", "id")
        .values_list("id", "text", "value_id")
    )
    wanted = set(ids)
    notes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for note_id, text, owner in rows:
        owners = [owner] if owner in wanted else []
        owners += [value_id for value_id in shared.get(note_id, []) if value_id != owner]
        for value_id in owners:
            notes[value_id].append((note_id, text))
    return notes


def target_from_row(row: models.Model) -> Target:
    """A Target built from a historical row: the fields it had then, read like a stored one."""
    target = Target(**{f.attname: getattr(row, f.attname) for f in Target._meta.concrete_fields})
    target._state.adding = False
    target._state.db = row._state.db
    return target


def attach_target_notes_at(targets: list[Target], as_of: datetime.datetime) -> None:
    """Give each target its footnotes as they stood at `as_of` (one query).

    `target.footnotes.all()` answers them without a query, as after a prefetch.
    """
    by_target: dict[int, list[Footnote]] = defaultdict(list)
    rows = (
        standing_at(Footnote, as_of)
        .filter(target_id__in=[target.pk for target in targets])
        .order_by("order", "id")
        .values_list("id", "text", "order", "target_id", "year")
    )
    for note_id, text, order, target_id, year in rows:
        note = Footnote(id=note_id, text=text, order=order, target_id=target_id, year=year)
        note._state.adding = False
        by_target[target_id].append(note)
    prefetched.attach_target_footnotes(targets, by_target)
