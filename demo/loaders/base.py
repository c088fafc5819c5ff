"""What every demo loader shares: reading the data files, Swedish numbers, and idempotent writes.

The loaders write like `update_or_create` on a natural key, but in bulk and without touching a row
whose stored values already match: a second run writes nothing (no new historical rows, no new
`updated_at`), so loading twice leaves the database exactly as it was.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from indicators.formatting import format_number
from indicators.parsing import normalise_number_text, parse_swedish_number

DATA_DIR = Path(settings.BASE_DIR) / "fixtures" / "linkoping"
CHANGE_REASON = "Demodata"

M = TypeVar("M", bound=models.Model)

BAD_NUMBER = "Demodata: {text!r} är inget tal skrivet på svenskt sätt (t.ex. 3 327, 88,9, -9,0)."
DUPLICATE_KEY = "Demodata: {model} med nyckeln {key} förekommer två gånger i datafilerna."
UNKNOWN_NAME = "Demodata: {what} {name!r} finns inte (se {file})."


class DemoDataError(ValueError):
    """A data file says something the loaders cannot store."""


def read(name: str) -> dict[str, Any]:
    """The parsed data file (cached while the file is unchanged; callers must not modify it)."""
    path = DATA_DIR / name
    return _parsed(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _parsed(path: Path, mtime_ns: int) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def parse_number(text: str) -> tuple[Decimal, int]:
    """'3 327' → (3327, 0), '88,9' → (88.9, 1), '-9,0' → (-9.0, 1), '6,0 %' → (6.0, 1)."""
    # The one parser of the app (indicators.parsing) reads the figure; the decimals shown are
    # counted from the text, so '9,0' keeps its one decimal.
    try:
        number = parse_swedish_number(str(text), allow_percent=True)
    except ValidationError:
        raise DemoDataError(BAD_NUMBER.format(text=text)) from None
    fraction = normalise_number_text(str(text)).rstrip("%").strip().partition(",")[2]
    return number, len(fraction)


@dataclass
class Counts:
    """Rows of one kind that a load created, changed and found as they were."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class Stats:
    """What a load did: rows created, changed and unchanged (in all and per kind), approvals.

    `created`, `updated` and `unchanged` are the totals; `count()` adds to a kind and to them.
    `approved` counts the occasions this load approved (each with its archived report).
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    approved: int = 0
    kinds: dict[str, Counts] = field(default_factory=dict)

    def count(self, kind: str, *, created: int = 0, changed: int = 0, unchanged: int = 0) -> None:
        counts = self.kinds.setdefault(kind, Counts())
        counts.created += created
        counts.changed += changed
        counts.unchanged += unchanged
        self.created += created
        self.updated += changed
        self.unchanged += unchanged

    def add(self, other: Stats) -> None:
        for kind, counts in other.kinds.items():
            self.count(
                kind,
                created=counts.created,
                changed=counts.changed,
                unchanged=counts.unchanged,
            )
        self.approved += other.approved

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.approved)

    def summary(self) -> str:
        """One line: the totals, and the approvals if any."""
        totals = (
            f"{_n(self.created, 'ny', 'nya')}, {_n(self.updated, 'ändrad', 'ändrade')}, "
            f"{_n(self.unchanged, 'oförändrad rad', 'oförändrade rader')}"
        )
        if not self.changed_anything:
            return f"inget ändrades ({totals})"
        if self.approved:
            approved = _n(self.approved, "tillfälle godkänt", "tillfällen godkända")
            totals += f"; {approved} (med arkiverad rapport)"
        return totals

    def lines(self) -> list[str]:
        """One line per kind that this load created or changed rows of, in loading order."""
        return [
            f"{kind}: "
            + ", ".join(
                part
                for part in (
                    _n(counts.created, "ny", "nya") if counts.created else "",
                    _n(counts.changed, "ändrad", "ändrade") if counts.changed else "",
                    _n(counts.unchanged, "oförändrad", "oförändrade") if counts.unchanged else "",
                )
                if part
            )
            for kind, counts in self.kinds.items()
            if counts.created or counts.changed
        ]


def _n(count: int, one: str, many: str) -> str:
    """'1 ny', '1 035 nya': the count the Swedish way with the word's singular or plural."""
    return f"{format_number(count)} {one if count == 1 else many}"


