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
class Stats:
    """How many rows a loader created, changed and left as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    per_model: dict[str, int] = field(default_factory=dict)

    def add(self, other: Stats) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        for name, count in other.per_model.items():
            self.per_model[name] = self.per_model.get(name, 0) + count

    def summary(self) -> str:
        return f"{self.created} nya, {self.updated} ändrade, {self.unchanged} oförändrade rader"


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
    for row in rows:
        natural = tuple(row[name] for name in key)
        if natural in result:
            raise DemoDataError(DUPLICATE_KEY.format(model=model.__name__, key=natural))
        obj = stored.get(natural)
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
                stats.updated += 1
            else:
                stats.unchanged += 1
        result[natural] = obj
    if new:
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
                tuple(getattr(obj, name) for name in key): obj
                for obj in model._default_manager.all()
            }
            for natural, obj in list(result.items()):
                if obj.pk is None:
                    result[natural] = fresh[natural]
        stats.created += len(new)
    stats.per_model[model.__name__] = stats.per_model.get(model.__name__, 0) + len(result)
    return result
