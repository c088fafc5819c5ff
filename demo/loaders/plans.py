"""AN's plans (goals.BoardPlan) and the internbudget 2022 as it stood when it was decided.

Reads fixtures/linkoping/internbudget_2022.toml (its format is described at its top): the plan
rows, the 2021 period values seed 000's "2021" column was derived from, the earlier states of
values and targets that were changed or removed after the internbudget (as history rows), and
then dates all the history the demo wrote (demo.loaders.history). Runs after the other loaders
(the rollover included) and before the approvals, so nothing it writes is locked yet; a second
load writes nothing.

An earlier state is history: a revision is the object's "+" row with seed 000's figure (dated
before the cut-off) and a "~" row with today's figure (dated after it), so the value row itself
stays today's; a removed value is a "+" and a "-" row of a value that no longer exists.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from demo.loaders.base import (
    CHANGE_REASON,
    DemoDataError,
    Stats,
    parse_number,
    read,
    sync,
    with_change_reason,
)
from demo.loaders.history import Dates, TargetKey, ValueKey, date_history, value_day
from demo.loaders.indicators import FILES, FILES_2023, breakdown_parts, parse_target, specs
from goals.models import Board, BoardPlan
from goals.periods import PeriodType
from indicators.models import Breakdown, Indicator, IndicatorValue, MissingReason, Target
from indicators.parsing import is_missing_text

FILE = "internbudget_2022.toml"

# A fixture entry's indicator and the id of its breakdown (closures of load()).
IndicatorOf = Callable[[Mapping[str, Any]], Indicator]
BreakdownIdOf = Callable[[Mapping[str, Any]], int]
VALUE_FIELDS = ("value", "decimals", "missing_reason")
TARGET_FIELDS = ("kind", "operator", "value", "decimals", "trend", "text")

NOT_A_REVISION = (
    "Demodata ({file}): {key} {year} {breakdown}: seed 000:s {seed!r} är inte dagens tal; ange "
    "changed eller deleted."
)
NO_VALUE_TODAY = (
    "Demodata ({file}): {key} {year} {breakdown} har inget utfall i dag att ändra till."
)
UNKNOWN_KEY = "Demodata ({file}): okänd indikator {key!r}."


@dataclass(frozen=True)
class Figure:
    """A value's number or I.U. as a data file writes it, read for one indicator."""

    value: Any
    decimals: int | None
    missing_reason: str

    @classmethod
    def read(cls, text: str, indicator: Indicator, reason: str = "") -> Figure:
        if is_missing_text(text):
            if reason and reason not in MissingReason.values:
                raise DemoDataError(f"Demodata ({FILE}): okänt skäl {reason!r} för I.U.")
            return cls(None, None, reason or MissingReason.OTHER.value)
        number, shown = parse_number(text)
        return cls(number, shown if shown != indicator.decimals else None, "")

    def same_figure(self, obj: IndicatorValue) -> bool:
        """The same number (or I.U.) as the stored value, whatever its reason or decimals."""
        if self.value is None:
            return obj.value is None
        return obj.value is not None and obj.value == self.value

    def fields(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "decimals": self.decimals,
            "missing_reason": self.missing_reason,
        }


def data() -> dict[str, Any]:
    return read(FILE)


def indicators_by_key() -> dict[str, Indicator]:
    """The demo's indicators by their data-file key (indicators.toml, volume_staff.toml, …)."""
    entries = specs(FILES + FILES_2023)
    boards = {board.code: board.pk for board in Board.objects.all()}
    stored = {
        (ind.board_id, ind.category, ind.parent_id, ind.name, ind.valid_from): ind
        for ind in Indicator.objects.filter(board__code__in=boards)
    }
    by_key: dict[str, Indicator] = {}
    for level in ("top", "child"):
        for entry in entries:
            if bool(entry.get("parent")) != (level == "child") or entry["board"] not in boards:
                continue
            parent = by_key.get(entry["parent"]) if entry.get("parent") else None
            natural = (
                boards[entry["board"]],
                entry["category"],
                parent.pk if parent else None,
                entry["name"],
                entry["valid_from"],
            )
            if natural in stored:
                by_key[entry["key"]] = stored[natural]
    return by_key


def breakdown_code(cell: Mapping[str, Any]) -> str:
    return Breakdown.make_code(*breakdown_parts(dict(cell)))


def internbudget_dates() -> dict[int, datetime.date]:
    return {int(year): day for year, day in data()["internbudget_decided"].items()}


