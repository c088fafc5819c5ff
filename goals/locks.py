"""The one owner of "is this locked by a reporting occasion".

Two rules, both answered here and nowhere else:

* **An approved occasion locks what it covers, on every path.** The indicator values (and
  their footnotes) of its due periods, the budget amounts of those periods (budget mapped to
  its period by `budget.models`), and the rows that belong to it (assessments, statuses). The
  models' save() and delete() and their querysets' bulk methods ask `locking_occasion`,
  `approved_occasion_among` or `approved_covering` and refuse with `OccasionLockedError`; a
  locked row saved unchanged writes nothing (`may_save`), so idempotent loaders still run.
* **Inskickad closes entry.** The write services and the import take the covering occasions'
  row locks and ask `ReportingOccasion.ensure_open_for_entry` (`lock_for_entry`,
  `lock_periods_for_entry`), so an approval waits for a save in progress and a save sees an
  approval that committed first.

A period is a (period type, number) of a year; an occasion covers the periods due at its kind
(`OccasionKind.due_periods`), so each period of a board's year is covered by one occasion kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import cast

from django.db import models
from django.db.models import Exists, OuterRef, Q

from goals.models import OccasionLockedError, ReportingOccasion, unchanged_in_database
from goals.periods import OccasionKind, Period, PeriodType

# (board id, year, period type, period number); a board id of None (a row without a board yet)
# matches nothing.
PeriodKey = tuple[int | None, int, str, int]


def locking_occasion(keys: Iterable[PeriodKey]) -> ReportingOccasion | None:
    """The approved occasion that locks one of these periods, if any: one query (none if no keys).

    The keys are asked in their order, so the first locked one names its occasion.
    """
    wanted = [
        (board_id, year, PeriodType(period_type), number)
        for board_id, year, period_type, number in keys
        if board_id is not None
    ]
    if not wanted:
        return None
    approved: dict[PeriodKey, ReportingOccasion] = {}
    for occasion in (
        ReportingOccasion.objects.approved()
        .filter(board_id__in={key[0] for key in wanted}, year__in={key[1] for key in wanted})
        .select_related("board")
        .order_by("year", "kind")
    ):
        for period_type, number in occasion.due_periods():
            approved.setdefault((occasion.board_id, occasion.year, period_type, number), occasion)
    return next((approved[key] for key in wanted if key in approved), None)


def approved_covering(*, board: str, year: str, period_type: str, period_number: str) -> Q:
    """A filter for rows whose period an approved occasion of their board covers.

    The arguments are the rows' field paths, e.g. board="indicator__board".
    """
    conditions = []
    for kind in OccasionKind:
        periods = reduce(
            or_,
            (
                Q(**{period_type: due_type, period_number: number})
                for due_type, number in kind.due_periods()
            ),
        )
        occasions = ReportingOccasion.objects.approved().filter(
            board=OuterRef(board), year=OuterRef(year), kind=kind
        )
        conditions.append(periods & Exists(occasions))
    # Q & Exists is a Q at run time; the stubs type it as the wider Combinable.
    return cast(Q, reduce(or_, conditions))


def approved_occasion_among(
    occasion_ids: Iterable[int | None] | models.QuerySet,
) -> ReportingOccasion | None:
    """The approved one of these occasions, if any (rows that belong to an occasion).

    A queryset of ids is asked as a subquery, so a bulk write's check is one query.
    """
    if isinstance(occasion_ids, models.QuerySet):
        ids: object = occasion_ids
    else:
        ids = {pk for pk in occasion_ids if pk is not None}
        if not ids:
            return None
    return ReportingOccasion.objects.filter(pk__in=ids).approved().select_related("board").first()


def refuse(occasion: ReportingOccasion | None) -> None:
    """Raise OccasionLockedError, naming the occasion, if there is one."""
    if occasion is not None:
        raise OccasionLockedError(occasion)


def may_save(
    instance: models.Model, occasion: ReportingOccasion | None, *, ignore: tuple[str, ...] = ()
) -> bool:
    """The model guard's answer for save(): go on, skip (locked but unchanged) or refuse.

    False means the row is locked but already holds exactly these values: saving writes
    nothing. A locked row that would change raises OccasionLockedError.
    """
    if occasion is None:
        return True
    if unchanged_in_database(instance, ignore=ignore):
        return False
    raise OccasionLockedError(occasion)


def closed_occasion_covering(
    *, board_id: int | None, year: int | None, period_type: str | None, period_number: int | None
) -> ReportingOccasion | None:
    """The occasion that keeps this period of the board closed for entry, approved first."""
    if board_id is None or year is None or period_type is None or period_number is None:
        return None
    closed = (
        ReportingOccasion.objects.covering(
            board_id=board_id, year=year, period_type=period_type, period_number=period_number
        )
        .closed_for_entry()
        .select_related("board")
    )
    return min(closed, key=lambda occasion: not occasion.is_locked, default=None)


def lock_for_entry(occasion: ReportingOccasion) -> ReportingOccasion:
    """Take the occasion's row lock and refuse unless it is open (inskickad or godkänd)."""
    locked = (
        ReportingOccasion.objects.select_for_update(of=("self",))
        .select_related("board")
        .get(pk=occasion.pk)
    )
    locked.ensure_open_for_entry()
    return locked


def lock_periods_for_entry(*, board_id: int, periods: Iterable[Period]) -> None:
    """Take the row locks of the occasions covering these periods; refuse unless all are open."""
    for period in sorted(set(periods)):
        covering = (
            ReportingOccasion.objects.select_for_update(of=("self",))
            .covering(
                board_id=board_id,
                year=period.year,
                period_type=period.type,
                period_number=period.number,
            )
            .select_related("board")
        )
        for occasion in covering:
            occasion.ensure_open_for_entry()  # inskickad or godkänd: refused, saying which
