"""Realistic dates for the history the demo writes: values, targets and footnotes.

A loaded demo's history rows are dated when it was loaded, so "as of 2021-10-20" would see
nothing. This module gives each historical row of the demo's values, targets and footnotes the
date it would have had (the rules below), writing the historical rows through the historical
models' managers (the models themselves are locked by approved occasions; their history is not).
Only rows whose date differs are written, so a second load writes nothing.

The rules (dates are 10:00 Europe/Stockholm):
- a year value of year Y was entered on 15 February Y+1, a period value ten days after its period
  ended (Period.end_date), unless the demo names the date (`Dates.values`);
- a target of year N was set by the internbudget for N-1 (decided in the autumn N-2): a 2022
  target by the 2021 internbudget, the 2023 target by 2022's; targets of later years (plans up to
  2027) by the latest internbudget the demo knows (`Dates.internbudgets`);
- an indicator was created by the internbudget for its first year (valid_from; one before the
  first the demo knows by the first; later ones keep their load date), later rows keep their
  dates unless the demo names them (`Dates.later_indicators`, by indicator id);
- a footnote was written with what it belongs to: a value's or target's footnote at the owner's
  latest date, an indicator's footnote of year Y with that year's values (15 February Y+1), a
  nämndmål's footnote of year Y with the internbudget for Y that states the goal.

A row of an object's later history (a revision "~" or a deletion "-") gets the date the demo
names for it (`Dates.later`); other later rows keep their dates.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from goals.periods import Period, PeriodType
from indicators.models import Footnote, Indicator, IndicatorValue, Target

HOUR = datetime.time(10, 0)
YEAR_VALUE_MONTH_DAY = (2, 15)
PERIOD_VALUE_DELAY = datetime.timedelta(days=10)
BOARDS = ("AN", "BIN")

# Natural keys: a value (indicator, year, period type, period number, breakdown), a target
# (indicator, year, breakdown).
ValueKey = tuple[int, int, str, int, int]
TargetKey = tuple[int, int, int]


def moment(day: datetime.date) -> datetime.datetime:
    """10:00 local time on `day`: when the demo's entries are said to have been made."""
    return timezone.make_aware(datetime.datetime.combine(day, HOUR))


def value_day(year: int, period_type: str, number: int) -> datetime.date:
    """When a value of the period was entered: 15 February next year, or ten days after."""
    if period_type == PeriodType.YEAR:
        return datetime.date(year + 1, *YEAR_VALUE_MONTH_DAY)
    return Period(year, PeriodType(period_type), number).end_date + PERIOD_VALUE_DELAY


@dataclass
class Dates:
    """The dates the demo names: internbudget decisions by year, first and later entries."""

    internbudgets: dict[int, datetime.date]
    # natural key → the date of the object's first row ("+"), where the rule does not apply
    values: dict[ValueKey, datetime.date] = field(default_factory=dict)
    targets: dict[TargetKey, datetime.date] = field(default_factory=dict)
    # natural key → the dates of its later rows ("~" or "-"), in order
    later_values: dict[ValueKey, list[datetime.date]] = field(default_factory=dict)
    later_targets: dict[TargetKey, list[datetime.date]] = field(default_factory=dict)
    later_indicators: dict[int, list[datetime.date]] = field(default_factory=dict)

    def indicator_day(self, valid_from: int) -> datetime.date | None:
        """The decision of the internbudget for an indicator's first year (None: not known)."""
        known = sorted(self.internbudgets)
        if valid_from < known[0]:
            return self.internbudgets[known[0]]
        return self.internbudgets.get(valid_from)

    def target_day(self, year: int) -> datetime.date:
        """The decision of the internbudget that set a target of `year`."""
        known = sorted(self.internbudgets)
        setter = min(year - 1, known[-1])
        if setter < known[0]:
            setter = known[0]
        return self.internbudgets[setter]