def load(stats: Stats) -> None:
    _load_plans(stats)
    by_key = indicators_by_key()
    breakdowns = {b.code: b.pk for b in Breakdown.objects.all()}
    dates = Dates(internbudgets=internbudget_dates())

    def indicator(spec: Mapping[str, Any]) -> Indicator:
        try:
            return by_key[spec["key"]]
        except KeyError:
            raise DemoDataError(UNKNOWN_KEY.format(file=FILE, key=spec["key"])) from None

    def breakdown_id(spec: Mapping[str, Any]) -> int:
        code = breakdown_code(spec)
        if code not in breakdowns:
            raise DemoDataError(f"Demodata ({FILE}): okänd uppdelning {code!r}.")
        return breakdowns[code]

    kept, removed = _period_rows(indicator, breakdown_id)
    sync(
        IndicatorValue,
        kept,
        ["indicator_id", "year", "period_type", "period_number", "breakdown_id"],
        stats,
        existing=IndicatorValue.objects.filter(
            indicator__in={row["indicator_id"] for row in kept}, year__in={2021}
        ).exclude(period_type=PeriodType.YEAR),
    )
    removed += _earlier_values(indicator, breakdown_id, dates)
    _write_removed(removed, dates)
    _revise_targets(indicator, breakdowns, dates)
    _revise_structure(indicator, breakdowns, dates)
    date_history(dates)


def _load_plans(stats: Stats) -> None:
    boards = {board.code: board.pk for board in Board.objects.all()}
    rows = [
        {
            "board_id": boards[plan["board"]],
            "year": plan["year"],
            "kind": plan["kind"],
            "decided_on": plan["decided_on"],
            "decision": plan["decision"],
        }
        for plan in data().get("plans", [])
    ]
    sync(BoardPlan, rows, ["board_id", "year", "kind"], stats)


def _value_key(row: Mapping[str, Any]) -> ValueKey:
    return (
        row["indicator_id"],
        row["year"],
        row["period_type"],
        row["period_number"],
        row["breakdown_id"],
    )


def _period_rows(
    indicator: IndicatorOf, breakdown_id: BreakdownIdOf
) -> tuple[list[dict], list[tuple[dict, list]]]:
    """The 2021 period values to store, and those to store as removed (with their dates)."""
    kept: list[dict] = []
    removed: list[tuple[dict, list]] = []
    for spec in data().get("periods", []):
        ind = indicator(spec)
        for number, text in enumerate(spec["values"], start=1):
            row = {
                "indicator_id": ind.pk,
                "year": spec["year"],
                "period_type": ind.frequency,
                "period_number": number,
                "breakdown_id": breakdown_id(spec),
                **Figure.read(text, ind, spec.get("reason", "")).fields(),
                "comment": "",
            }
            if "deleted" in spec:
                removed.append((row, [spec["deleted"]]))
            else:
                kept.append(row)
    return kept, removed


def _earlier_values(
    indicator: IndicatorOf, breakdown_id: BreakdownIdOf, dates: Dates
) -> list[tuple[dict, list]]:
    """Date the year values seed 000 printed; revise the changed ones; list the removed ones."""
    specs_ = data().get("earlier", [])
    keys = []
    for spec in specs_:
        ind = indicator(spec)
        keys.append((ind, (ind.pk, spec["year"], PeriodType.YEAR.value, 1, breakdown_id(spec))))
    stored = {
        _value_key(vars(obj)): obj
        for obj in IndicatorValue.objects.filter(
            indicator__in={ind.pk for ind, _ in keys}, period_type=PeriodType.YEAR
        )
    }
    history: Any = IndicatorValue.history.model
    removed: list[tuple[dict, list]] = []
    revised: list[tuple[models.Model, Mapping[str, Any]]] = []
    for spec, (ind, key) in zip(specs_, keys, strict=True):
        figure = Figure.read(spec["seed000"], ind, spec.get("reason", ""))
        first = spec.get("entered") or value_day(spec["year"], PeriodType.YEAR, 1)
        where = dict(file=FILE, key=spec["key"], year=spec["year"], breakdown=breakdown_code(spec))
        if "deleted" in spec:
            row = {
                "indicator_id": key[0],
                "year": key[1],
                "period_type": key[2],
                "period_number": key[3],
                "breakdown_id": key[4],
                **figure.fields(),
                "comment": "",
            }
            removed.append((row, [first, spec["deleted"]]))
            continue
        obj = stored.get(key)
        if obj is None:
            raise DemoDataError(NO_VALUE_TODAY.format(**where))
        dates.values[key] = first
        if "changed" not in spec:
            if not figure.same_figure(obj):
                raise DemoDataError(NOT_A_REVISION.format(seed=spec["seed000"], **where))
            continue
        dates.later_values[key] = [spec["changed"]]
        revised.append((obj, figure.fields()))
    _add_revisions(history, revised, VALUE_FIELDS)
    return removed