def kind_of(model: type[models.Model]) -> str:
    """The kind a model's rows are counted under: its Swedish plural, capitalised."""
    return str(model._meta.verbose_name_plural).capitalize()


def _history_attrs(model: type[models.Model]) -> dict[str, Any] | None:
    try:
        history_model = get_history_manager_for_model(model).model
    except Exception:
        return None
    names = {f.name for f in history_model._meta.get_fields()}
    return {"history_source": "kommando"} if "history_source" in names else {}


def with_change_reason(obj: models.Model) -> None:
    """Give obj's next save the demo's change reason in its history row."""
    # simple-history reads this attribute on save; Django's models do not declare it.
    obj._change_reason = CHANGE_REASON  # type: ignore[attr-defined]


def _create(model: type[M], new: list[M], key: Sequence[str], result: dict[tuple, M]) -> None:
    """The new rows in bulk, with their history rows where the model keeps history.

    `result` (natural key → object) gets the stored objects where the database returns no ids.
    """
    attrs = _history_attrs(model)
    if attrs is None:
        created = model._default_manager.bulk_create(new)
    else:
        created = bulk_create_with_history(
            new,
            model,
            default_change_reason=CHANGE_REASON,
            custom_historical_attrs=attrs or None,
        )
    if any(obj.pk is None for obj in created):  # databases that return no ids
        fresh = {
            tuple(getattr(obj, name) for name in key): obj for obj in model._default_manager.all()
        }
        for natural, obj in list(result.items()):
            if obj.pk is None:
                result[natural] = fresh[natural]


# The demo builds AN's 2023 from 2022 with the year rollover (demo.loaders.rollover), which moves
# the end of what continues from 2022 to 2023. The files still say 2022 (the sources' mandate
# period), so a later load keeps the stored year: loading again changes nothing.
ROLLED_OVER_FROM = (2022,)


def kept_rollover_end(obj: models.Model, row: dict[str, Any]) -> dict[str, Any]:
    """The row with the stored valid_to where the rollover continued it one year past the file."""
    end = row.get("valid_to")
    if end in ROLLED_OVER_FROM and getattr(obj, "valid_to", None) == end + 1:
        return {**row, "valid_to": end + 1}
    return row


def sync(
    model: type[M],
    rows: Iterable[dict[str, Any]],
    key: Sequence[str],
    stats: Stats,
    *,
    existing: Iterable[M] | None = None,
) -> dict[tuple, M]:
    """Create or update `model` rows so that each row dict (attnames → values) is stored.

    `key` names the fields of the natural key. Rows already stored with the same values are not
    written at all. New rows are created in bulk (with their historical rows where the model keeps
    history); changed rows are saved one by one, so the models' own guards (e.g. the lock of an
    approved reporting occasion) apply. Returns the stored objects by key.
    """
    if existing is None:
        existing = model._default_manager.all()
    if isinstance(existing, models.QuerySet):
        existing = existing.order_by()  # the models' default orderings join needlessly here
    stored = {tuple(getattr(obj, name) for name in key): obj for obj in existing}
    result: dict[tuple, M] = {}
    new: list[M] = []
    changed_rows = unchanged_rows = 0
    for row in rows:
        natural = tuple(row[name] for name in key)
        if natural in result:
            raise DemoDataError(DUPLICATE_KEY.format(model=model.__name__, key=natural))
        obj = stored.get(natural)
        if obj is not None:
            row = kept_rollover_end(obj, row)
        if obj is None:
            obj = model(**row)
            new.append(obj)
        else:
            changed = [name for name, value in row.items() if getattr(obj, name) != value]
            if changed:
                for name in changed:
                    setattr(obj, name, row[name])
                with_change_reason(obj)
                obj.save()
                changed_rows += 1
            else:
                unchanged_rows += 1
        result[natural] = obj
    if new:
        _create(model, new, key, result)
    stats.count(kind_of(model), created=len(new), changed=changed_rows, unchanged=unchanged_rows)
    return result