def _redate(rows: Iterable[Any], first: datetime.date, later: list[datetime.date]) -> list[Any]:
    """The rows (one object's history, oldest first) whose date must change."""
    changed = []
    for index, row in enumerate(rows):
        if index == 0:
            wanted = moment(first)
        elif index - 1 < len(later):
            wanted = moment(later[index - 1])
        else:
            continue
        if row.history_date != wanted:
            row.history_date = wanted
            changed.append(row)
    return changed


def _by_object(
    history: type[models.Model], filters: Q | None = None, **lookups: Any
) -> dict[int, list[Any]]:
    """An object's historical rows, oldest first, per object id (one query)."""
    rows: dict[int, list[Any]] = defaultdict(list)
    query = history._default_manager.filter(filters or Q(), **lookups)
    row: Any
    for row in query.order_by("history_date", "history_id"):
        rows[row.id].append(row)
    return rows


def date_history(dates: Dates) -> int:
    """Date every historical row of the demo boards' indicators, values, targets and footnotes;
    rows written.

    Four reads (one per model) and, on a second load, no writes.
    """
    indicator_history: Any = Indicator.history.model
    value_history: Any = IndicatorValue.history.model
    target_history: Any = Target.history.model
    note_history: Any = Footnote.history.model
    written = 0

    changed: list[Any] = []
    for object_id, rows in _by_object(indicator_history, board__code__in=BOARDS).items():
        day = dates.indicator_day(rows[0].valid_from)
        if day is not None:
            changed += _redate(rows, day, dates.later_indicators.get(object_id, []))
    indicator_history._default_manager.bulk_update(changed, ["history_date"], batch_size=500)
    written += len(changed)

    latest: dict[tuple[str, int], datetime.date] = {}
    changed = []
    for object_id, rows in _by_object(value_history, indicator__board__code__in=BOARDS).items():
        row = rows[0]
        value_key = (
            row.indicator_id,
            row.year,
            row.period_type,
            row.period_number,
            row.breakdown_id,
        )
        first = dates.values.get(value_key) or value_day(
            row.year, row.period_type, row.period_number
        )
        later = dates.later_values.get(value_key, [])
        changed += _redate(rows, first, later)
        latest[("value", object_id)] = max([first, *later[: len(rows) - 1]])
    value_history._default_manager.bulk_update(changed, ["history_date"], batch_size=500)
    written += len(changed)

    changed = []
    for object_id, rows in _by_object(target_history, indicator__board__code__in=BOARDS).items():
        row = rows[0]
        target_key = (row.indicator_id, row.year, row.breakdown_id)
        first = dates.targets.get(target_key) or dates.target_day(row.year)
        later = dates.later_targets.get(target_key, [])
        changed += _redate(rows, first, later)
        latest[("target", object_id)] = max([first, *later[: len(rows) - 1]])
    target_history._default_manager.bulk_update(changed, ["history_date"], batch_size=500)
    written += len(changed)

    changed = []
    notes = _by_object(
        note_history,
        filters=Q(indicator__board__code__in=BOARDS)
        | Q(board_goal__board__code__in=BOARDS)
        | Q(indicator__isnull=True, board_goal__isnull=True),
    )
    for rows in notes.values():
        row = rows[0]
        note_day: datetime.date | None
        if row.value_id is not None:
            note_day = latest.get(("value", row.value_id))
        elif row.target_id is not None:
            note_day = latest.get(("target", row.target_id))
        elif row.indicator_id is not None and row.year is not None:
            note_day = datetime.date(row.year + 1, *YEAR_VALUE_MONTH_DAY)
        elif row.board_goal_id is not None and row.year is not None:
            note_day = dates.internbudgets.get(row.year)
        else:
            note_day = None
        if note_day is not None:
            changed += _redate(rows, note_day, [])
    note_history._default_manager.bulk_update(changed, ["history_date"], batch_size=500)
    written += len(changed)
    return written
