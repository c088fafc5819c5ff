"""Indikatorer, uppdelningar, utfall, målvärden och fotnoter.

Reads fixtures/linkoping/indicators.toml (nämndindikatorer), volume_staff.toml (volymmått,
personal, 500 platser), bin_demo.toml (invented BIN data) and demo_2023.toml (invented AN 2023
goal indicators with quarterly history); the format is described at the top of
indicators.toml. Natural keys: an indicator is (nämnd, kategori, överordnad, namn, giltig från); a
value is (indikator, år, period, uppdelning); a target (indikator, år, uppdelning); a breakdown its
code (Breakdown.make_code); a footnote (ägare, ordning).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import models

from demo.loaders.base import DemoDataError, Stats, parse_number, read, sync
from goals.models import Board, BoardGoal, OrganisationUnit
from goals.periods import PeriodType
from indicators.models import (
    Breakdown,
    Footnote,
    Indicator,
    IndicatorBreakdown,
    IndicatorValue,
    MissingReason,
    Target,
)
from indicators.parsing import is_missing_text

FILES = ("indicators.toml", "volume_staff.toml", "bin_demo.toml")
# Invented AN 2023 goal indicators, added to the 2023 structure the rollover made from 2022
# (demo.loaders.rollover loads them after publishing the year).
FILES_2023 = ("demo_2023.toml",)
MISSING = "I.U."
OPERATORS = {"≥": ">=", "≤": "<=", ">": ">", "<": "<"}
TRENDS = {"Ska öka": "oka", "Ska minska": "minska"}
GENDER_ORDER = {"": 0, "K": 1, "M": 2}

# A data file's indicator entry or value/target cell, as parsed from TOML.
Entry = dict[str, Any]
# The stored breakdown's id of a value or target cell.
BreakdownId = Callable[[dict[str, Any]], int]
# Rows written, their footnote texts (one list per row), the stored objects by natural key.
Owned = tuple[list[dict[str, Any]], list[list[str]], Mapping[tuple, models.Model]]


def specs(files: Sequence[str] = FILES + FILES_2023) -> list[dict[str, Any]]:
    """Every indicator entry of the data files, with the defaults filled in."""
    entries = []
    for name in files:
        for entry in read(name).get("indicators", []):
            entry = dict(entry)
            entry.setdefault("board", "AN")
            entry.setdefault("category", Indicator.Category.GOAL.value)
            entry["file"] = name
            entries.append(entry)
    return entries


def breakdown_parts(cell: dict[str, Any]) -> tuple[str, str, str]:
    return cell.get("gender", ""), cell.get("unit", ""), cell.get("cat", "")


def parse_target(text: str, decimals: int) -> dict[str, Any]:
    """'88 %', '≥0', '<0,5 %', 'Ska öka', 'I.U.', 'Inga signifikanta skillnader' → Target fields."""
    fields: dict[str, Any] = {
        "kind": Target.Kind.TEXT,
        "operator": "",
        "value": None,
        "decimals": None,
        "trend": "",
        "text": "",
    }
    stripped = text.strip()
    if stripped == MISSING:
        fields["kind"] = Target.Kind.MISSING
        return fields
    if stripped in TRENDS:
        fields.update(kind=Target.Kind.DIRECTION, trend=TRENDS[stripped])
        return fields
    if stripped[:1] in OPERATORS:
        number, shown = parse_number(stripped[1:])
        fields.update(kind=Target.Kind.BOUND, operator=OPERATORS[stripped[:1]], value=number)
        fields["decimals"] = shown if shown != decimals else None
        return fields
    try:
        number, shown = parse_number(stripped)
    except DemoDataError:
        fields["text"] = stripped
        return fields
    fields.update(kind=Target.Kind.VALUE, value=number)
    fields["decimals"] = shown if shown != decimals else None
    return fields


def _goal_for(goals: list[BoardGoal], entry: dict[str, Any]) -> BoardGoal:
    for goal in goals:
        if goal.title == entry["goal"] and goal.is_valid_in(entry["valid_from"]):
            return goal
    raise DemoDataError(
        f"Demodata: nämndmålet {entry['goal']!r} för {entry['board']} {entry['valid_from']} "
        f"finns inte ({entry['file']})."
    )


VALUE_KEY = ["indicator_id", "year", "period_type", "period_number", "breakdown_id"]
TARGET_KEY = ["indicator_id", "year", "breakdown_id"]


def load(stats: Stats, files: Sequence[str] = FILES) -> None:
    """The demo files' indicators, breakdowns, links, values, targets and footnotes, in order.

    The breakdowns of every file are loaded with the first files (FILES), so the 2023 file
    loaded after the rollover finds its breakdowns stored and counts none twice.
    """
    entries = specs(files)
    boards = {board.code: board for board in Board.objects.all()}
    units = {unit.code: unit for unit in OrganisationUnit.objects.all()}
    goals_by_board: dict[int, list[BoardGoal]] = {}
    for goal in BoardGoal.objects.filter(board__in=boards.values()):
        goals_by_board.setdefault(goal.board_id, []).append(goal)
    by_key = _load_indicators(entries, boards, goals_by_board, stats)
    if files == FILES:
        breakdowns = _load_breakdowns(specs(), units, stats)
    else:
        breakdowns = {(b.code,): b for b in Breakdown.objects.all()}

    def breakdown_id(cell: dict[str, Any]) -> int:
        return breakdowns[(Breakdown.make_code(*breakdown_parts(cell)),)].pk

    indicator_ids = [indicator.pk for indicator in by_key.values()]
    _load_links(entries, by_key, breakdown_id, indicator_ids, stats)
    values = _load_values(entries, by_key, breakdown_id, indicator_ids, stats)
    targets = _load_targets(entries, by_key, breakdown_id, indicator_ids, stats)
    _load_footnotes(entries, by_key, indicator_ids, values, targets, stats)


def _load_indicators(
    entries: list[Entry],
    boards: dict[str, Board],
    goals_by_board: dict[int, list[BoardGoal]],
    stats: Stats,
) -> dict[str, Indicator]:
    """Top-level indicators first, then the sub-indicators pointing at them; by file key."""
    by_key: dict[str, Indicator] = {}
    indicator_key = ["board_id", "category", "parent_id", "name", "valid_from"]
    for level in ("top", "child"):
        rows = []
        batch = [e for e in entries if bool(e.get("parent")) == (level == "child")]
        for entry in batch:
            board = boards[entry["board"]]
            parent = by_key.get(entry["parent"]) if entry.get("parent") else None
            if entry.get("parent") and parent is None:
                raise DemoDataError(f"Demodata: okänd överordnad indikator {entry['parent']!r}.")
            goal = _goal_for(goals_by_board.get(board.pk, []), entry) if entry.get("goal") else None
            rows.append(
                {
                    "board_id": board.pk,
                    "category": entry["category"],
                    "parent_id": parent.pk if parent else None,
                    "name": entry["name"],
                    "valid_from": entry["valid_from"],
                    "valid_to": entry.get("valid_to"),
                    "board_goal_id": goal.pk if goal else None,
                    "unit": entry["unit"],
                    "decimals": entry.get("decimals", 0),
                    "direction": entry["direction"],
                    "source": entry.get("source", ""),
                    "mandatory": entry.get("mandatory", False),
                    "frequency": entry.get("frequency", PeriodType.YEAR.value),
                    "aggregation": entry.get("aggregation", Indicator.Aggregation.ONCE.value),
                    "computed": entry.get("computed", ""),
                    "order": entry.get("order", 0),
                }
            )
        stored = sync(
            Indicator,
            rows,
            indicator_key,
            stats,
            existing=Indicator.objects.filter(board__in=boards.values()),
        )
        for entry, row in zip(batch, rows, strict=True):
            by_key[entry["key"]] = stored[tuple(row[name] for name in indicator_key)]
    return by_key


def _load_breakdowns(
    entries: list[Entry], units: dict[str, OrganisationUnit], stats: Stats
) -> dict[tuple, Breakdown]:
    """Every combination of kön, förvaltning/enhet and category the files use, in order."""
    combos: set[tuple[str, str, str]] = set()
    for entry in entries:
        for cell in [*entry.get("values", []), *entry.get("targets", [])]:
            combos.add(breakdown_parts(cell))
    combos.add(("", "", ""))
    unit_rank = {code: index for index, code in enumerate(units)}
    categories = sorted({combo[2] for combo in combos if combo[2]})
    ordered = sorted(
        combos,
        key=lambda c: (
            0 if not (c[1] or c[2]) else 1,
            unit_rank.get(c[1], -1),
            categories.index(c[2]) if c[2] else -1,
            GENDER_ORDER[c[0]],
        ),
    )
    breakdown_rows = []
    for order, (gender, unit_code, category) in enumerate(ordered):
        if unit_code and unit_code not in units:
            raise DemoDataError(f"Demodata: okänd förvaltning/enhet {unit_code!r}.")
        breakdown_rows.append(
            {
                "code": Breakdown.make_code(gender, unit_code, category),
                "gender": gender,
                "org_unit_id": units[unit_code].pk if unit_code else None,
                "category": category,
                "order": order,
            }
        )
    breakdowns = sync(
        Breakdown,
        breakdown_rows,
        ["code"],
        stats,
        existing=Breakdown.objects.filter(code__in=[row["code"] for row in breakdown_rows]),
    )
    return breakdowns


def _load_links(
    entries: list[Entry],
    by_key: dict[str, Indicator],
    breakdown_id: BreakdownId,
    indicator_ids: list[int],
    stats: Stats,
) -> None:
    """Which breakdowns each indicator is reported by, for which years."""
    link_rows = []
    for entry in entries:
        indicator = by_key[entry["key"]]
        cells = [*entry.get("values", []), *entry.get("targets", [])]
        if not cells:
            continue
        # Rows are listed in the order the latest year prints them (AMC before AMF in 2022
        # even though AMF alone appears in 2020), then earlier years' own splits.
        years: dict[int, list[int]] = {}
        for cell in sorted(cells, key=lambda c: -c["year"]):
            years.setdefault(breakdown_id(cell), []).append(cell["year"])
        # A split goes on as long as the indicator does, unless a later year's values are
        # reported without it (UAF/SOF stop with 2021 when 2022 is reported for IAF as a whole).
        last_year = max(cell["year"] for cell in entry.get("values", []) or cells)
        for order, (pk, used) in enumerate(years.items()):
            first = min(used)
            valid_to = indicator.valid_to if max(used) >= last_year else max(used)
            if valid_to is not None and valid_to < first:
                valid_to = first
            link_rows.append(
                {
                    "indicator_id": indicator.pk,
                    "breakdown_id": pk,
                    "valid_from": first,
                    "valid_to": valid_to,
                    "order": order,
                }
            )
    sync(
        IndicatorBreakdown,
        link_rows,
        ["indicator_id", "breakdown_id", "valid_from"],
        stats,
        existing=IndicatorBreakdown.objects.filter(indicator__in=indicator_ids),
    )


def _load_values(
    entries: list[Entry],
    by_key: dict[str, Indicator],
    breakdown_id: BreakdownId,
    indicator_ids: list[int],
    stats: Stats,
) -> Owned:
    """The values (numbers or I.U. with a reason): (rows, their footnotes, stored by key)."""
    value_rows, value_notes = [], []
    for entry in entries:
        indicator = by_key[entry["key"]]
        for cell in entry.get("values", []):
            row = {
                "indicator_id": indicator.pk,
                "year": cell["year"],
                # q on a cell is a quarter's value (demo_2023.toml); without it the year value
                "period_type": PeriodType.QUARTER.value if "q" in cell else PeriodType.YEAR.value,
                "period_number": cell.get("q", 1),
                "breakdown_id": breakdown_id(cell),
                "value": None,
                "decimals": None,
                "missing_reason": "",
                "comment": cell.get("comment", ""),
            }
            if is_missing_text(cell["v"]):
                reason = cell.get("reason", "")
                if reason not in MissingReason.values:
                    raise DemoDataError(
                        f"Demodata: I.U. för {entry['name']!r} {cell['year']} saknar giltigt skäl."
                    )
                row["missing_reason"] = reason
            else:
                number, shown = parse_number(cell["v"])
                row["value"] = number
                row["decimals"] = shown if shown != indicator.decimals else None
            value_rows.append(row)
            value_notes.append(_notes(cell))
    values = sync(
        IndicatorValue,
        value_rows,
        VALUE_KEY,
        stats,
        existing=IndicatorValue.objects.filter(indicator__in=indicator_ids),
    )
    return value_rows, value_notes, values


def _load_targets(
    entries: list[Entry],
    by_key: dict[str, Indicator],
    breakdown_id: BreakdownId,
    indicator_ids: list[int],
    stats: Stats,
) -> Owned:
    """The targets: (rows, their footnotes, stored by key)."""
    target_rows, target_notes = [], []
    for entry in entries:
        indicator = by_key[entry["key"]]
        for cell in entry.get("targets", []):
            row = {
                "indicator_id": indicator.pk,
                "year": cell["year"],
                "breakdown_id": breakdown_id(cell),
                **parse_target(cell["t"], indicator.decimals),
                "base_value": parse_number(cell["base"])[0] if "base" in cell else None,
                "base_year": cell.get("base_year"),
            }
            target_rows.append(row)
            target_notes.append(_notes(cell))
    targets = sync(
        Target,
        target_rows,
        TARGET_KEY,
        stats,
        existing=Target.objects.filter(indicator__in=indicator_ids),
    )
    return target_rows, target_notes, targets


def _load_footnotes(
    entries: list[Entry],
    by_key: dict[str, Indicator],
    indicator_ids: list[int],
    values: Owned,
    targets: Owned,
    stats: Stats,
) -> None:
    """The footnotes on indicator names, values and targets."""
    indicator_notes = [
        {
            "indicator_id": by_key[e["key"]].pk,
            "order": order,
            "text": n["text"],
            "year": n.get("year"),
        }
        for e in entries
        for order, n in enumerate(e.get("footnotes", []), start=1)
    ]
    sync(
        Footnote,
        indicator_notes,
        ["indicator_id", "order"],
        stats,
        existing=Footnote.objects.filter(indicator__in=indicator_ids),
    )
    sync(
        Footnote,
        _owned_notes("value_id", *values, key=VALUE_KEY),
        ["value_id", "order"],
        stats,
        existing=Footnote.objects.filter(value__indicator__in=indicator_ids),
    )
    sync(
        Footnote,
        _owned_notes("target_id", *targets, key=TARGET_KEY),
        ["target_id", "order"],
        stats,
        existing=Footnote.objects.filter(target__indicator__in=indicator_ids),
    )


def _notes(cell: dict[str, Any]) -> list[str]:
    notes = cell.get("fn", [])
    return [notes] if isinstance(notes, str) else list(notes)


def _owned_notes(
    owner_field: str,
    rows: list[dict[str, Any]],
    notes: list[list[str]],
    stored: Mapping[tuple, models.Model],
    *,
    key: Sequence[str],
) -> list[dict[str, Any]]:
    result = []
    for row, texts in zip(rows, notes, strict=True):
        owner = stored[tuple(row[name] for name in key)]
        for order, text in enumerate(texts, start=1):
            result.append({owner_field: owner.pk, "order": order, "text": text, "year": None})
    return result


def expected_values(key: str) -> dict[int, Decimal]:
    """The report's figures of a computed indicator (`reported`), for tests of the computation."""
    for entry in specs():
        if entry["key"] == key:
            return {int(year): parse_number(text)[0] for year, text in entry["reported"].items()}
    raise KeyError(key)
