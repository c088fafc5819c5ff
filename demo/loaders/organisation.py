"""Kommunen, nämnderna och förvaltningar/enheter (fixtures/linkoping/organisation.toml)."""

from __future__ import annotations

from typing import Any

from demo.loaders.base import DemoDataError, Stats, read, sync
from goals.models import Board, Municipality, OrganisationUnit

FILE = "organisation.toml"


def municipality() -> Municipality:
    return Municipality.objects.get(name=read(FILE)["municipality"]["name"])


def load(stats: Stats) -> None:
    """The municipality, its boards, förvaltningar and enheter and which boards they serve."""
    data = read(FILE)
    (town,) = sync(Municipality, [{"name": data["municipality"]["name"]}], ["name"], stats).values()
    boards = sync(
        Board,
        [
            {
                "code": board["code"],
                "municipality_id": town.pk,
                "name": board["name"],
                "valid_from": board["valid_from"],
                "valid_to": board.get("valid_to"),
                "order": board.get("order", 0),
            }
            for board in data["boards"]
        ],
        ["code"],
        stats,
    )
    board_ids = {code: board.pk for (code,), board in boards.items()}

    units = _load_units(data["units"], town, stats)
    _link_units(data["units"], units, board_ids, stats)


def _load_units(
    units_data: list[dict[str, Any]], town: Municipality, stats: Stats
) -> dict[tuple, OrganisationUnit]:
    """The förvaltningar and enheter; parents first, since a unit points at its parent."""
    units: dict[tuple, OrganisationUnit] = {}
    for with_parent in (False, True):
        batch = [unit for unit in units_data if bool(unit.get("parent")) == with_parent]
        rows = []
        for unit in batch:
            parent_id = None
            if unit.get("parent"):
                parent = units.get((unit["parent"],))
                if parent is None:
                    raise DemoDataError(f"Demodata: okänd överordnad enhet {unit['parent']!r}.")
                parent_id = parent.pk
            rows.append(
                {
                    "code": unit["code"],
                    "municipality_id": town.pk,
                    "kind": unit["kind"],
                    "name": unit["name"],
                    "parent_id": parent_id,
                    "valid_from": unit["valid_from"],
                    "valid_to": unit.get("valid_to"),
                }
            )
        units.update(
            sync(
                OrganisationUnit,
                rows,
                ["code"],
                stats,
                existing=OrganisationUnit.objects.filter(code__in=[r["code"] for r in rows]),
            )
        )
    return units


def _link_units(
    units_data: list[dict[str, Any]],
    units: dict[tuple, OrganisationUnit],
    board_ids: dict[str, int],
    stats: Stats,
) -> None:
    """Which boards each unit serves; only the missing links are written."""
    through = OrganisationUnit.boards.through
    linked = set(
        through.objects.filter(
            organisationunit__in=[unit.pk for unit in units.values()]
        ).values_list("organisationunit_id", "board_id")
    )
    wanted = [
        (units[(unit["code"],)].pk, board_ids[code])
        for unit in units_data
        for code in unit.get("boards", [])
    ]
    missing = [
        through(organisationunit_id=unit_id, board_id=board_id)
        for unit_id, board_id in wanted
        if (unit_id, board_id) not in linked
    ]
    if missing:
        through.objects.bulk_create(missing)
    stats.count("Enheternas nämnder", created=len(missing), unchanged=len(wanted) - len(missing))