def _add_revisions(
    history: type[models.Model],
    revised: Sequence[tuple[models.Model, Mapping[str, Any]]],
    fields: tuple[str, ...],
) -> None:
    """The revisions not yet written (objects with only their "+" row), in one read."""
    rows: dict[int, list[models.Model]] = {}
    for row in history._default_manager.filter(id__in=[obj.pk for obj, _ in revised]).order_by(
        "history_date", "history_id"
    ):
        rows.setdefault(row.id, []).append(row)  # type: ignore[attr-defined]
    for obj, earlier in revised:
        mine = rows.get(obj.pk, [])
        if len(mine) == 1 and mine[0].history_type == "+":  # type: ignore[attr-defined]
            _add_revision(history, mine[0], obj, earlier, fields)


def _add_revision(
    history: type[models.Model],
    created: models.Model,
    obj: models.Model,
    earlier: Mapping[str, Any],
    fields: tuple[str, ...],
) -> None:
    """Make `created` (the object's "+" row) hold the earlier figure and add a "~" row after it
    with what the object holds now (history_date is set by date_history)."""
    for name in fields:
        setattr(created, name, earlier[name])
    created.save()
    now = history(
        **{f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields},
        history_date=created.history_date,  # type: ignore[attr-defined]
        history_type="~",
        history_change_reason=CHANGE_REASON,
        history_source=getattr(created, "history_source", ""),
    )
    now.save()


def _write_removed(removed: list[tuple[dict, list]], dates: Dates) -> None:
    """Values that existed at the internbudget and were later removed: a "+" and a "-" row."""
    if not removed:
        return
    history: Any = IndicatorValue.history.model
    done = {
        _value_key(row)
        for row in history.objects.filter(
            history_type="-", indicator__in={row["indicator_id"] for row, _ in removed}
        ).values(*["indicator_id", "year", "period_type", "period_number", "breakdown_id"])
    }
    for row, days in removed:
        key = _value_key(row)
        entered = days[0] if len(days) == 2 else value_day(*key[1:4])
        dates.values[key] = entered
        dates.later_values[key] = [days[-1]]
        if key in done:
            continue
        obj = IndicatorValue(**row)
        with_change_reason(obj)
        obj.save()
        with_change_reason(obj)
        obj.delete()


def _revise_targets(indicator: IndicatorOf, breakdowns: dict[str, int], dates: Dates) -> None:
    """Targets seed 000 prints otherwise than today: a "+" row with its figure, "~" with today's."""
    entries = data().get("target_revisions", [])
    if not entries:
        return
    keys: list[TargetKey] = [
        (indicator(spec).pk, spec["year"], breakdowns[breakdown_code(spec)]) for spec in entries
    ]
    stored = {
        (t.indicator_id, t.year, t.breakdown_id): t
        for t in Target.objects.filter(indicator__in={key[0] for key in keys})
    }
    revised = []
    for spec, key in zip(entries, keys, strict=True):
        dates.later_targets[key] = [spec["changed"]]
        ind = indicator(spec)
        revised.append((stored[key], parse_target(spec["seed000"], ind.decimals)))
    _add_revisions(Target.history.model, revised, TARGET_FIELDS)


def _revise_structure(indicator: IndicatorOf, breakdowns: dict[str, int], dates: Dates) -> None:
    """Indicators the internbudget listed that were ended afterwards (`[[structure_revisions]]`).

    The indicator's "+" row is open-ended (valid_to None), a "~" row on `changed` holds today's
    end; its targets the plan printed are a "+" and a "-" row (removed on `changed`).
    """
    entries = data().get("structure_revisions", [])
    if not entries:
        return
    indicators = [indicator(spec) for spec in entries]
    history: Any = Indicator.history.model
    rows: dict[int, list[Any]] = {}
    for row in history.objects.filter(id__in=[ind.pk for ind in indicators]).order_by(
        "history_date", "history_id"
    ):
        rows.setdefault(row.id, []).append(row)
    target_history: Any = Target.history.model
    removed = set(
        target_history.objects.filter(
            history_type="-", indicator__in=[ind.pk for ind in indicators]
        ).values_list("indicator_id", "year", "breakdown_id")
    )
    total = breakdowns[breakdown_code({})]
    for spec, ind in zip(entries, indicators, strict=True):
        dates.later_indicators[ind.pk] = [spec["changed"]]
        mine = rows.get(ind.pk, [])
        if len(mine) == 1 and mine[0].history_type == "+":
            _add_revision(history, mine[0], ind, {"valid_to": None}, ("valid_to",))
        for cell in spec["targets"]:
            key = (ind.pk, cell["year"], total)
            dates.later_targets[key] = [spec["changed"]]
            if key in removed:
                continue
            target = Target(
                indicator=ind,
                year=cell["year"],
                breakdown_id=total,
                **parse_target(cell["t"], ind.decimals),
            )
            with_change_reason(target)
            target.save()
            with_change_reason(target)
            target.delete()
