"""Related rows read by hand, left on each instance as `prefetch_related` leaves them.

`instance.<relation>.all()` then answers from the rows without a query. Django's prefetch
builds the relation's filter for every instance (a queryset clone, about 65 µs each): for the
2 071 targets of the all-boards report at size L that was 134 ms, against 35 ms for reading
the targets. Here each instance gets a bare queryset whose filter is deferred, as the
related manager itself defers it, so it costs nothing unless something asks more of it than
its rows (a further filter, an update); then the filter is applied and the answer is right.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from django.db import models
from django.db.models import QuerySet

from indicators.models import Footnote, Target


def attach(
    instances: Iterable[models.Model],
    *,
    relation: str,
    related: type[models.Model],
    owner_field: str,
    rows_by_owner: Mapping[int, Sequence[models.Model]],
) -> None:
    """Give each instance `relation` = its rows from `rows_by_owner` (by the instance's pk),
    as `prefetch_related(relation)` would; `owner_field` is the related model's field that
    points back (`target_id` for a target's footnotes)."""
    for instance in instances:
        rows: QuerySet = QuerySet(model=related)
        # The state a prefetch leaves: the filter the related manager would add, deferred until
        # the query is used (Django's own QuerySet._defer_next_filter), and the rows as result.
        rows._deferred_filter = (False, (), {owner_field: instance.pk})  # type: ignore[attr-defined]
        rows._result_cache = list(rows_by_owner.get(instance.pk, ()))
        rows._prefetch_done = True  # type: ignore[attr-defined]
        cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
        cache[relation] = rows


def read_and_attach(
    instances: Sequence[models.Model],
    *,
    relation: str,
    related: type[models.Model],
    owner_field: str,
    order: Sequence[str],
) -> None:
    """Read the instances' `related` rows in `order` (one query, none without instances) and
    attach them as `relation` (`attach`)."""
    by_owner: dict[int, list[models.Model]] = defaultdict(list)
    if instances:
        rows = related._default_manager.filter(
            **{f"{owner_field}__in": [instance.pk for instance in instances]}
        )
        for row in rows.order_by(*order):
            by_owner[getattr(row, owner_field)].append(row)
    attach(
        instances,
        relation=relation,
        related=related,
        owner_field=owner_field,
        rows_by_owner=by_owner,
    )


def attach_target_footnotes(
    targets: Iterable[Target], notes_by_target: Mapping[int, Sequence[Footnote]]
) -> None:
    """`target.footnotes.all()` = the target's notes in `notes_by_target` (by target id)."""
    attach(
        targets,
        relation="footnotes",
        related=Footnote,
        owner_field="target_id",
        rows_by_owner=notes_by_target,
    )
